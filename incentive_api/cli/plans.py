"""python -m incentive_api plan FILE: a voyage plan decided offline, summed, and shown as a table."""

from __future__ import annotations

import json
import sys

import orjson

from ..core.jsonwire import MalformedJson
from ..core.request import InvalidRequest
from .reading import body_and_rules, refusal

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
TOP_ADVICE_SHOWN = 5


def cmd_plan(args) -> int:
    read = body_and_rules(args.file, args.rules)
    if isinstance(read, int):
        return read
    body, ruleset = read
    from ..service.container import offline_deciding
    try:
        # No records offline: the calls are decided and summed exactly as POST /v1/plans does, nothing is kept.
        _deciding, plans = offline_deciding(ruleset)
        answer = orjson.loads(plans.plan(body).body)
    except (MalformedJson, InvalidRequest) as refused:
        print("\n".join(refusal(args.file, refused)), file=sys.stderr)
        return EXIT_USAGE
    print(json.dumps(answer, indent=2, ensure_ascii=False) if args.json else render(answer))
    return EXIT_OK


def _money(amounts: list[dict]) -> str:
    return ", ".join(f"{m['amount']} {m['currency']}" for m in amounts) or "-"


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]


def _call_row(call: dict) -> list[str]:
    earning = [p for p in call["programs"] if p["total"]]
    required = sum(p["status"] == "required" for p in call["programs"])
    return [str(call["call"]), call["port"], call["arrival"] or "-",
            _money([p["total"] for p in earning]),
            ", ".join(f"{p['program']} {p['level'] or p['status']}" for p in earning) or "-",
            f"{required} program(s)" if required else "-", call["decision_id"]]


def render(answer: dict) -> str:
    totals = answer["totals"]
    head = (f"plan {answer['plan_id']}: {len(answer['calls'])} call(s), vessel {answer['vessel']['imo']}, "
            f"ruleset {answer['ruleset']['revision']}")
    lines = [head, "", "calls:"]
    lines += _table([["#", "port", "arrival", "earns", "from", "obliged", "decision"]]
                    + [_call_row(c) for c in answer["calls"]])
    lines += ["", "programs:"]
    lines += _table([["program", "calls", "statuses", "total"]] + [
        [p["program"], str(p["calls"]), ", ".join(f"{s} {n}" for s, n in p["statuses"].items()), _money(p["totals"])]
        for p in totals["by_program"]])
    lines += ["", "ports:"]
    lines += _table([["port", "calls", "total"]] + [[p["port"], str(p["calls"]), _money(p["totals"])]
                                                     for p in totals["by_port"]])
    lines += ["", f"money: {_money(totals['by_currency'])}"]
    converted = totals["converted"]
    if converted:
        lines.append(f"  in {converted['currency']}: " + (_money([converted["total"]]) if converted["total"] else
                     "not given: no rate for " + ", ".join(converted["missing_rates"])))
    lines += ["", "obligations:"]
    lines += [f"  {o['program']} on {o['calls']} call(s): {o['obligation']}" for o in answer["obligations"]] or ["  none"]
    if "advice" in answer:
        lines += ["", f"top advice ({min(TOP_ADVICE_SHOWN, len(answer['advice']))} of {len(answer['advice'])}):"]
        lines += [line for option in answer["advice"][:TOP_ADVICE_SHOWN] for line in _advice_lines(option)] or ["  none"]
    return "\n".join(lines)


def _advice_lines(option: dict) -> list[str]:
    changes = "; ".join(f"{c['path']} {json.dumps(c['from'])} -> {json.dumps(c['to'])}" for c in option["changes"])
    where = ", ".join(f"{p['port']} {p['calls']} call(s) {_money(p['adds'])}" for p in option["by_port"])
    adds = (f"    adds {_money(option['adds'])} on {option['calls']} call(s) "
            f"({', '.join(option['programs'])}): {where}")
    lines = [f"  {changes}", adds]
    if option["unpriced"]:
        lines.append(f"    and on {len(option['unpriced'])} call(s) a percentage of a fee the plan does not state")
    return lines


def add_plan_parser(sub) -> None:
    plan = sub.add_parser("plan", help="decide a voyage plan offline and sum it (JSON file, or - for stdin)")
    plan.add_argument("file", help="a body {vessel, calls, programs?, advice?, rates?, report_currency?} "
                                   "as POST /v1/plans takes")
    plan.add_argument("--rules", help="rules directory")
    plan.add_argument("--json", action="store_true", help="the plan as JSON, as the API answers it")
    plan.set_defaults(func=cmd_plan)
