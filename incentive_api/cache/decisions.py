"""Decisions with two cache levels and durable records.

Order of work for one request: the raw key (exact bytes) in L1, before any
parsing; then validation, the canonical key in L1 and in Redis (L2); only then
evaluation. A fresh decision goes to L1 at once and to Redis (cache entry and
decision record) through the background writer.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from ..core.engine import decide
from ..core.request import parse_request
from ..core.ruleset import Ruleset
from .keys import canonical_key, raw_key, record_key
from .lru import LRU
from .store import RedisStore, Unavailable

HIT_L1, HIT_L2, MISS, BYPASS = "hit-l1", "hit-l2", "miss", "bypass"


class NotKept(Exception):
    """This service is configured to keep no decision records."""


def dumps(decision: dict) -> bytes:
    return json.dumps(decision, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass
class CachePolicy:
    enabled: bool = True
    ttl_seconds: int = 3600
    l1_size: int = 10_000
    retention_days: int = 400


class Decisions:
    def __init__(self, policy: CachePolicy, store: RedisStore | None):
        self.policy = policy
        self.store = store if policy.enabled else None
        self.l1 = LRU(policy.l1_size, policy.ttl_seconds) if policy.enabled else None

    # -- one request --------------------------------------------------------
    def cached_raw(self, ruleset: Ruleset, today: dt.date, body: bytes) -> bytes | None:
        if self.l1 is None:
            return None
        return self.l1.get(raw_key(ruleset.revision, today, body))

    def decide_one(self, ruleset: Ruleset, today: dt.date, body: bytes, parsed) -> tuple[bytes, str]:
        """Validate (raises InvalidRequest), then answer from L1, L2 or evaluation."""
        request = parse_request(parsed)
        if self.l1 is None:
            return dumps(decide(ruleset, request, today=today)), BYPASS
        out, status = self._answer(ruleset, today, request)
        self.l1.put(raw_key(ruleset.revision, today, body), out)
        return out, status

    def _answer(self, ruleset, today, request) -> tuple[bytes, str]:
        key = canonical_key(ruleset.revision, request, _as_of(request, today))
        found = self.l1.get(key)
        if found is not None:
            return found, HIT_L1
        status = BYPASS
        if self.store is not None:
            try:
                found = self.store.get(key)
                status = MISS
            except Unavailable:
                found = None
            if found is not None:
                self.l1.put(key, found)
                return found, HIT_L2
        decision = decide(ruleset, request, today=today)
        out = dumps(decision)
        self.l1.put(key, out)
        self._remember([(key, decision["decision_id"], out)])
        return out, status

    # -- batches ------------------------------------------------------------
    def decide_many(self, ruleset: Ruleset, today: dt.date, requests: list) -> list[tuple[bytes, str]]:
        """`requests` are validated requests; one MGET for all L1 misses, one pipelined write."""
        if self.l1 is None:
            return [(dumps(decide(ruleset, r, today=today)), BYPASS) for r in requests]
        keys = [canonical_key(ruleset.revision, r, _as_of(r, today)) for r in requests]
        results: list = [None] * len(requests)
        pending = []
        for i, key in enumerate(keys):
            found = self.l1.get(key)
            if found is not None:
                results[i] = (found, HIT_L1)
            else:
                pending.append(i)
        status = BYPASS
        if pending and self.store is not None:
            try:
                values = self.store.mget([keys[i] for i in pending])
                status = MISS
                still = []
                for i, value in zip(pending, values):
                    if value is None:
                        still.append(i)
                    else:
                        results[i] = (value, HIT_L2)
                        self.l1.put(keys[i], value)
                pending = still
            except Unavailable:
                pass
        fresh = []
        for i in pending:
            decision = decide(ruleset, requests[i], today=today)
            out = dumps(decision)
            self.l1.put(keys[i], out)
            fresh.append((keys[i], decision["decision_id"], out))
            results[i] = (out, status)
        self._remember(fresh)
        return results

    # -- records ------------------------------------------------------------
    def _remember(self, fresh: list) -> None:
        if self.store is None or not fresh:
            return
        ttl, keep = self.policy.ttl_seconds, self.policy.retention_days * 86400
        writes = []
        for key, decision_id, out in fresh:
            writes.append((key, out, ttl))
            writes.append((record_key(decision_id), out, keep))
        self.store.put_later(writes)

    def record(self, decision_id: str) -> bytes | None:
        """A past decision, verbatim; raises NotKept when this service keeps none, Unavailable when
        Redis cannot be asked right now."""
        if self.store is None:
            raise NotKept("decision records need Redis, and the cache is off")
        return self.store.get(record_key(decision_id))

    def health(self) -> str:
        if self.store is None:
            return "off" if not self.policy.enabled else "local"
        return "degraded" if self.store.degraded or not self.store.ping() else "ok"


def _as_of(request: dict, today: dt.date) -> dt.date:
    call = request.get("call")
    return (call and call.get("arrival")) or today
