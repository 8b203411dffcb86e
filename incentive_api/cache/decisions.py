"""Decisions with two cache levels and durable records.

Order of work for one request: the raw key (exact bytes) in L1, before any
parsing; then validation and the decision id, which is also the L1 key and the
Redis key of the decision's record (L2); only then evaluation. A fresh decision
goes to L1 at once and to Redis through the background writer.

Reading Redis must pay for itself: a round trip costs more than evaluating a
typical ruleset. Because decision ids are content-addressed, skipping the read
never changes an answer, only whether it is computed again; so single requests
read L2 while it has been finding answers, and otherwise only one miss in 16, to
notice when it starts to again. Batches always read, with one MGET.
"""

from __future__ import annotations

import datetime as dt
import orjson
from dataclasses import dataclass

from ..core.engine import decide
from ..core.identity import decision_id, request_key
from ..core.jsonwire import loads
from ..core.request import parse_request
from ..core.ruleset import Ruleset
from .lru import LRU
from .store import RedisStore, Unavailable

HIT_L1, HIT_L2, MISS, BYPASS = "hit-l1", "hit-l2", "miss", "bypass"
PROBE_EVERY = 16  # while L2 finds nothing, read it on one miss in this many
PROBE_FLOOR = 0.05  # below this recent L2 hit rate, reads are sampled


def record_key(decision_id: str) -> str:
    return "incentive:decision:" + decision_id


class NotKept(Exception):
    """This service is configured to keep no decision records."""


def dumps(decision: dict) -> bytes:
    # orjson gives the same bytes as json.dumps(ensure_ascii=False, separators=(",", ":")), 7x faster.
    return orjson.dumps(decision)


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
        self._l2_hit_rate = 1.0  # optimistic: a fresh instance reads L2 until it stops paying
        self._skipped = 0

    # -- one request --------------------------------------------------------
    def answer(self, ruleset: Ruleset, today: dt.date, body: bytes) -> tuple[bytes, str]:
        """The answer to one request body. Bad JSON raises MalformedJson, invalid fields InvalidRequest;
        a byte-identical repeat is answered before either is checked."""
        key = None
        if self.l1 is not None:
            key = request_key(ruleset.revision, today, body)
            found = self.l1.get(key)
            if found is not None:
                return found, HIT_L1
        request = parse_request(loads(body))
        if self.l1 is None:
            did = decision_id(ruleset.revision, request, today)
            return dumps(decide(ruleset, request, today=today, decision_id=did)), BYPASS
        out, status = self._answer(ruleset, today, request)
        self.l1.put(key, out)
        return out, status

    def _answer(self, ruleset, today, request) -> tuple[bytes, str]:
        did = decision_id(ruleset.revision, request, today)
        found = self.l1.get(did)
        if found is not None:
            return found, HIT_L1
        status = BYPASS
        if self.store is not None:
            status = MISS
            if self._should_read():
                try:
                    found = self.store.get(record_key(did))
                except Unavailable:
                    status = BYPASS
                else:
                    self._learn(found is not None)
                    if found is not None:
                        self.l1.put(did, found)
                        return found, HIT_L2
        out = dumps(decide(ruleset, request, today=today, decision_id=did))
        self.l1.put(did, out)
        if status == MISS:
            self._remember([(did, out)])
        return out, status

    def _should_read(self) -> bool:
        if self._l2_hit_rate >= PROBE_FLOOR:
            return True
        self._skipped += 1
        if self._skipped >= PROBE_EVERY:
            self._skipped = 0
            return True
        return False

    def _learn(self, hit: bool) -> None:
        self._l2_hit_rate = self._l2_hit_rate * 0.9 + (0.1 if hit else 0.0)

    # -- batches ------------------------------------------------------------
    def decide_many(self, ruleset: Ruleset, today: dt.date, requests: list) -> list:
        """`requests` are validated requests. Each result is (answer, cache status), or the
        exception of an item that could not be decided (InvalidRequest for an unknown program id): one item never
        fails the others, and every answer served is recorded. One MGET, one pipelined write."""
        ids = [decision_id(ruleset.revision, r, today) for r in requests]
        results: list = [None] * len(requests)
        pending = list(range(len(requests)))
        if self.l1 is not None:
            pending = []
            for i, did in enumerate(ids):
                found = self.l1.get(did)
                if found is not None:
                    results[i] = (found, HIT_L1)
                else:
                    pending.append(i)
        status = BYPASS
        if pending and self.store is not None:
            try:
                values = self.store.mget([record_key(ids[i]) for i in pending])
                status = MISS
                still = []
                for i, value in zip(pending, values):
                    if value is None:
                        still.append(i)
                    else:
                        results[i] = (value, HIT_L2)
                        self.l1.put(ids[i], value)
                pending = still
            except Unavailable:
                pass
        fresh = []
        for i in pending:
            try:
                out = dumps(decide(ruleset, requests[i], today=today, decision_id=ids[i]))
            except Exception as refused:  # noqa: BLE001  an unknown program id, or a fault: this item alone
                results[i] = refused
                continue
            if self.l1 is not None:
                self.l1.put(ids[i], out)
            fresh.append((ids[i], out))
            results[i] = (out, status)
        if status == MISS:
            self._remember(fresh)
        return results

    # -- records ------------------------------------------------------------
    def _remember(self, fresh: list) -> None:
        """Each fresh decision is written once: its record is also its L2 cache entry."""
        if self.store is None or not fresh:
            return
        keep = self.policy.retention_days * 86400
        self.store.put_later([(record_key(did), out, keep) for did, out in fresh])

    def record(self, did: str) -> bytes | None:
        """A past decision, verbatim; raises NotKept when this service keeps none, Unavailable when
        Redis cannot be asked right now."""
        if self.store is None:
            raise NotKept("decision records need Redis, and the cache is off")
        return self.store.get(record_key(did))

    def health(self) -> str:
        if self.store is None:
            return "off" if not self.policy.enabled else "local"
        return "degraded" if self.store.degraded or not self.store.ping() else "ok"
