"""Signed receipts: a detached Ed25519 signature over the exact bytes of an answer.

A receipt is the `X-Receipt` header value ``kid=<kid>; alg=Ed25519; sig=<signature>``: `kid` names the
signing key (the first 16 hex digits of the SHA-256 of its raw public key), `sig` is the 64-byte Ed25519
signature of the response body as sent, base64url without padding. Nothing else is signed, so anyone holding
the body and the public key can check it offline.

The keys file (0600) holds one current key with its private half and, after each rotation, the public
halves of the keys before it: old receipts still verify, and a retired key can sign nothing more. Like the
API keys file it is re-read when it changes (at most once a second), so a rotation takes effect without a
restart.
"""

from __future__ import annotations

import base64
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import secrets
import threading
import time
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

HEADER = "X-Receipt"
ALG = "Ed25519"
_RECEIPT = re.compile(r"^kid=([0-9a-f]{16});\s*alg=([A-Za-z0-9]+);\s*sig=([A-Za-z0-9_-]{86})\Z")


class ReceiptKeyError(Exception):
    """The keys file cannot be read or written."""


class ReceiptError(Exception):
    """A receipt that does not verify; the message says why."""


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id(public: Ed25519PublicKey) -> str:
    return hashlib.sha256(public.public_bytes_raw()).hexdigest()[:16]


@dataclass(frozen=True)
class ReceiptKey:
    kid: str
    created: str
    public: Ed25519PublicKey
    private: Ed25519PrivateKey | None = None  # only the current key keeps it

    def stored(self) -> dict:
        entry = {"kid": self.kid, "created": self.created, "x": b64url(self.public.public_bytes_raw())}
        if self.private is not None:
            entry["d"] = b64url(self.private.private_bytes_raw())
        return entry

    def jwk(self) -> dict:
        """RFC 8037: an Ed25519 public key as a JWK."""
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url(self.public.public_bytes_raw()), "kid": self.kid,
                "use": "sig", "alg": "EdDSA"}


def new_key() -> ReceiptKey:
    private = Ed25519PrivateKey.generate()
    created = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    return ReceiptKey(key_id(private.public_key()), created, private.public_key(), private)


@dataclass(frozen=True)
class KeyRing:
    """The current key first, then the retired ones, newest first."""

    keys: tuple[ReceiptKey, ...]

    @property
    def current(self) -> ReceiptKey:
        return self.keys[0]

    def public_keys(self) -> dict[str, Ed25519PublicKey]:
        return {k.kid: k.public for k in self.keys}

    def stored(self) -> dict:
        return {"current": self.current.kid, "keys": [k.stored() for k in self.keys]}

    def rotated(self) -> KeyRing:
        retired = tuple(ReceiptKey(k.kid, k.created, k.public) for k in self.keys)
        return KeyRing((new_key(), *retired))


def parse_keys_file(text: str, where: str) -> KeyRing:
    try:
        data = json.loads(text)
        by_kid = {}
        for entry in data["keys"]:
            d = entry.get("d")
            private = Ed25519PrivateKey.from_private_bytes(unb64url(d)) if d else None
            public = private.public_key() if private else Ed25519PublicKey.from_public_bytes(unb64url(entry["x"]))
            by_kid[entry["kid"]] = ReceiptKey(entry["kid"], entry.get("created", ""), public, private)
        current = by_kid.pop(data["current"])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ReceiptKeyError(f"{where}: not a receipt keys file ({exc!r})") from None
    if current.private is None:
        raise ReceiptKeyError(f"{where}: the current key {current.kid} has no private half")
    return KeyRing((current, *by_kid.values()))


def read_keys_file(path: Path) -> KeyRing:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ReceiptKeyError(f"{path}: {exc.strerror}") from None
    return parse_keys_file(text, str(path))


def _write_private(path: Path, ring: KeyRing) -> Path:
    """The ring in a new 0600 file beside `path`, flushed to disk; returns that file's path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(ring.stored(), fh, indent=2)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    return tmp


def create_keys_file(path: Path) -> KeyRing:
    """The keys file at `path`, made with one new key unless another process made it first.

    The file appears complete or not at all: it is written aside, then hard-linked into place, which
    fails when the name exists. Whoever loses the race reads the winner's file.
    """
    path = Path(path)
    tmp = _write_private(path, KeyRing((new_key(),)))
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return read_keys_file(path)


@contextmanager
def _locked(path: Path):
    """Rotations one at a time: each reads the ring the one before it wrote."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def rotate_keys_file(path: Path) -> KeyRing:
    """A new current key; the previous keys keep only their public halves."""
    path = Path(path)
    with _locked(path):
        ring = read_keys_file(path).rotated() if path.exists() else KeyRing((new_key(),))
        os.replace(_write_private(path, ring), path)
    return ring


class ReceiptSigner:
    """Signs answers with the current key of a keys file, and publishes every key's public half."""

    def __init__(self, path: Path, ring: KeyRing):
        self.path = Path(path)
        self._ring = ring
        self._stamp = self._file_stamp()
        self._checked = time.monotonic()
        self._lock = threading.Lock()

    @classmethod
    def load_or_create(cls, path: Path) -> ReceiptSigner:
        """The signer of the keys file at `path`, created with one key on first use.

        Idempotent, and safe when several processes call it at once: they all end up with the same key.
        """
        path = Path(path)
        ring = read_keys_file(path) if path.exists() else create_keys_file(path)
        return cls(path, ring)

    def _file_stamp(self):
        try:
            st = self.path.stat()
            return st.st_mtime_ns, st.st_size, st.st_ino
        except FileNotFoundError:
            return None

    def ring(self) -> KeyRing:
        now = time.monotonic()
        if now - self._checked >= 1.0:
            with self._lock:
                self._checked = now
                stamp = self._file_stamp()
                if stamp != self._stamp and stamp is not None:
                    try:
                        self._ring = read_keys_file(self.path)
                        self._stamp = stamp
                    except ReceiptKeyError:
                        pass  # keep signing with the last good ring rather than fail every answer
        return self._ring

    def sign(self, body: bytes) -> str:
        """The `X-Receipt` header value for an answer whose body is exactly `body`."""
        key = self.ring().current
        return f"kid={key.kid}; alg={ALG}; sig={b64url(key.private.sign(body))}"

    def jwks(self) -> dict:
        """Every key's public half as a JWK Set (RFC 7517, RFC 8037), the current key first."""
        return {"keys": [k.jwk() for k in self.ring().keys]}


def parse_receipt(receipt: str) -> tuple[str, bytes]:
    """(kid, signature) of an `X-Receipt` value; ReceiptError when it is not one."""
    found = _RECEIPT.match(receipt.strip())
    if not found:
        raise ReceiptError("malformed receipt: expected 'kid=<16 hex>; alg=Ed25519; sig=<86 base64url>'")
    kid, alg, sig = found.groups()
    if alg != ALG:
        raise ReceiptError(f"malformed receipt: alg {alg!r} is not {ALG}")
    return kid, unb64url(sig)


def verify_receipt(body: bytes, receipt: str, keys: Mapping[str, Ed25519PublicKey]) -> str:
    """The kid that signed `body`; ReceiptError saying why not (malformed, unknown kid, bad signature)."""
    kid, signature = parse_receipt(receipt)
    public = keys.get(kid)
    if public is None:
        raise ReceiptError(f"unknown kid {kid}: not among the {len(keys)} public key(s) given")
    try:
        public.verify(signature, body)
    except InvalidSignature:
        raise ReceiptError(f"bad signature: these bytes are not what key {kid} signed") from None
    return kid


def public_keys_from_jwks(jwks: object, where: str = "JWKS") -> dict[str, Ed25519PublicKey]:
    """The Ed25519 keys of a JWK Set by kid; other key types are skipped."""
    try:
        entries = jwks["keys"]
        return {k["kid"]: Ed25519PublicKey.from_public_bytes(unb64url(k["x"]))
                for k in entries if k.get("kty") == "OKP" and k.get("crv") == "Ed25519"}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ReceiptKeyError(f"{where}: not a JWK Set of Ed25519 keys ({exc!r})") from None
