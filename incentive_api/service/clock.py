"""The one place the service reads the wall clock (dates, times, publication generations); the core is
handed dates, never reads them. Latencies are measured with a stopwatch (perf_counter) where they arise."""

from __future__ import annotations

import datetime as dt
import time


def utc_today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def utc_now_text() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def generation() -> int:
    """Nanoseconds since the epoch: a publication's generation, comparable across processes and hosts."""
    return time.time_ns()
