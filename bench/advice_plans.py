"""Part g: what advice and voyage plans cost, in process, as ratios measured in the same run.

- g(1): a decision with advice against the same decision without it (parse and decide, best of 3 each),
  per request over the first 500 requests of the fleet: target median <= 4x; the distribution is shown.
- g(2): a 52-call plan with advice against 52 single decisions with advice, through the same use cases the
  API calls (no cache, records off): target <= 1.5x; without advice is shown too.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time

import orjson

from incentive_api.core.advice import attach
from incentive_api.core.engine import decide
from incentive_api.core.request import parse_request
from incentive_api.service.container import offline_deciding

from .common import Report

TARGET_ADVICE = 4.0
TARGET_PLAN = 1.5
TODAY = dt.date(2026, 1, 1)
PORTS = ("USLGB", "USLAX", "CNYTN", "SGSIN", "NLRTM")
VESSEL = {"imo": "IMO 9619907", "type": "container", "gross_tonnage": 194849,
          "engines": [{"role": "main", "imo_nox_tier": 2}],
          "esi": {"score": 51.2, "nox_valid": True, "sox_valid": True, "valid_until": "2027-12-31"}}


def _fastest(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def _advised(ruleset, request):
    return attach(ruleset, request, TODAY, decide(ruleset, request, today=TODAY))


def _advice(ruleset, bodies, report: Report) -> None:
    ratios = []
    for body in bodies[:500]:
        plain = _fastest(lambda body=body: decide(ruleset, parse_request(body), today=TODAY))
        advised = _fastest(lambda body=body: _advised(ruleset, parse_request({**body, "advice": True})))
        ratios.append(advised / plain)
    q = statistics.quantiles(ratios, n=100)
    median = statistics.median(ratios)
    report.check("g", f"a decision with advice costs <= {TARGET_ADVICE:g}x the same without (median, 500 requests)",
                 median <= TARGET_ADVICE, f"median {median:.2f}x; p10 {q[9]:.2f}x, p90 {q[89]:.2f}x, "
                 f"p99 {q[98]:.2f}x, max {max(ratios):.2f}x")


def _calls(shift: int) -> list:
    start = dt.date(2026, 1, 5) + dt.timedelta(days=shift)
    return [{"port": PORTS[i % 5], "arrival": (start + dt.timedelta(weeks=i)).isoformat(),
             "departure": (start + dt.timedelta(weeks=i, days=2)).isoformat()} for i in range(52)]


def _plans(ruleset, report: Report, repeat: int) -> None:
    service, plans = offline_deciding(ruleset)
    for advice in (False, True):
        extra = {"advice": True} if advice else {}
        singles, plan = [], []
        for r in range(repeat):
            bodies = [orjson.dumps({"vessel": VESSEL, "call": c, **extra}) for c in _calls(2 * r)]
            t = time.perf_counter()
            for body in bodies:
                service.decide(body)
            singles.append(time.perf_counter() - t)
            body = orjson.dumps({"vessel": VESSEL, "calls": _calls(2 * r + 1), **extra})
            t = time.perf_counter()
            plans.plan(body)
            plan.append(time.perf_counter() - t)
        s, p = min(singles), min(plan)
        detail = f"plan {p * 1000:.1f} ms against 52 singles {s * 1000:.1f} ms = {p / s:.2f}x"
        if advice:
            report.check("g", f"a 52-call plan with advice costs <= {TARGET_PLAN:g}x 52 single decisions with advice",
                         p / s <= TARGET_PLAN, detail)
        else:
            print(f"  without advice: {detail}")


def run(ruleset, bodies, report: Report, repeat: int) -> None:
    print("\n== g) Advice and voyage plans, in process (parse and decide; no cache, records off)")
    _advice(ruleset, bodies, report)
    _plans(ruleset, report, repeat)
