"""Part a: decisions per second on one core, with explanations, over the generated fleet."""

from __future__ import annotations

from incentive_api.core.engine import decide
from incentive_api.core.request import InvalidRequest, parse_request

from .common import TODAY, Report, best_of, profile_hotspots, rate

TARGET_DECISIONS_PER_S = 50_000


def parse_all(bodies: list, report: Report) -> list | None:
    """parse_request on every body; any refusal fails the bench (the generator must make valid bodies)."""
    parsed, bad = [], []
    for i, body in enumerate(bodies):
        try:
            parsed.append(parse_request(body))
        except InvalidRequest as exc:
            bad.append((i, str(exc)))
    ok = report.check("a", f"all {len(bodies):,} generated bodies pass parse_request", not bad,
                      f"{len(bodies) - len(bad):,} valid" + (f"; first refused: #{bad[0][0]}: {bad[0][1]}" if bad else ""))
    return parsed if ok else None


def run(ruleset, bodies: list, parsed: list, report: Report, repeat: int, profile: bool) -> dict:
    n = len(parsed)
    print("\n== a) Throughput: one decision = one vessel and call against every program in effect at its port")
    print(f"  ruleset: {len(ruleset.programs)} programs, {ruleset.edition_count} editions, revision {ruleset.revision}")

    def parse_pass():
        for body in bodies:
            parse_request(body)

    parse_best, _ = best_of(parse_pass, repeat=max(1, repeat // 2))
    print(f"  parse_request (validation + normalisation, reported apart): {rate(n, parse_best)}")

    evaluations = sum(len(decide(ruleset, r, today=TODAY).programs) for r in parsed)

    def decide_pass():
        for r in parsed:
            decide(ruleset, r, today=TODAY)

    best, times = best_of(decide_pass, repeat=repeat)
    per_s = n / best
    spread = max(times) / best - 1
    print(f"  decide over {n:,} pre-parsed requests, best of {repeat} "
          f"(runs: {', '.join(f'{t:.3f}s' for t in times)}): {rate(n, best)}")
    if spread > 0.15:
        print(f"  note: the slowest run took {spread:.0%} longer than the best; this machine's speed varies "
              f"(shared host), so the best run is the one judged")
    print(f"  program editions evaluated: {evaluations:,} ({evaluations / n:.2f} per decision; "
          f"{evaluations / best:,.0f} edition evaluations/s)")
    print(f"  parse + decide, as an API call would do both: {n / (best + parse_best):,.0f}/s")
    met = per_s >= TARGET_DECISIONS_PER_S
    if met:
        detail = f"{per_s:,.0f}/s >= {TARGET_DECISIONS_PER_S:,}/s ({per_s / TARGET_DECISIONS_PER_S:.2f}x the target)"
    else:
        detail = (f"{per_s:,.0f}/s < {TARGET_DECISIONS_PER_S:,}/s: missed by {1 - per_s / TARGET_DECISIONS_PER_S:.0%}; "
                  f"needs {TARGET_DECISIONS_PER_S / per_s:.2f}x faster")
    report.check("a", "decisions/s, one core, explanations included", met, detail)
    if not met or profile:
        print("  hotspots in incentive_api/core (cProfile over one pass, by own time):")
        print(profile_hotspots(decide_pass), end="")
    return {"decisions_per_s": per_s, "parse_per_s": n / parse_best, "evaluations": evaluations}
