"""The answer cache: an in-process LRU (L1, private to one worker, bounded by entries and by bytes) in front
of Redis (L2, shared by workers and instances). L1 holds whatever the service gives it, under a request key
or a decision id; Redis holds an answer's bytes under its decision id, written behind the request. It knows
nothing of requests or rules.

Reading Redis must pay for itself: a round trip costs more than evaluating a typical ruleset. Because
decision ids are content-addressed, skipping the read never changes an answer, only whether it is
computed again; so single reads go to Redis while it has been finding answers, and otherwise on one
miss in PROBE_EVERY, to notice when it starts to again. Reads of many (batches, plans) always go, as one
MGET.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import metrics
from .lru import LRU
from .redis.store import RedisStore, Unavailable

HIT_L1, HIT_L2, MISS, BYPASS = "hit-l1", "hit-l2", "miss", "bypass"
PROBE_EVERY = 16  # while L2 finds nothing, read it on one miss in this many
PROBE_FLOOR = 0.05  # below this recent L2 hit rate, reads are sampled


def cache_key(decision_id: str) -> str:
    return "incentive:answer:" + decision_id


@dataclass
class CachePolicy:
    enabled: bool = True
    ttl_seconds: int = 3600
    l1_size: int = 10_000
    l1_bytes: int | None = 64 * 1024 * 1024  # what this process's answers may weigh (their .weight())


class AnswerCache:
    def __init__(self, policy: CachePolicy, store: RedisStore | None):
        self.policy = policy
        self.enabled = policy.enabled
        self.store = store if policy.enabled else None
        self.l1 = LRU(policy.l1_size, policy.ttl_seconds, max_bytes=policy.l1_bytes) if policy.enabled else None
        self._l2_hit_rate = 1.0  # optimistic: a fresh instance reads L2 until it stops paying
        self._skipped = 0

    # -- L1 -----------------------------------------------------------------
    def get(self, key, count_miss: bool = True):
        """L1's value for a request key or a decision id, or None."""
        if self.l1 is None:
            return None
        found = self.l1.get(key)
        if found is not None or count_miss:
            metrics.cache_looked_up("local", "miss" if found is None else "hit")
        return found

    def get_many(self, keys: list) -> list:
        if self.l1 is None:
            return [None] * len(keys)
        found = [self.l1.get(k) for k in keys]
        hits = sum(f is not None for f in found)
        metrics.cache_looked_up("local", "hit", hits)
        metrics.cache_looked_up("local", "miss", len(keys) - hits)
        return found

    def put(self, key, value) -> None:
        """`value` says what it weighs (`weight()`, in bytes); the same value under two keys weighs twice,
        which errs on the side of memory."""
        if self.l1 is not None:
            self.l1.put(key, value, weight=value.weight())

    # -- L2 -----------------------------------------------------------------
    def get_shared(self, decision_id: str) -> tuple[bytes | None, str]:
        """(the answer's bytes or None, and what that means: HIT_L2, MISS, or BYPASS when Redis is off, away,
        or not read this time by the sampling policy). MISS means a fresh answer should be shared."""
        if self.store is None:
            return None, BYPASS
        if not self._should_read():
            return None, MISS
        try:
            body = self.store.get(cache_key(decision_id))
        except Unavailable:
            metrics.cache_looked_up("redis", "error")
            return None, BYPASS
        self._learn(body is not None)
        metrics.cache_looked_up("redis", "miss" if body is None else "hit")
        return body, (MISS if body is None else HIT_L2)

    def get_many_shared(self, decision_ids: list[str]) -> tuple[list, str]:
        """Bytes or None per id, with one MGET (one per slot on a cluster); the status as for get_shared."""
        if not decision_ids or self.store is None:
            return [None] * len(decision_ids), BYPASS
        try:
            values = self.store.mget([cache_key(d) for d in decision_ids])
        except Unavailable:
            metrics.cache_looked_up("redis", "error", len(decision_ids))
            return [None] * len(decision_ids), BYPASS
        hits = sum(v is not None for v in values)
        metrics.cache_looked_up("redis", "hit", hits)
        metrics.cache_looked_up("redis", "miss", len(values) - hits)
        return values, MISS

    def share(self, answers: list[tuple[str, bytes]]) -> None:
        """(decision id, bytes) pairs to Redis, behind the request (never waited for)."""
        if self.store is not None and answers:
            self.store.put_later([(cache_key(did), body, self.policy.ttl_seconds) for did, body in answers])

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

    def health(self) -> str:
        if self.store is None:
            return "off" if not self.policy.enabled else "local"
        return "degraded" if self.store.degraded or not self.store.ping() else "ok"
