"""Part c: 1,000 synthetic program editions over 200 made-up ports, next to the real rules."""

from __future__ import annotations

import gc
import shutil
import tempfile
import time
from pathlib import Path

from incentive_api.adapters.rulefiles import read_rule_files
from incentive_api.core.engine import decide
from incentive_api.core.examples import run_examples
from incentive_api.core.ruleset import compile_ruleset

from .common import RULES_DIR, TODAY, Report, interleaved_best
from .synthetic import synthetic_rule_files

EDITIONS, PORTS = 1000, 200
TARGET_LOAD_S = 3.0
TARGET_COST_RATIO = 1.5


def _comparable(decision) -> dict:
    """A decision without what differs by design between two rulesets: its id and the ruleset revision."""
    return {k: v for k, v in decision.to_json().items() if k not in ("decision_id", "ruleset")}


def run(real_files, real_ruleset, bodies: list, parsed: list, report: Report, repeat: int, seed: int) -> dict:
    print(f"\n== c) Scale: {EDITIONS:,} synthetic program editions over {PORTS} made-up ports, next to the real rules")
    with tempfile.TemporaryDirectory(prefix="bench-rules-") as tmp:
        tmpdir = Path(tmp)
        for name, _text in real_files:
            (tmpdir / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(RULES_DIR / name, tmpdir / name)
        synthetic = synthetic_rule_files(EDITIONS, PORTS, seed=seed)
        for name, text in synthetic:
            (tmpdir / name).parent.mkdir(parents=True, exist_ok=True)
            (tmpdir / name).write_text(text, encoding="utf-8")
        size = sum(len(t.encode()) for _n, t in synthetic)
        print(f"  wrote {len(synthetic):,} synthetic files ({size / 1e6:.1f} MB) + {len(real_files)} real ones to {tmpdir}")

        # (i) read + compile, the first time in this process (as at service start), then best of 3.
        loads = []
        for _ in range(3):
            gc.collect()
            t0 = time.perf_counter()
            files = read_rule_files(tmpdir)
            t1 = time.perf_counter()
            combined = compile_ruleset(files)
            t2 = time.perf_counter()
            loads.append((t1 - t0, t2 - t1))
    first_read, first_compile = loads[0]
    best_compile = min(c for _r, c in loads)
    print(f"  ruleset: {len(combined.programs):,} programs, {combined.edition_count:,} editions, "
          f"{len(combined.ports)} ports")
    print(f"  read_rule_files: {first_read:.3f} s first, {min(r for r, _c in loads):.3f} s best; "
          f"compile_ruleset (parse, validate, compile, check examples' requests): {first_compile:.3f} s first, "
          f"{best_compile:.3f} s best ({best_compile / len(files) * 1e3:.2f} ms a file)")
    report.check("c", f"loading and validating {EDITIONS:,} files (compile_ruleset) < {TARGET_LOAD_S:g} s",
                 first_compile < TARGET_LOAD_S,
                 f"{first_compile:.2f} s on the first load (best {best_compile:.2f} s; reading the files "
                 f"{first_read:.2f} s more)")

    results = run_examples(combined)
    failed = [r for r in results if not r.passed]
    report.check("c", "the synthetic rule files are sound: every example in the combined ruleset passes", not failed,
                 f"{len(results) - len(failed):,} of {len(results):,} examples pass" +
                 (f"; first failure: {failed[0].program} {failed[0].name}: {failed[0].failures}" if failed else ""))

    # (ii) the cost of a decision at a real port, with the real rules alone and with the 1,000 more.
    # Every call in the fleet is at a real port (the synthetic ones are made up).
    at_real = [r for r in parsed if r.get("call") and r["call"].get("port")]
    lgb = [r for r in at_real if r["call"]["port"] == "USLGB"]
    same = sum(_comparable(decide(real_ruleset, r, today=TODAY, decision_id="x")) ==
               _comparable(decide(combined, r, today=TODAY, decision_id="x")) for r in at_real)
    report.check("c", "decisions at real ports are the same with the synthetic rules loaded", same == len(at_real),
                 f"{same:,} of {len(at_real):,} identical")

    def pass_over(ruleset, requests):
        """One timed run: the requests, repeated to at least 10,000 decisions so a run is not too short to time."""
        batch = requests * max(1, -(-10_000 // len(requests)))

        def fn():
            for r in batch:
                decide(ruleset, r, today=TODAY)
        return fn, len(batch)

    out = {}
    for label, requests in (("at USLGB", lgb), (f"at any real port (all {len({r['call']['port'] for r in at_real})})", at_real)):
        (real_fn, n), (combined_fn, _) = pass_over(real_ruleset, requests), pass_over(combined, requests)
        best = interleaved_best({"real": real_fn, "combined": combined_fn}, repeat=repeat)
        ratio = best["combined"] / best["real"]
        report.check("c", f"cost of a decision {label} with {combined.edition_count:,} editions loaded "
                          f"<= {TARGET_COST_RATIO:g}x the real rules alone",
                     ratio <= TARGET_COST_RATIO,
                     f"{ratio:.2f}x ({best['combined'] / n * 1e6:.2f} µs against {best['real'] / n * 1e6:.2f} µs, "
                     f"{len(requests):,} requests, {n:,} decisions a run)")
        out[label] = ratio

    # For the record (no target): a request with no call is judged against every program at every port.
    portless = [r for r in parsed if not r.get("call") or not r["call"].get("port")]
    if portless:
        best = interleaved_best({"real": lambda: [decide(real_ruleset, r, today=TODAY) for r in portless],
                                 "combined": lambda: [decide(combined, r, today=TODAY) for r in portless]},
                                repeat=3)
        print(f"  note: a request without a call port is judged against every program everywhere: "
              f"{best['real'] / len(portless) * 1e6:,.0f} µs with the real rules, "
              f"{best['combined'] / len(portless) * 1e6:,.0f} µs with {combined.edition_count:,} editions "
              f"({len(portless)} such requests in the fleet)")
    out["load_s"] = first_compile
    return out
