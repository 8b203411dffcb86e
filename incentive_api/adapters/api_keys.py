"""API keys on disk: per key a name, a role and the SHA-256 of the key, never the key itself.

The file is re-read when it changes (at most once a second), so a revoked key
stops working without a restart. Lookups compare the presented key's hash with
every stored hash in constant time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROLES = ("client", "operator")
PREFIX = "ia_"


@dataclass(frozen=True)
class ApiKey:
    name: str
    role: str
    sha256: str
    created: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class KeyFileError(Exception):
    pass


class KeyFile:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._keys: tuple[ApiKey, ...] = ()
        self._stamp = None
        self._checked = 0.0
        self._lock = threading.Lock()

    # -- reading -------------------------------------------------------------
    def _read(self) -> tuple[ApiKey, ...]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return tuple(ApiKey(k["name"], k["role"], k["sha256"], k.get("created", "")) for k in data["keys"])
        except FileNotFoundError:
            return ()
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise KeyFileError(f"{self.path}: not a keys file ({exc})") from None

    def keys(self) -> tuple[ApiKey, ...]:
        # A thread that finds the file due for a look waits for the one looking: until the first read has
        # finished there is no key set to answer with (a worker's first requests arrive on several threads).
        if time.monotonic() - self._checked >= 1.0:
            with self._lock:
                if time.monotonic() - self._checked >= 1.0:
                    self._look()
                    self._checked = time.monotonic()
        return self._keys

    def _look(self) -> None:
        try:
            st = self.path.stat()
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            stamp = None
        if stamp != self._stamp:
            try:
                self._keys = self._read()
                self._stamp = stamp
            except KeyFileError:
                pass  # keep the last good set rather than lock everyone out mid-edit

    def find(self, presented: str) -> ApiKey | None:
        digest = hash_key(presented)
        found = None
        for key in self.keys():  # no early exit: the time taken does not depend on which key matched
            if hmac.compare_digest(digest, key.sha256):
                found = key
        return found

    # -- writing (CLI) -------------------------------------------------------
    def _write(self, keys) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        payload = {"keys": [k.__dict__ for k in keys]}
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, indent=2)
            fh.write("\n")
        tmp.replace(self.path)
        self._checked = 0.0

    def add(self, name: str, role: str) -> str:
        """Create a key, store only its hash, and return the key (shown once)."""
        if role not in ROLES:
            raise KeyFileError(f"role must be one of {', '.join(ROLES)}")
        if not name or len(name) > 100 or not all(c.isalnum() or c in "-_." for c in name):
            raise KeyFileError("a key name is 1-100 letters, digits, '-', '_' or '.'")
        keys = self._read()
        if any(k.name == name for k in keys):
            raise KeyFileError(f"a key named {name!r} exists; revoke it first")
        key = PREFIX + secrets.token_urlsafe(32)
        created = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        self._write(keys + (ApiKey(name, role, hash_key(key), created),))
        return key

    def revoke(self, name: str) -> bool:
        keys = self._read()
        kept = tuple(k for k in keys if k.name != name)
        if len(kept) == len(keys):
            return False
        self._write(kept)
        return True

    def listing(self) -> tuple[ApiKey, ...]:
        return self._read()
