"""A bounded, expiring, in-process LRU: the first cache level, private to one worker.

Bounded by entries and, when given `max_bytes`, by the weight of what it holds (each put says it): an
answer can be a few hundred bytes or seventy kilobytes, so a count alone does not bound a worker's memory.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict


class LRU:
    def __init__(self, size: int, ttl_seconds: float, clock=time.monotonic, max_bytes: int | None = None):
        self.size, self.ttl, self.clock = size, ttl_seconds, clock
        self.max_bytes = max_bytes
        self.weight = 0  # what the entries weigh, in bytes as their puts said
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return None
            expires, value, weight = item
            if expires < self.clock():
                del self._data[key]
                self.weight -= weight
                return None
            self._data.move_to_end(key)
            return value

    def put(self, key, value, ttl: float | None = None, weight: int = 0) -> None:
        if self.size <= 0 or (self.max_bytes is not None and weight > self.max_bytes):
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self.weight -= old[2]
            self._data[key] = (self.clock() + (self.ttl if ttl is None else ttl), value, weight)
            self.weight += weight
            while len(self._data) > self.size or (self.max_bytes is not None and self.weight > self.max_bytes):
                _key, (_expires, _value, gone) = self._data.popitem(last=False)
                self.weight -= gone

    def __len__(self) -> int:
        return len(self._data)
