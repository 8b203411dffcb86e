"""Cache keys. Both carry the ruleset revision, so a new revision never meets an old answer.

- The raw key hashes the exact request bytes and today's date (the as-of default):
  a byte-identical repeat is found before any parsing or validation.
- The canonical key hashes the validated, normalised request with its as-of date
  resolved, so equivalent requests (key order, 'IMO 9074729' vs '9074729') share
  one entry across workers and instances.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json


def raw_key(revision: str, today: dt.date, body: bytes) -> bytes:
    h = hashlib.blake2b(digest_size=20)
    h.update(revision.encode())
    h.update(today.isoformat().encode())
    h.update(body)
    return b"r" + h.digest()


def canonical_key(revision: str, request: dict, as_of: dt.date) -> str:
    text = json.dumps(request, sort_keys=True, separators=(",", ":"), default=str)
    h = hashlib.blake2b(digest_size=20)
    h.update(revision.encode())
    h.update(as_of.isoformat().encode())
    h.update(text.encode())
    return "incentive:decision-cache:" + h.hexdigest()


def record_key(decision_id: str) -> str:
    return "incentive:decision:" + decision_id
