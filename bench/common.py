"""Shared by the benchmark parts: the fleet, timing, reporting and results."""

from __future__ import annotations

import cProfile
import datetime as dt
import gc
import io
import pstats
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULES_DIR = ROOT / "rules"
JDM_DIR = Path(__file__).resolve().parent / "jdm"
# Every decision is made "as of" this day when the call gives no arrival date, for us and the peer alike.
TODAY = dt.date(2026, 11, 1)


@dataclass
class Check:
    """One target or correctness check, with the figure it was judged on."""
    part: str
    name: str
    passed: bool
    detail: str


@dataclass
class Report:
    checks: list = field(default_factory=list)

    def check(self, part: str, name: str, passed: bool, detail: str) -> bool:
        self.checks.append(Check(part, name, passed, detail))
        print(f"  [{'PASS' if passed else 'FAIL'}] {name}: {detail}")
        return passed

    @property
    def failed(self) -> list:
        return [c for c in self.checks if not c.passed]


def best_of(fn, repeat: int, warmup: int = 1) -> tuple[float, list[float]]:
    """Run fn() `warmup` times untimed, then `repeat` times; return (best seconds, all timings).

    The collector runs between runs, not inside them, so one run does not pay for another's garbage.
    """
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), times


def interleaved_best(fns: dict, repeat: int, warmup: int = 1) -> dict:
    """Best time of each fn, running them in turn (A B A B ...) so drift in machine speed hits all alike."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    best = {k: float("inf") for k in fns}
    for _ in range(repeat):
        for k, fn in fns.items():
            gc.collect()
            t0 = time.perf_counter()
            fn()
            best[k] = min(best[k], time.perf_counter() - t0)
    return best


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}/s ({seconds / count * 1e6:.2f} µs each)"


def profile_hotspots(fn, package_marker: str = "incentive_api/core", top: int = 15) -> str:
    """cProfile one call of fn(); the functions in incentive_api/core with the most own time, as text."""
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    stats = pstats.Stats(prof)
    total = stats.total_tt or 1e-9
    rows = []
    for (filename, line, func), (_cc, nc, tt, ct, _callers) in stats.stats.items():
        if package_marker in filename.replace("\\", "/"):
            rows.append((tt, ct, nc, f"{filename.split('incentive_api/')[-1]}:{line}({func})"))
    rows.sort(reverse=True)
    out = io.StringIO()
    out.write(f"    profile: {total:.3f} s in all (profiling slows everything alike); "
              f"{sum(r[0] for r in rows) / total:.0%} of it inside {package_marker}\n")
    out.write(f"    {'own s':>7} {'own %':>6} {'cum s':>7} {'calls':>9}  function\n")
    for tt, ct, nc, name in rows[:top]:
        out.write(f"    {tt:7.3f} {tt / total:6.1%} {ct:7.3f} {nc:9d}  {name}\n")
    # Callees outside the package that the core spends most on (str formatting, Decimal, dict ops...).
    outside = sorted(((tt, nc, f"{fn_name}") for (filename, _l, fn_name), (_cc, nc, tt, _ct, _c) in stats.stats.items()
                      if package_marker not in filename.replace("\\", "/") and "bench/" not in filename), reverse=True)
    out.write("    top built-ins/library functions by own time:\n")
    for tt, nc, name in outside[:6]:
        out.write(f"    {tt:7.3f} {tt / total:6.1%} {'':>7} {nc:9d}  {name}\n")
    return out.getvalue()


def to_jsonable(value):
    """A request body with Decimals as floats, for a peer that takes plain JSON types.

    float(Decimal) is exact enough here: every number in the sample has at most a few decimals, and
    json.dumps prints the shortest text that reads back to the same float (47.9 stays "47.9").
    """
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 else float(value)
    return value


def money(value) -> str | None:
    """'9000.00' from 9000, 9000.0, '9000.00' or Decimal; None stays None."""
    if value is None:
        return None
    return str(Decimal(str(value)).quantize(Decimal("0.01")))
