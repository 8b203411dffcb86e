"""The decision log: one JSON line per decision served, for billing's audit trail.

Writing it never blocks or fails a request: the request thread only enqueues;
a background thread formats and writes. When the sink falls behind and the
queue is full, lines are dropped and counted (`dropped`), never waited for.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
import time

from .background import Background


class DecisionLog:
    def __init__(self, sink: str = "off", queue_size: int = 10_000):
        self.sink = sink  # "off", "stdout", or a file path
        self.enabled = sink != "off"
        self.written = 0
        self._out = None
        self._writer = Background("decision-log", self._write, maxsize=queue_size)

    @property
    def dropped(self) -> int:
        return self._writer.dropped

    def record(self, request, answer: bytes, latency_s: float, cache: str) -> None:
        """`request` is the body's bytes, or a batch item (hashed in the background)."""
        if self.enabled:
            self._writer.put((time.time(), request, answer, latency_s, cache))

    def flush(self, timeout: float = 5.0) -> bool:
        return self._writer.flush(timeout)

    def _write(self, batch: list) -> None:
        if self._out is None:
            self._out = sys.stdout if self.sink == "stdout" else open(self.sink, "a", encoding="utf-8")  # noqa: SIM115
        self._out.write("".join(line(*item) + "\n" for item in batch))
        self._out.flush()
        self.written += len(batch)


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
