"""python -m incentive_api receipts rotate|verify: the keys that sign answers, and checking a saved answer."""

from __future__ import annotations

import json
import sys
import urllib.request
from pathlib import Path

# cryptography is imported by the commands that use it, not by every command line's start-up.

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
FETCH_TIMEOUT_SECONDS = 10


def _keys_file(args) -> Path:
    from ..config import Settings
    return Path(args.file) if args.file else Settings().receipt_keys_file


def cmd_rotate(args) -> int:
    from ..adapters.receipts import ReceiptKeyError, rotate_keys_file
    path = _keys_file(args)
    try:
        ring = rotate_keys_file(path)
    except ReceiptKeyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    retired = len(ring.keys) - 1
    print(f"current key {ring.current.kid}; {retired} retired key(s) kept to verify older receipts ({path})")
    print("running services sign with it within a second", file=sys.stderr)
    return EXIT_OK


def receipt_from_headers(text: str) -> str | None:
    """The last X-Receipt in a header dump (curl -D): after redirects, the final answer's."""
    from ..adapters.receipts import HEADER
    found = None
    for line in text.splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip().lower() == HEADER.lower():
            found = value.strip()
    return found


def _public_keys(args):
    from ..adapters.receipts import public_keys_from_jwks, read_keys_file
    if not args.keys:
        return read_keys_file(_keys_file(args)).public_keys()
    if args.keys.startswith(("http://", "https://")):
        with urllib.request.urlopen(args.keys, timeout=FETCH_TIMEOUT_SECONDS) as answer:
            return public_keys_from_jwks(json.loads(answer.read()), args.keys)
    return public_keys_from_jwks(json.loads(Path(args.keys).read_text(encoding="utf-8")), args.keys)


def cmd_verify(args) -> int:
    from ..adapters.receipts import HEADER, ReceiptError, ReceiptKeyError, verify_receipt
    try:
        body = Path(args.answer).read_bytes()
        receipt = args.receipt
        if receipt is None:
            receipt = receipt_from_headers(Path(args.headers).read_text(encoding="latin-1"))
            if receipt is None:
                print(f"invalid: no {HEADER} header in {args.headers}: the answer is not signed")
                return EXIT_FAIL
        keys = _public_keys(args)
    except OSError as exc:
        print(f"error: {exc.filename or args.keys}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except ValueError as exc:
        print(f"error: {args.keys}: not JSON ({exc})", file=sys.stderr)
        return EXIT_USAGE
    except ReceiptKeyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        kid = verify_receipt(body, receipt, keys)
    except ReceiptError as exc:
        print(f"invalid: {exc}")
        return EXIT_FAIL
    print(f"valid: signed by {kid}")
    return EXIT_OK


def add_receipts_parser(sub) -> None:
    receipts = sub.add_parser("receipts", help="signed receipts: rotate the signing key, verify a saved answer")
    commands = receipts.add_subparsers(dest="receipts_command", required=True)
    file_help = "receipt keys file (default: $RECEIPT_KEYS_FILE or run/receipt-keys.json)"
    rotate = commands.add_parser("rotate", help="make a new current key; older keys keep their public halves")
    rotate.add_argument("--file", help=file_help)
    rotate.set_defaults(func=cmd_rotate)
    verify = commands.add_parser("verify", help="check an answer's bytes against its X-Receipt; exit 1 if not valid")
    verify.add_argument("answer", metavar="FILE", help="the answer body exactly as received (curl -o FILE)")
    given = verify.add_mutually_exclusive_group(required=True)
    given.add_argument("--receipt", help="the X-Receipt value: 'kid=...; alg=Ed25519; sig=...'")
    given.add_argument("--headers", help="a saved header dump holding X-Receipt (curl -D FILE)")
    verify.add_argument("--keys", help="a JWK Set file or URL (GET /v1/receipts/keys); default: the keys file")
    verify.add_argument("--file", help=file_help)
    verify.set_defaults(func=cmd_verify)
