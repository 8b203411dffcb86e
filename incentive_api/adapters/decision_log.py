"""The decision log: one JSON line per decision served, for billing's audit trail.

Writing it never blocks or fails a request: the request thread only enqueues;
a background thread formats and writes. When the sink falls behind and the
queue is full, lines are dropped and counted (`dropped`), never waited for.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import queue
import sys
import threading
import time


class DecisionLog:
    def __init__(self, sink: str = "off", queue_size: int = 10_000):
        self.sink = sink  # "off", "stdout", or a file path
        self.enabled = sink != "off"
        self.dropped = 0
        self.written = 0
        self._queue: queue.Queue = queue.Queue(maxsize=queue_size)
        self._pid = None
        self._lock = threading.Lock()

    def record(self, request, answer: bytes, latency_s: float, cache: str) -> None:
        """`request` is the body's bytes, or a batch item (hashed in the background)."""
        if not self.enabled:
            return
        self._ensure_writer()
        try:
            self._queue.put_nowait((time.time(), request, answer, latency_s, cache))
        except queue.Full:
            self.dropped += 1

    def flush(self, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.002)
        return not self._queue.unfinished_tasks

    def _ensure_writer(self):
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid != os.getpid():  # threads do not survive gunicorn's fork
                self._queue = queue.Queue(maxsize=self._queue.maxsize)
                threading.Thread(target=self._loop, name="decision-log", daemon=True).start()
                self._pid = os.getpid()

    def _open(self):
        if self.sink == "stdout":
            return sys.stdout
        return open(self.sink, "a", encoding="utf-8", buffering=1)

    def _loop(self):
        out = self._open()
        while True:
            item = self._queue.get()
            try:
                out.write(line(*item) + "\n")
                if self._queue.empty():
                    out.flush()
                self.written += 1
            except Exception:  # a broken sink loses lines, never requests
                self.dropped += 1
            finally:
                self._queue.task_done()


def line(at: float, request, answer: bytes, latency_s: float, cache: str) -> str:
    if not isinstance(request, bytes):
        request = json.dumps(request, sort_keys=True, separators=(",", ":"), default=str).encode()
    decision = json.loads(answer)
    programs = []
    for p in decision["programs"]:
        total = p.get("total")
        programs.append({"program": p["program"], "edition": p["edition"], "status": p["status"],
                         "level": p["level"], "amount": total["amount"] if total else None,
                         "currency": total["currency"] if total else None})
    return json.dumps({
        "decision_id": decision["decision_id"],
        "time": dt.datetime.fromtimestamp(at, dt.timezone.utc).isoformat(timespec="milliseconds"),
        "revision": decision["ruleset"]["revision"],
        "request_hash": hashlib.sha256(request).hexdigest(),
        "programs": programs,
        "latency_ms": round(latency_s * 1000, 3),
        "cache": cache,
    }, separators=(",", ":"))
