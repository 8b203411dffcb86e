"""Prometheus metrics: what the service counts, and the text a scrape of GET /metrics gets.

Under gunicorn every process (the master and each worker) writes its counts to memory-mapped files in
PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py puts it under RUN_DIR, empties it at start and forgets a
worker's live gauges when it exits); a scrape, in whichever worker takes it, adds every process's files
up. Without that variable (tests, the command line) the counts stay in the process.

Labels are bounded: route templates, methods, statuses, cache levels, and the program ids, editions and
statuses of the loaded rules; never a vessel, a key or a decision id. With METRICS=off every count is
skipped (switch(False)), so the request path pays nothing for them.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter as Tally

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter("incentive_http_requests_total", "HTTP requests answered, by method, route template and status.",
                   ["method", "route", "status"])
LATENCY = Histogram("incentive_http_request_duration_seconds",
                    "Seconds from a request reaching the app to its answer, by method and route template.",
                    ["method", "route"], buckets=LATENCY_BUCKETS)
DECISIONS = Counter("incentive_decisions_total",
                    "Program decisions served (one per program of each answer), by program, edition and status.",
                    ["program", "edition", "status"])
CACHE = Counter("incentive_cache_lookups_total",
                "Answer cache lookups by level (local: the in-process LRU; redis: the shared cache) and result "
                "(hit, miss, error: Redis failed or is in back-off).", ["level", "result"])
REDIS_ERRORS = Counter("incentive_redis_errors_total",
                       "Redis commands that failed or timed out; each one starts a back-off.")
REDIS_BACKOFF = Gauge("incentive_redis_backoff",
                      "1 while a live process answers without Redis after a failure, else 0.",
                      multiprocess_mode="livemax")
# Separate counters, not one with an outcome label: a journaled record is counted again when replayed.
RECORDS = {outcome: Counter(f"incentive_records_{outcome}_total", text) for outcome, text in (
    ("committed", "Decision records committed to the database."),
    ("journaled", "Decision records spooled to the local journal while the database was away."),
    ("replayed", "Journaled decision records replayed into the database."),
    ("refused", "Decision records neither the database nor the journal could keep (their answers were not sent)."))}
RULES_LOADS = Counter("incentive_rules_loads_total",
                      "Loads of the rules directory (at start, POST /v1/admin/rules/reload, SIGHUP), by result.",
                      ["result"])
RULESET_INFO = Gauge("incentive_ruleset_info", "1 for each ruleset revision a live process serves.",
                     ["revision"], multiprocess_mode="livemax")
RULESET_PUBLISHED = Gauge("incentive_ruleset_published_timestamp_seconds",
                          "When the active ruleset became active (its publication), as Unix time.",
                          multiprocess_mode="livemax")
DECISION_LOG = {fate: Counter(f"incentive_decision_log_lines_{fate}_total", text) for fate, text in (
    ("written", "Decision-log lines written."),
    ("dropped", "Decision-log lines dropped because the sink fell behind."))}
RATE_LIMITED = Counter("incentive_rate_limited_total",
                       "Requests refused with 429, by budget (requests: RATE_LIMIT or RATE_LIMIT_BATCH; wrong_keys: "
                       "AUTH_FAILURE_LIMIT).", ["budget"])

_on = True
_children: dict = {}
# prometheus_client guards its values with locks a fork would copy as held if another thread held them:
# every count takes this lock first, and a fork waits for it, so a worker never starts with one held.
_guard = threading.Lock()
os.register_at_fork(before=_guard.acquire, after_in_parent=_guard.release, after_in_child=_guard.release)


def switch(on: bool) -> None:
    global _on
    _on = on


def _child(metric, *labels):
    key = (metric, labels)
    child = _children.get(key)
    if child is None:
        child = _children[key] = metric.labels(*labels)
    return child


def request_answered(method: str, route: str | None, status: int, seconds: float) -> None:
    if not _on:
        return
    method = method if method in METHODS else "other"
    route = route or "unmatched"
    with _guard:
        _child(REQUESTS, method, route, str(status)).inc()
        _child(LATENCY, method, route).observe(seconds)


def decisions_served(outcomes) -> None:
    """`outcomes`: one (program, edition, status) per program of each answer served."""
    if not _on:
        return
    tally = Tally(outcomes)
    with _guard:
        for labels, n in tally.items():
            _child(DECISIONS, *labels).inc(n)


def cache_looked_up(level: str, result: str, n: int = 1) -> None:
    if _on and n:
        with _guard:
            _child(CACHE, level, result).inc(n)


def redis_failed(backing_off: bool) -> None:
    if _on:
        with _guard:
            REDIS_ERRORS.inc()
            REDIS_BACKOFF.set(1 if backing_off else 0)


def redis_back() -> None:
    if _on:
        with _guard:
            REDIS_BACKOFF.set(0)


def records(outcome: str, n: int) -> None:
    """`n` decision records `outcome`: committed, journaled, replayed or refused."""
    if _on and n:
        with _guard:
            RECORDS[outcome].inc(n)


def decision_log_lines(fate: str, n: int = 1) -> None:
    """`n` decision-log lines written or dropped."""
    if _on and n:
        with _guard:
            DECISION_LOG[fate].inc(n)


def rules_loaded(ok: bool) -> None:
    if _on:
        with _guard:
            _child(RULES_LOADS, "succeeded" if ok else "failed").inc()


_serving: list = []  # the revision this process's info gauge says it serves


def ruleset_active(revision: str) -> None:
    """This process now serves `revision`: the info gauge moves to it, and the publication time is now."""
    if not _on:
        return
    with _guard:
        for old in _serving:
            if old != revision:
                _child(RULESET_INFO, old).set(0)
        _serving[:] = [revision]
        _child(RULESET_INFO, revision).set(1)
        RULESET_PUBLISHED.set(time.time())


def rate_limited(budget: str) -> None:
    if _on:
        with _guard:
            _child(RATE_LIMITED, budget).inc()


class _WithAge:
    """The counts, and the ruleset's age computed at the scrape from the latest publication time."""

    def __init__(self, source):
        self.source = source

    def collect(self):
        for family in self.source.collect():
            yield family
            if family.name == RULESET_PUBLISHED._name and family.samples:
                published = max(s.value for s in family.samples)
                if published > 0:
                    age = GaugeMetricFamily("incentive_ruleset_age_seconds",
                                            "Seconds since the active ruleset became active.")
                    age.add_metric([], max(0.0, time.time() - published))
                    yield age


def exposition() -> tuple[bytes, str]:
    """The Prometheus text of every process's counts (or this process's, outside gunicorn), and its type."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry.register(_WithAge(multiprocess.MultiProcessCollector(None)))
    else:
        registry.register(_WithAge(REGISTRY))
    return generate_latest(registry), CONTENT_TYPE_LATEST


def forget_process(pid: int) -> None:
    """A gunicorn worker exited: its live gauges leave the sums (its counters stay counted)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(pid)
