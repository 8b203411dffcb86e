"""A bounded queue drained by a daemon thread, in batches, without ever blocking the caller.

Each process gets its own thread on first use: threads do not survive gunicorn's fork.
When the consumer falls behind and the queue is full, items are dropped and counted.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable

log = logging.getLogger("incentive_api.background")


class Background:
    def __init__(self, name: str, handle: Callable[[list], None], maxsize: int = 10_000,
                 linger: float = 0.0, max_batch: int = 1000):
        self.name, self.handle, self.linger, self.max_batch = name, handle, linger, max_batch
        self.dropped = 0
        self._queue: queue.Queue = queue.Queue(maxsize=maxsize)
        self._pid = None
        self._lock = threading.Lock()

    def put(self, item) -> bool:
        """Queue `item`; False when the queue is full and it was dropped."""
        self._ensure_thread()
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            self.dropped += 1
            return False
        return True

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything queued so far is handled (tests and shutdown)."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.002)
        return not self._queue.unfinished_tasks

    def _ensure_thread(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid != os.getpid():
                self._queue = queue.Queue(maxsize=self._queue.maxsize)
                threading.Thread(target=self._loop, name=self.name, daemon=True).start()
                self._pid = os.getpid()

    def _loop(self) -> None:
        q = self._queue
        while True:
            batch = [q.get()]
            if self.linger:
                time.sleep(self.linger)  # let a few more arrive: one round of work for many items
            while len(batch) < self.max_batch:
                try:
                    batch.append(q.get_nowait())
                except queue.Empty:
                    break
            try:
                self.handle(batch)
            except Exception:  # the thread must outlive any surprise; the items are lost, and counted
                log.exception("%s failed", self.name)
                self.dropped += len(batch)
            finally:
                for _ in batch:
                    q.task_done()
