"""Cache keys and decision ids. Both carry the ruleset revision, so a new revision never meets an old answer.

- The raw key hashes the exact request bytes and today's date (the as-of default):
  a byte-identical repeat is found before any parsing or validation.
- The decision id hashes the revision, the as-of date and the validated, normalised
  request. Equivalent requests (key order, 'IMO 9074729' vs '9074729') therefore get
  the same decision id on every worker and instance, with or without a cache hit,
  and the id is also the key of the decision's record in Redis.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import orjson

from ..core.facts import as_of_date


def raw_key(revision: str, today: dt.date, body: bytes) -> bytes:
    h = hashlib.blake2b(digest_size=20)
    h.update(revision.encode())
    h.update(today.isoformat().encode())
    h.update(body)
    return b"r" + h.digest()


def decision_id(revision: str, request: dict, today: dt.date) -> str:
    """32 hex digits naming (revision, as-of date, normalised request)."""
    as_of = as_of_date(request, today)
    # Sorted keys, no spaces, Decimals as their text: the same bytes json.dumps(sort_keys=True) gives.
    text = orjson.dumps(request, option=orjson.OPT_SORT_KEYS, default=str)
    h = hashlib.blake2b(digest_size=16, person=b"incentive-dec-v1")
    h.update(revision.encode())
    h.update(b"\0" + as_of.isoformat().encode() + b"\0")
    h.update(text)
    return h.hexdigest()


def record_key(decision_id: str) -> str:
    return "incentive:decision:" + decision_id
