"""The decision log: one JSON line per decision served, a stream for log shippers (the audit trail billing
reads back is the decision records: adapters/records/).

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

    def record(self, served, latency_s: float) -> None:
        """`served`: an answer as the deciding service sends it (its decision, its normalised request's
        canonical bytes, where it came from); the line is made in the background."""
        if self.enabled and not self._writer.put((time.time(), served, latency_s)):
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


def line(at: float, served, latency_s: float) -> str:
    decision = served.decision
    return json.dumps({
        "decision_id": decision.decision_id,
        "time": dt.datetime.fromtimestamp(at, dt.timezone.utc).isoformat(timespec="milliseconds"),
        "revision": decision.revision,
        # SHA-256 of the normalised request (core.identity.request_hash): the same alone or in a batch.
        "request_hash": hashlib.sha256(served.request).hexdigest(),
        "programs": [outcome(p, named=True) for p in decision.programs],
        "latency_ms": round(latency_s * 1000, 3),
        "cache": served.cache,
    }, separators=(",", ":"))
