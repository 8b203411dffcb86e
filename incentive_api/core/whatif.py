"""What-if: the same calls decided under two rulesets, and what changes.

For each call whose outcome changes, per program: status, level and amount
before and after. Per program: how many decisions changed, and the money the
sample earns before and after (summed per currency, and per call on average).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .decision import ProgramOutcome
from .engine import decide
from .facts import as_of_date
from .money import amount_text
from .request import InvalidRequest, parse_request
from .ruleset import Ruleset


def outcome(entry: ProgramOutcome | None, named: bool = False) -> dict | None:
    """A decision entry in brief: edition, status, level and money (and the program, when `named`)."""
    if entry is None:
        return None
    total = entry.total
    brief = {"program": entry.program} if named else {}
    brief.update({"edition": entry.edition, "status": entry.status, "level": entry.level,
                  "amount": total["amount"] if total else None, "currency": total["currency"] if total else None})
    return brief


def diff(old: Ruleset, new: Ruleset, bodies: list[dict], today: dt.date) -> dict:
    changes, programs = [], {}
    invalid = 0
    for index, body in enumerate(bodies):
        try:
            request = parse_request(body)
            before = {e.program: e for e in decide(old, request, today=today, decision_id="-").programs}
            after = {e.program: e for e in decide(new, request, today=today, decision_id="-").programs}
        except InvalidRequest:  # malformed, or naming a program one side lacks
            invalid += 1
            continue
        for pid in sorted(before.keys() | after.keys()):
            b, a = outcome(before.get(pid)), outcome(after.get(pid))
            stats = programs.setdefault(pid, {"calls": 0, "changed": 0, "before": {}, "after": {}})
            stats["calls"] += 1
            for side, brief in (("before", b), ("after", a)):
                if brief and brief["amount"] is not None:
                    sums = stats[side]
                    sums[brief["currency"]] = sums.get(brief["currency"], Decimal(0)) + Decimal(brief["amount"])
            if b != a:
                stats["changed"] += 1
                changes.append({"request": index, "imo": request["vessel"]["imo"],
                                "port": (request.get("call") or {}).get("port"),
                                "as_of": as_of_date(request, today).isoformat(), "program": pid,
                                "before": b, "after": a})
    summary = {}
    for pid, stats in sorted(programs.items()):
        currencies = sorted(stats["before"].keys() | stats["after"].keys())
        money = {c: {"before": str(stats["before"].get(c, Decimal(0))), "after": str(stats["after"].get(c, Decimal(0))),
                     "delta": str(stats["after"].get(c, Decimal(0)) - stats["before"].get(c, Decimal(0))),
                     "per_call_before": _per_call(stats["before"].get(c), stats["calls"], c),
                     "per_call_after": _per_call(stats["after"].get(c), stats["calls"], c)}
                 for c in currencies}
        summary[pid] = {"calls": stats["calls"], "changed": stats["changed"], "money": money}
    return {"old_revision": old.revision, "new_revision": new.revision, "requests": len(bodies),
            "invalid_requests": invalid, "changed_decisions": len({c["request"] for c in changes}),
            "programs": summary, "changes": changes}


def _per_call(total, calls: int, currency: str) -> str:
    return amount_text((total or Decimal(0)) / calls if calls else Decimal(0), currency)


def render(report: dict, limit: int = 50) -> str:
    """The report as text an operator reads before publishing."""
    lines = [f"rules diff {report['old_revision']} -> {report['new_revision']}: {report['requests']} calls, "
             f"{report['changed_decisions']} with a changed outcome"
             + (f", {report['invalid_requests']} invalid requests skipped" if report["invalid_requests"] else "")]
    for pid, s in report["programs"].items():
        if not s["changed"]:
            continue
        lines.append(f"  {pid}: {s['changed']} of {s['calls']} decisions change")
        for cur, m in s["money"].items():
            lines.append(f"    {cur}: {m['before']} -> {m['after']} (delta {m['delta']}; per call "
                         f"{m['per_call_before']} -> {m['per_call_after']})")
    if report["changes"]:
        lines.append("changed calls:")
    for c in report["changes"][:limit]:
        lines.append(f"  #{c['request']} IMO {c['imo']} at {c['port']} on {c['as_of']}, {c['program']}: "
                     f"{_show(c['before'])} -> {_show(c['after'])}")
    if len(report["changes"]) > limit:
        lines.append(f"  ... and {len(report['changes']) - limit} more (use --json for all)")
    return "\n".join(lines)


def _show(o: dict | None) -> str:
    if o is None:
        return "not in effect"
    money = f" {o['amount']} {o['currency']}" if o["amount"] is not None else ""
    level = f" {o['level']}" if o["level"] else ""
    return f"{o['status']}{level}{money}"
