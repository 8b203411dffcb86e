"""Voyage plans: one vessel, a schedule of calls, and what the schedule is worth.

A plan is read into one request per call (each validated by the request schema itself, so a call is
decided exactly as POST /v1/eligibility would decide it), and the calls' decisions are summed here:
money per program, per port and per currency (never converted unless the caller gives its own rates),
the obligations and on how many calls they fall, and the advice of every call ranked by what it adds
across the whole schedule.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from decimal import Decimal

from marshmallow import ValidationError, fields, validate, validates_schema

from .decision import Decision
from .identity import canonical
from .money import Money
from .request import InvalidRequest, StrictBool, StrictNumber, error_pointers, parse_request
from .strict import StrictSchema

MAX_CALLS = 500
RATE_PLACES = 12
TOP_ADVICE = 20
_CURRENCY = validate.Regexp(r"^[A-Z]{3}\Z", error="ISO 4217 code, e.g. USD.")


class PlanSchema(StrictSchema):
    """The envelope; the vessel, each call and `programs` are judged by the request schema, per call."""
    vessel = fields.Raw(required=True)
    calls = fields.List(fields.Raw(), required=True, validate=validate.Length(
        min=1, max=MAX_CALLS, error=f"A plan holds 1 to {MAX_CALLS} calls."))
    programs = fields.Raw()
    advice = StrictBool()
    # Units of report_currency for one unit of each currency: the caller's own rates; none is ever fetched.
    # A rate may be as fine as a bank quotes one (won to the yen: 0.10452117), as a string or a number.
    rates = fields.Dict(keys=fields.String(validate=_CURRENCY),
                        values=StrictNumber(exclusive_minimum=0, maximum=Decimal("1e9"), decimal_string=True,
                                            places=RATE_PLACES),
                        validate=validate.Length(min=1, max=64))
    report_currency = fields.String(validate=_CURRENCY)

    @validates_schema
    def _rates_with_currency(self, data, **kw):
        if ("rates" in data) != ("report_currency" in data):
            raise ValidationError("Send rates and report_currency together.",
                                  "report_currency" if "rates" in data else "rates")
        into = data.get("report_currency")
        if into in (data.get("rates") or {}) and data["rates"][into] != 1:
            # One unit of the report currency is one unit of it: any other rate would be silently ignored.
            raise ValidationError({"rates": {into: [f"The rate of the report currency {into} is 1; leave it out "
                                                    "or send 1."]}})


PLAN_SCHEMA = PlanSchema()


def parse_plan(body) -> tuple[dict, list[dict]]:
    """(the plan's options, one validated request per call); raises InvalidRequest naming every bad field
    by its pointer in the plan: /calls/17/port, /vessel/imo (once, however many calls it spoils)."""
    if not isinstance(body, dict):
        raise InvalidRequest([{"pointer": "", "message": "The plan must be a JSON object."}])
    try:
        plan = PLAN_SCHEMA.load(body)
    except ValidationError as exc:
        raise InvalidRequest(error_pointers(exc.messages)) from None
    shared = {k: plan[k] for k in ("vessel", "programs") if k in plan}
    if plan.get("advice"):
        shared["advice"] = True
    requests, errors = [], {}
    for i, call in enumerate(plan["calls"]):
        try:
            requests.append(parse_request({**shared, "call": call}))
        except InvalidRequest as bad:
            for e in bad.errors:
                errors.setdefault((call_pointer(i, e["pointer"]), e["message"]), None)
    if errors:
        raise InvalidRequest([{"pointer": p, "message": m} for p, m in sorted(errors)])
    options = {k: plan[k] for k in ("rates", "report_currency") if k in plan}
    return options, requests


def call_pointer(i: int, pointer: str) -> str:
    """Where in the plan an error of call i's request lies: /call/... is /calls/i/...; the rest is shared."""
    if pointer == "/call" or pointer.startswith("/call/"):
        return f"/calls/{i}" + pointer[len("/call"):]
    return pointer


def plan_id(revision: str, decision_ids: list[str], options: dict) -> str:
    """32 hex digits naming the plan's content: its calls' decisions (each naming its revision, as-of date and
    normalised request), in order, and the caller's rates."""
    h = hashlib.blake2b(digest_size=16, person=b"incentive-plan-1")
    h.update(revision.encode() + b"\0" + ",".join(decision_ids).encode() + b"\0")
    h.update(canonical(options))
    return h.hexdigest()


class _Sums:
    """Money per currency, exact until written."""

    def __init__(self):
        self.by_currency: dict[str, Decimal] = defaultdict(Decimal)

    def add(self, money: dict | None) -> None:
        if money:
            self.by_currency[money["currency"]] += Decimal(money["amount"])

    def as_json(self) -> list[dict]:
        return [Money(self.by_currency[c], c).as_json() for c in sorted(self.by_currency)]

    def converted(self, rates: dict, into: str) -> tuple[Decimal | None, list[str]]:
        missing = sorted(c for c in self.by_currency if c != into and c not in rates)
        if missing:
            return None, missing
        return sum((a * (Decimal(1) if c == into else rates[c]) for c, a in self.by_currency.items()),
                   Decimal(0)), []


def summarise(plan_key: str, requests: list[dict], decisions: list[Decision], options: dict) -> dict:
    """The plan's answer from its calls' validated requests and their decisions, in call order."""
    rates, into = options.get("rates"), options.get("report_currency")
    calls, total = [], _Sums()
    by_program: dict[str, dict] = {}
    by_port: dict[str, dict] = {}
    obligations: dict[tuple, list[int]] = {}
    advice: dict[bytes, dict] = {}
    for i, (request, d) in enumerate(zip(requests, decisions)):
        port, arrival = request["call"]["port"], request["call"].get("arrival")
        outcome = []
        at_port = by_port.setdefault(port, {"port": port, "calls": 0, "sums": _Sums()})
        at_port["calls"] += 1
        for entry in d.programs:
            pid, money = entry.program, entry.total
            outcome.append({"program": pid, "status": entry.status, "level": entry.level, "total": money})
            prog = by_program.setdefault(pid, {"program": pid, "calls": 0, "statuses": defaultdict(int),
                                                "sums": _Sums()})
            prog["calls"] += 1
            prog["statuses"][entry.status] += 1
            for sums in (prog["sums"], at_port["sums"], total):
                sums.add(money)
            for text in entry.obligations or ():
                obligations.setdefault((pid, text), []).append(i)
            if entry.advice is not None:
                _gather_advice(advice, i, port, pid, entry.advice)
        calls.append({"call": i, "port": port, "arrival": arrival and arrival.isoformat(),
                      "decision_id": d.decision_id, "programs": outcome})
    answer = {
        "plan_id": plan_key,
        "vessel": {"imo": decisions[0].imo},
        "ruleset": {"revision": decisions[0].revision},
        "calls": calls,
        "totals": {
            "by_currency": total.as_json(),
            "by_program": [{"program": p["program"], "calls": p["calls"], "statuses": dict(sorted(p["statuses"].items())),
                            "totals": p["sums"].as_json()} for _, p in sorted(by_program.items())],
            "by_port": [{"port": p["port"], "calls": p["calls"], "totals": p["sums"].as_json()}
                        for _, p in sorted(by_port.items())],
            "converted": _converted(total, rates, into),
        },
        "obligations": [{"program": pid, "obligation": text, "calls": len(where), "call_indexes": where}
                        for (pid, text), where in sorted(obligations.items())],
    }
    if any(e.advice is not None for d in decisions for e in d.programs):
        answer["advice"] = _ranked(advice, rates, into)
    return answer


def _converted(sums: _Sums, rates, into) -> dict | None:
    if not into:
        return None
    amount, missing = sums.converted(rates, into)
    return {"currency": into, "rates": {c: str(r) for c, r in sorted(rates.items())},
            "total": None if amount is None else Money(amount, into).as_json(), "missing_rates": missing}


def _gather_advice(found: dict, call: int, port: str, program: str, options: list[dict]) -> None:
    for option in options:
        changes = sorted(option["changes"], key=lambda c: c["path"])
        key = canonical(changes)
        item = found.setdefault(key, {"changes": changes, "adds": _Sums(), "calls": set(), "programs": set(),
                                      "ports": {}, "unpriced": []})
        item["calls"].add(call)
        item["programs"].add(program)
        at = item["ports"].setdefault(port, {"calls": set(), "adds": _Sums()})
        at["calls"].add(call)
        gain = option.get("gain")
        if gain and "amount" in gain:
            item["adds"].add(gain)
            at["adds"].add(gain)
        elif gain:  # a percentage of a fee the call did not state: named, not summed
            item["unpriced"].append({"call": call, "program": program, **gain})


def _ranked(found: dict, rates, into) -> list[dict]:
    """Most money first: in report_currency when the caller's rates cover it; else by the largest amount in any
    one currency, as a bare number (no rate is ever assumed: send rates to rank across currencies); then fewer
    changes."""
    out = []
    for item in found.values():
        amount, _missing = item["adds"].converted(rates or {}, into) if into else (None, [])
        largest = max(item["adds"].by_currency.values(), default=Decimal(0))
        rank = (-(amount if amount is not None else largest), len(item["changes"]), canonical(item["changes"]))
        out.append((rank, {
            "changes": item["changes"],
            "adds": item["adds"].as_json(),
            "converted": None if amount is None else Money(amount, into).as_json(),
            "calls": len(item["calls"]),
            "programs": sorted(item["programs"]),
            "by_port": [{"port": p, "calls": len(v["calls"]), "adds": v["adds"].as_json()}
                        for p, v in sorted(item["ports"].items())],
            "unpriced": item["unpriced"],
        }))
    out.sort(key=lambda pair: pair[0])
    return [entry for _, entry in out[:TOP_ADVICE]]
