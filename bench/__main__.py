"""python -m bench: throughput, peer comparison, scale and HTTP load, with targets; exits 1 if any is missed.

    .venv/bin/python -m bench                 # everything (what `make bench` runs)
    .venv/bin/python -m bench --parts a,c     # some parts only
    .venv/bin/python -m bench --parts d,e,f   # the HTTP load tests only (gunicorn + wrk on 127.0.0.1)
    .venv/bin/python -m bench --profile       # print core hotspots even when the target is met
"""

from __future__ import annotations

import argparse
import platform
import sys
import time

from incentive_api.adapters.rulefiles import read_rule_files
from incentive_api.core.errors import RulesetError
from incentive_api.core.ruleset import compile_ruleset
from incentive_api.sampling import DEFAULT_SEED, generate_requests

from . import advice_plans, http_load, peer, scale, throughput
from .common import RULES_DIR, Report


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000, help="requests in the fleet (at least 10,000 for the targets)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--repeat", type=int, default=7, help="timed runs per measurement; the best is kept")
    ap.add_argument("--parts", default="a,b,c,d,e,f,g",
                    help="which parts to run: a (throughput), b (peer), c (scale), d (HTTP vs echo floor), "
                         "e (HTTP batch), f (HTTP cache and records), g (advice and plans)")
    ap.add_argument("--http-rounds", type=int, default=7, help="d, e, f: interleaved wrk runs per side; the best is kept")
    ap.add_argument("--http-seconds", type=float, default=2.0, help="d, e, f: seconds per wrk run (batches: 2x, >= 6)")
    ap.add_argument("--profile", action="store_true", help="profile part a even if its target is met")
    args = ap.parse_args(argv)
    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    if not parts <= set("abcdefg"):
        ap.error("--parts takes a comma-separated subset of a,b,c,d,e,f,g")
    report = Report()
    started = time.perf_counter()
    print(f"incentive-api bench: Python {platform.python_version()} on {platform.machine()}, "
          f"fleet of {args.n:,} requests, seed {args.seed}, best of {args.repeat}")
    if args.n < 10_000:
        print(f"  note: --n {args.n} is below the 10,000 the targets are stated for")

    try:
        real_files = read_rule_files(RULES_DIR)
        ruleset = compile_ruleset(real_files)
    except RulesetError as exc:
        print(f"rules/ does not load; fix it first:\n{exc}", file=sys.stderr)
        return 1

    t0 = time.perf_counter()
    bodies = generate_requests(args.n, ruleset=ruleset, seed=args.seed)
    print(f"  generated {len(bodies):,} request bodies in {time.perf_counter() - t0:.2f} s")
    report.check("a", "the generator is deterministic (same seed, same bodies; a shorter run is a prefix)",
                 generate_requests(min(500, args.n), ruleset=ruleset, seed=args.seed) == bodies[:500], "500-body prefix regenerated")
    parsed = throughput.parse_all(bodies, report)
    if parsed is None:
        return _summary(report, started)

    if "a" in parts:
        throughput.run(ruleset, bodies, parsed, report, args.repeat, args.profile)
    if "b" in parts:
        peer.run(ruleset, bodies, parsed, report, max(3, args.repeat // 2))
    if "c" in parts:
        scale.run(real_files, ruleset, bodies, parsed, report, args.repeat, args.seed)
    if "g" in parts:
        advice_plans.run(ruleset, bodies, report, args.repeat)
    if parts & set("def"):
        http_load.run(bodies, ruleset, parts, report, max(1, args.http_rounds), args.http_seconds, args.seed)
    return _summary(report, started)


def _summary(report: Report, started: float) -> int:
    print(f"\n== Summary ({time.perf_counter() - started:.0f} s)")
    for c in report.checks:
        print(f"  {'PASS' if c.passed else 'FAIL'}  {c.part}) {c.name}: {c.detail}")
    if report.failed:
        print(f"{len(report.failed)} of {len(report.checks)} checks failed")
        return 1
    print(f"all {len(report.checks)} checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
