"""Content-addressed identity: what makes two requests "the same request".

- The request key hashes the exact body bytes, the revision and today's date (the
  as-of default): a byte-identical repeat is recognised before any parsing.
- The decision id hashes the revision, the as-of date and the validated,
  normalised request. Equivalent requests (key order, 'IMO 9074729' vs '9074729')
  get the same id on every worker and instance, with or without a cache hit.
- The request hash names the normalised request alone, for logs and records.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from decimal import Decimal

import orjson

from .facts import as_of_date

# Decision ids and plan ids: 32 lower-case hex digits, anything else names nothing.
CONTENT_ID = re.compile(r"^[0-9a-f]{32}\Z")


def _number(value):
    if isinstance(value, Decimal):
        return orjson.Fragment(str(value).encode())  # a JSON number, exactly as the request schema wrote it
    raise TypeError(f"{type(value).__name__} is not part of a request")


def canonical(request: dict) -> bytes:
    """Sorted keys, no spaces, numbers in the one spelling the request schema gives them: the bytes every
    identity is hashed from, and a request a record keeps (it parses back to the same request)."""
    return orjson.dumps(request, option=orjson.OPT_SORT_KEYS, default=_number)


def request_key(revision: str, today: dt.date, body: bytes) -> bytes:
    h = hashlib.blake2b(digest_size=20)
    h.update(revision.encode())
    h.update(today.isoformat().encode())
    h.update(body)
    return b"r" + h.digest()


def decision_id(revision: str, request: dict, today: dt.date, text: bytes | None = None) -> str:
    """32 hex digits naming (revision, as-of date, normalised request); `text` is canonical(request) when
    the caller has it already."""
    h = hashlib.blake2b(digest_size=16, person=b"incentive-dec-v1")
    h.update(revision.encode())
    h.update(b"\0" + as_of_date(request, today).isoformat().encode() + b"\0")
    h.update(canonical(request) if text is None else text)
    return h.hexdigest()


def request_hash(request: dict) -> str:
    """SHA-256 of the normalised request: the same whether it came alone or in a batch."""
    return hashlib.sha256(canonical(request)).hexdigest()
