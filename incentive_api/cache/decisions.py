"""Decisions with two cache levels.

Order of work for one request: the raw key (exact bytes) in L1, before any
parsing; then validation and the decision id, which is also the L1 key and the
Redis key of the cached answer (L2); only then evaluation. A fresh decision goes
to L1 at once and to Redis through the background writer. Redis is a cache here
and nothing more: decision records live in the records database.

Reading Redis must pay for itself: a round trip costs more than evaluating a
typical ruleset. Because decision ids are content-addressed, skipping the read
never changes an answer, only whether it is computed again; so single requests
read L2 while it has been finding answers, and otherwise only one miss in 16, to
notice when it starts to again. Batches always read, with one MGET.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import orjson

from ..adapters import metrics
from ..core.engine import decide
from ..core.identity import canonical, decision_id, request_key
from ..core.jsonwire import loads
from ..core.request import parse_request
from ..core.ruleset import Ruleset
from .lru import LRU
from .store import RedisStore, Unavailable

HIT_L1, HIT_L2, MISS, BYPASS = "hit-l1", "hit-l2", "miss", "bypass"
PROBE_EVERY = 16  # while L2 finds nothing, read it on one miss in this many
PROBE_FLOOR = 0.05  # below this recent L2 hit rate, reads are sampled


def cache_key(decision_id: str) -> str:
    return "incentive:answer:" + decision_id


def dumps(decision: dict) -> bytes:
    # orjson gives the same bytes as json.dumps(ensure_ascii=False, separators=(",", ":")), 7x faster.
    return orjson.dumps(decision)


def _outcomes(decision: dict) -> tuple:
    return tuple((p["program"], p.get("edition") or "", p["status"]) for p in decision["programs"])


def evaluated(ruleset: Ruleset, request, today: dt.date, did: str, text: bytes, cache: str) -> "Served":
    decision = decide(ruleset, request, today=today, decision_id=did)
    return Served(dumps(decision), did, text, cache, _outcomes(decision))


@dataclass(frozen=True, slots=True)
class Served:
    """An answer and what its record needs: the decision id and the normalised request."""
    body: bytes
    decision_id: str
    request: bytes  # canonical JSON of the normalised request
    cache: str = BYPASS
    known: tuple | None = None  # (program, edition, status) per program, when evaluated here

    def via(self, cache: str) -> "Served":
        return Served(self.body, self.decision_id, self.request, cache, self.known)

    def outcomes(self) -> tuple:
        """(program, edition, status) per program, what /metrics counts: an answer from Redis is read for
        them only when asked, so with METRICS=off a hit costs no parse."""
        return self.known if self.known is not None else _outcomes(orjson.loads(self.body))


@dataclass
class CachePolicy:
    enabled: bool = True
    ttl_seconds: int = 3600
    l1_size: int = 10_000


class Decisions:
    def __init__(self, policy: CachePolicy, store: RedisStore | None):
        self.policy = policy
        self.store = store if policy.enabled else None
        self.l1 = LRU(policy.l1_size, policy.ttl_seconds) if policy.enabled else None
        self._l2_hit_rate = 1.0  # optimistic: a fresh instance reads L2 until it stops paying
        self._skipped = 0

    # -- one request --------------------------------------------------------
    def answer(self, ruleset: Ruleset, today: dt.date, body: bytes) -> Served:
        """The answer to one request body. Bad JSON raises MalformedJson, invalid fields InvalidRequest;
        a byte-identical repeat is answered before either is checked."""
        key = None
        if self.l1 is not None:
            key = request_key(ruleset.revision, today, body)
            found = self.l1.get(key)
            if found is not None:
                metrics.cache_looked_up("local", "hit")
                return found.via(HIT_L1)
        request = parse_request(loads(body))
        text = canonical(request)
        did = decision_id(ruleset.revision, request, today, text)
        if self.l1 is None:
            return evaluated(ruleset, request, today, did, text, BYPASS)
        served = self._answer(ruleset, today, request, did, text)
        self.l1.put(key, served)
        return served

    def _answer(self, ruleset, today, request, did: str, text: bytes) -> Served:
        found = self.l1.get(did)
        metrics.cache_looked_up("local", "miss" if found is None else "hit")
        if found is not None:
            return found.via(HIT_L1)
        status = BYPASS
        if self.store is not None:
            status = MISS
            if self._should_read():
                try:
                    body = self.store.get(cache_key(did))
                except Unavailable:
                    status = BYPASS
                    metrics.cache_looked_up("redis", "error")
                else:
                    self._learn(body is not None)
                    metrics.cache_looked_up("redis", "miss" if body is None else "hit")
                    if body is not None:
                        served = Served(body, did, text, HIT_L2)
                        self.l1.put(did, served)
                        return served
        served = evaluated(ruleset, request, today, did, text, status)
        self.l1.put(did, served)
        if status == MISS:
            self._remember([served])
        return served

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
        """`requests` are validated requests. Each result is a Served answer, or the exception of an item
        that could not be decided (InvalidRequest for an unknown program id): one item never fails the
        others. One MGET for what L1 lacks, one pipelined write for what is new."""
        texts = [canonical(r) for r in requests]
        ids = [decision_id(ruleset.revision, r, today, t) for r, t in zip(requests, texts)]
        results: list = [None] * len(requests)
        pending = list(range(len(requests)))
        if self.l1 is not None:
            pending = []
            for i, did in enumerate(ids):
                found = self.l1.get(did)
                if found is not None:
                    results[i] = found.via(HIT_L1)
                else:
                    pending.append(i)
            metrics.cache_looked_up("local", "hit", len(requests) - len(pending))
            metrics.cache_looked_up("local", "miss", len(pending))
        status = BYPASS
        if pending and self.store is not None:
            try:
                values = self.store.mget([cache_key(ids[i]) for i in pending])
                status = MISS
                still = []
                for i, value in zip(pending, values):
                    if value is None:
                        still.append(i)
                    else:
                        results[i] = Served(value, ids[i], texts[i], HIT_L2)
                        self.l1.put(ids[i], results[i])
                metrics.cache_looked_up("redis", "hit", len(pending) - len(still))
                metrics.cache_looked_up("redis", "miss", len(still))
                pending = still
            except Unavailable:
                metrics.cache_looked_up("redis", "error", len(pending))
        fresh = []
        for i in pending:
            try:
                results[i] = evaluated(ruleset, requests[i], today, ids[i], texts[i], status)
            except Exception as refused:  # noqa: BLE001  an unknown program id, or a fault: this item alone
                results[i] = refused
                continue
            if self.l1 is not None:
                self.l1.put(ids[i], results[i])
            fresh.append(results[i])
        if status == MISS:
            self._remember(fresh)
        return results

    def _remember(self, fresh: list[Served]) -> None:
        if self.store is not None and fresh:
            self.store.put_later([(cache_key(s.decision_id), s.body, self.policy.ttl_seconds) for s in fresh])

    def health(self) -> str:
        if self.store is None:
            return "off" if not self.policy.enabled else "local"
        return "degraded" if self.store.degraded or not self.store.ping() else "ok"
