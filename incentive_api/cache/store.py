"""Redis as the second cache level and the home of decision records.

Redis must never be a single point of failure: every call has a short timeout,
and after a failure the store is skipped for a back-off period instead of
paying the timeout on every request; the first failure of an outage is logged
once, and so is the recovery. Writes go through a background thread so a
request never waits for them.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

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
        self.dropped = 0  # writes lost to a full queue or an outage
        self._queue: queue.Queue = queue.Queue(maxsize=queue_size)
        self._writer_pid = None
        self._writer_lock = threading.Lock()

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

    def mget(self, keys: list[str]) -> list:
        return self._run(self.client.mget, keys) if keys else []

    # -- writes (behind) ----------------------------------------------------
    def put_later(self, items: list[tuple[str, bytes, int]]) -> None:
        """Queue (key, value, ttl_seconds) writes; never blocks, drops (and counts) when it cannot keep up."""
        self._ensure_writer()
        for item in items:
            try:
                self._queue.put_nowait(item)
            except queue.Full:
                self.dropped += 1

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until queued writes are done (tests and shutdown)."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.002)
        return not self._queue.unfinished_tasks

    def _ensure_writer(self):
        # Threads do not survive gunicorn's fork: each process starts its own writer.
        if self._writer_pid == os.getpid():
            return
        with self._writer_lock:
            if self._writer_pid != os.getpid():
                self._queue = queue.Queue(maxsize=self._queue.maxsize)
                threading.Thread(target=self._write_loop, name="redis-writer", daemon=True).start()
                self._writer_pid = os.getpid()

    def _write_loop(self):
        q = self._queue
        while True:
            batch = [q.get()]
            # Let a few more arrive: one pipeline for many decisions costs the request threads
            # far less interpreter time than one per decision.
            time.sleep(0.005)
            while len(batch) < 1000:
                try:
                    batch.append(q.get_nowait())
                except queue.Empty:
                    break
            try:
                pipe = self.client.pipeline(transaction=False)
                for key, value, ttl in batch:
                    pipe.set(key, value, ex=ttl)
                self._run(pipe.execute)
            except Unavailable:
                self.dropped += len(batch)
            except Exception:  # the writer must outlive any surprise
                log.exception("redis writer failed")
                self.dropped += len(batch)
            finally:
                for _ in batch:
                    q.task_done()
