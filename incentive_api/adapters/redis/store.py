"""Redis as the second cache level, and where rules are published to every instance.

Redis must never be a single point of failure: every call has a short timeout,
and after a failure the store is skipped for a back-off period instead of
paying the timeout on every request; the first failure of an outage is logged
once, and so is the recovery. Writes go through a background thread so a
request never waits for them.
"""

from __future__ import annotations

import logging
import time

from .. import metrics
from ..background import Background
from .connect import REDIS_ERRORS, redis_client

log = logging.getLogger("incentive_api.cache")


class Unavailable(Exception):
    """Redis cannot be used right now (down, slow, or in back-off)."""


class RedisStore:
    def __init__(self, url: str, timeout: float = 0.05, backoff: float = 1.0, queue_size: int = 20_000):
        self.url = url
        self.timeout, self.backoff = timeout, backoff
        self.client = redis_client(url, timeout)  # one server, a cluster or a sentinel-managed primary
        self._down_until = 0.0
        self._outage = False
        self._lost = 0  # writes lost to an outage
        # One pipeline for many decisions costs the request threads far less interpreter time than one each.
        self._writer = Background("redis-writer", self._write, maxsize=queue_size, linger=0.005)

    # -- health -------------------------------------------------------------
    @property
    def degraded(self) -> bool:
        return self._outage

    def _guard(self):
        if time.monotonic() < self._down_until:
            raise Unavailable("in back-off after a failure")

    def _failed(self, exc: Exception):
        self._down_until = time.monotonic() + self.backoff
        metrics.redis_failed(backing_off=True)
        if not self._outage:
            self._outage = True
            log.warning("redis unavailable (%s: %s); answering without it, retrying every %.1fs",
                        type(exc).__name__, exc, self.backoff)
        raise Unavailable(str(exc)) from None

    def _ok(self):
        if self._outage:
            self._outage = False
            metrics.redis_back()
            log.warning("redis reachable again")

    def _run(self, operation):
        """operation(client)'s result; Unavailable when Redis fails it or is in back-off."""
        self._guard()
        try:
            result = operation(self.client)
        except REDIS_ERRORS as exc:
            self._failed(exc)
        self._ok()
        return result

    def ping(self) -> bool:
        try:
            return bool(self._run(lambda c: c.ping()))
        except Unavailable:
            return False

    # -- reads --------------------------------------------------------------
    def get(self, key: str) -> bytes | None:
        return self._run(lambda c: c.get(key))

    def set(self, key: str, value: bytes | str) -> None:
        self._run(lambda c: c.set(key, value))

    def expire(self, key: str, seconds: int) -> None:
        self._run(lambda c: c.expire(key, seconds))

    def mget(self, keys: list[str]) -> list:
        # On a cluster, keys in different slots are read with one MGET per slot (see LazyCluster).
        return self._run(lambda c: c.mget(keys)) if keys else []

    # -- writes (behind) ----------------------------------------------------
    def put_later(self, items: list[tuple[str, bytes, int]]) -> None:
        """Queue (key, value, ttl_seconds) writes; never blocks, drops (and counts) when it cannot keep up."""
        for item in items:
            self._writer.put(item)

    @property
    def dropped(self) -> int:
        return self._writer.dropped + self._lost

    def flush(self, timeout: float = 5.0) -> bool:
        return self._writer.flush(timeout)

    def _write(self, batch: list) -> None:
        def write(client):
            # No transaction: the keys lie in many slots, and each SET stands alone.
            pipe = client.pipeline(transaction=False)
            for key, value, ttl in batch:
                pipe.set(key, value, ex=ttl)
            return pipe.execute()
        try:
            self._run(write)
        except Unavailable:
            self._lost += len(batch)
