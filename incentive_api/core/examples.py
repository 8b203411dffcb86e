"""Run the examples each program carries: request in, expected answer out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .decision import ProgramOutcome
from .engine import decide
from .errors import RuleError
from .request import parse_request
from .ruleset import Ruleset

FIXED_TODAY = dt.date(2026, 1, 1)  # examples without a call date are judged as of this day


@dataclass
class ExampleResult:
    program: str
    name: str
    where: str  # file:line:col
    failures: list  # [(field, expected, actual)]
    entry: dict | None = None  # the program's answer to the example, None when no edition is in effect

    @property
    def passed(self) -> bool:
        return not self.failures


def run_examples(ruleset: Ruleset) -> list[ExampleResult]:
    results = []
    for pid in sorted(ruleset.programs):
        program = ruleset.programs[pid]
        for ex in program.examples:
            request = parse_request(ex.request)
            request["programs"] = [pid]
            decision = decide(ruleset, request, today=FIXED_TODAY, decision_id="example")
            entry = next((p for p in decision.programs if p.program == pid), None)
            results.append(ExampleResult(pid, ex.name, f"{ex.file}:{ex.line}:{ex.col}", compare(ex.expect, entry),
                                         entry))
    return results


def example_errors(ruleset: Ruleset) -> list[RuleError]:
    """Each failing example as a located error: what a reload refuses, as `rules test` reports it."""
    errors = []
    for result in run_examples(ruleset):
        if result.passed:
            continue
        file, line, col = result.where.rsplit(":", 2)
        detail = "; ".join(f"{field}: expected {want!r}, got {got!r}" for field, want, got in result.failures)
        errors.append(RuleError(file, int(line), int(col), f"example {result.name!r} of {result.program} fails: "
                                f"{detail}", "examples"))
    return errors


def compare(expect: dict, entry: ProgramOutcome | None) -> list:
    if entry is None:
        return [] if expect["status"] == "absent" else [("status", expect["status"], "absent (no edition in effect)")]
    failures = []
    if entry.status != expect["status"]:
        failures.append(("status", expect["status"], entry.status))
    for key in ("edition", "level", "score", "draft"):
        if key in expect and _norm(expect[key]) != _norm(getattr(entry, key)):
            failures.append((key, expect[key], getattr(entry, key)))
    if "total" in expect:
        want, got = expect["total"], entry.total
        got_text = None if got is None else f"{got['amount']} {got['currency']}"
        if _money(want) != got_text:
            failures.append(("total", want, got_text))
    if "benefits" in expect:
        got = {b["id"]: b["amount"] for b in entry.benefits}
        want = {k: (None if v is None else str(v)) for k, v in expect["benefits"].items()}
        if got != want:
            failures.append(("benefits", want, got))
    if "missing" in expect and sorted(expect["missing"]) != entry.missing:
        failures.append(("missing", sorted(expect["missing"]), entry.missing))
    return failures


def _norm(v):
    return str(v) if v is not None and not isinstance(v, bool) else v


def _money(v):
    """'9000.00 USD' from either that text or {amount, currency}."""
    if v is None:
        return None
    if isinstance(v, dict):
        return f"{v.get('amount')} {v.get('currency')}"
    return str(v)


def coverage(ruleset: Ruleset, results: list[ExampleResult] | None = None) -> dict:
    """Per program, what no example exercises: {program: [text, ...]} (empty list = fully covered).

    A comparison is exercised when some example makes it pass and some makes it
    fail; a band or level when some example reaches it; an add-on when some
    example is paid it.
    """
    seen_pass, seen_fail, levels, addons = set(), set(), set(), set()
    for result in results if results is not None else run_examples(ruleset):
        entry = result.entry
        if entry is None:
            continue
        ed = (entry.program, entry.edition)
        for c in entry.criteria:
            if c["passed"] is True:
                seen_pass.add(ed + (c["rule"],))
            elif c["passed"] is False:
                seen_fail.add(ed + (c["rule"],))
        if entry.level:
            levels.add(ed + (entry.level,))
        for b in entry.benefits:
            if b["from"].startswith("addon:"):
                addons.add(ed + (b["from"][6:],))
    report = {}
    for pid in sorted(ruleset.programs):
        gaps = []
        for ed in ruleset.programs[pid].editions:
            key = (pid, ed.edition)
            for leaf in ed.leaf_rules:
                missing = [word for word, seen in (("passing", seen_pass), ("failing", seen_fail))
                           if key + (leaf.rule,) not in seen]
                if missing:
                    gaps.append(f"{ed.edition}: condition {leaf.rule} ({leaf.text}) never seen {' or '.join(missing)}")
            for band in ed.bands:
                if key + (band.level,) not in levels:
                    gaps.append(f"{ed.edition}: band {band.level!r} {band.text} never reached")
            for lv in ed.levels:
                if key + (lv.level,) not in levels:
                    gaps.append(f"{ed.edition}: level {lv.level!r} never reached")
            for addon in ed.addons:
                if key + (addon.id,) not in addons:
                    gaps.append(f"{ed.edition}: add-on {addon.id!r} never paid")
        report[pid] = gaps
    return report
