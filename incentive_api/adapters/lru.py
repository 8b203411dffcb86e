"""A bounded, expiring, in-process LRU: the first cache level, private to one worker."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict


class LRU:
    def __init__(self, size: int, ttl_seconds: float, clock=time.monotonic):
        self.size, self.ttl, self.clock = size, ttl_seconds, clock
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return None
            expires, value = item
            if expires < self.clock():
                del self._data[key]
                return None
            self._data.move_to_end(key)
            return value

    def put(self, key, value, ttl: float | None = None) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._data[key] = (self.clock() + (self.ttl if ttl is None else ttl), value)
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)
