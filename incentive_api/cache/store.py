"""Redis as the second cache level and the home of decision records.

Redis must never be a single point of failure: every call has a short timeout,
and after a failure the store is skipped for a back-off period instead of
paying the timeout on every request; the first failure of an outage is logged
once, and so is the recovery. Writes go through a background thread so a
request never waits for them.
"""

from __future__ import annotations

import logging
import time

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from ..adapters.background import Background

log = logging.getLogger("incentive_api.cache")


class Unavailable(Exception):
    """Redis cannot be used right now (down, slow, or in back-off)."""


class RedisStore:
    def __init__(self, url: str, timeout: float = 0.05, backoff: float = 1.0, queue_size: int = 20_000):
        self.url = url
        self.timeout, self.backoff = timeout, backoff
        self.client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0), retry_on_error=[], health_check_interval=0)
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
        if not self._outage:
            self._outage = True
            log.warning("redis unavailable (%s: %s); answering without it, retrying every %.1fs",
                        type(exc).__name__, exc, self.backoff)
        raise Unavailable(str(exc)) from None

    def _ok(self):
        if self._outage:
            self._outage = False
            log.warning("redis reachable again")

    def _run(self, fn, *args):
        self._guard()
        try:
            result = fn(*args)
        except (redis.RedisError, OSError) as exc:
            self._failed(exc)
        self._ok()
        return result

    def ping(self) -> bool:
        try:
            return bool(self._run(self.client.ping))
        except Unavailable:
            return False

    # -- reads --------------------------------------------------------------
    def get(self, key: str) -> bytes | None:
        return self._run(self.client.get, key)

    def set(self, key: str, value: bytes | str) -> None:
        self._run(self.client.set, key, value)

    def mget(self, keys: list[str]) -> list:
        return self._run(self.client.mget, keys) if keys else []

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
        pipe = self.client.pipeline(transaction=False)
        for key, value, ttl in batch:
            pipe.set(key, value, ex=ttl)
        try:
            self._run(pipe.execute)
        except Unavailable:
            self._lost += len(batch)
