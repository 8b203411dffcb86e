"""The decision log: one JSON line per decision served, for billing's audit trail.

Writing it never blocks or fails a request: the request thread only enqueues;
a background thread formats and writes. When the sink falls behind and the
queue is full, lines are dropped and counted (`dropped`), never waited for.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time

from ..core.identity import request_hash
from ..core.jsonwire import loads
from ..core.request import parse_request
from ..core.whatif import outcome
from . import metrics
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
        """`request` is the body's bytes, or a validated batch item: both are hashed, in the
        background, as the normalised request, so the same request has the same hash either way."""
        if self.enabled and not self._writer.put((time.time(), request, answer, latency_s, cache)):
            metrics.decision_log_lines("dropped")

    def flush(self, timeout: float = 5.0) -> bool:
        return self._writer.flush(timeout)

    def _write(self, batch: list) -> None:
        if self._out is None:
            self._out = sys.stdout if self.sink == "stdout" else open(self.sink, "a", encoding="utf-8")  # noqa: SIM115
        self._out.write("".join(line(*item) + "\n" for item in batch))
        self._out.flush()
        self.written += len(batch)
        metrics.decision_log_lines("written", len(batch))


def line(at: float, request, answer: bytes, latency_s: float, cache: str) -> str:
    if isinstance(request, bytes):  # already answered, so it parses and validates
        request = parse_request(loads(request))
    decision = json.loads(answer)
    return json.dumps({
        "decision_id": decision["decision_id"],
        "time": dt.datetime.fromtimestamp(at, dt.timezone.utc).isoformat(timespec="milliseconds"),
        "revision": decision["ruleset"]["revision"],
        "request_hash": request_hash(request),
        "programs": [outcome(p, named=True) for p in decision["programs"]],
        "latency_ms": round(latency_s * 1000, 3),
        "cache": cache,
    }, separators=(",", ":"))
