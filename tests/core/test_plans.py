"""A plan's sums, built from decisions written by hand: money per program, port and currency, the caller's
rates, obligations per call, plan-level advice, and an id that names the plan's content."""

import datetime as dt
from decimal import Decimal

from incentive_api.core.plans import plan_id, summarise
from support.helpers import decision_of


def usd(amount):
    return {"amount": amount, "currency": "USD"}


def sgd(amount):
    return {"amount": amount, "currency": "SGD"}


def entry(program, status="eligible", level=None, total=None, obligations=(), advice=None):
    out = {"program": program, "status": status, "level": level, "total": total, "obligations": list(obligations)}
    if advice is not None:
        out["advice"] = advice
    return out


def option(changes, gain, status="eligible", level=None, total=None):
    return {"changes": [{"path": p, "from": f, "to": t} for p, f, t in changes], "status": status, "level": level,
            "total": total, "gain": gain}


def plan(*calls, options=None):
    """`calls`: (port, [entries]) in order; the plan's answer as summarise gives it."""
    requests = [{"call": {"port": port, "arrival": dt.date(2026, 1, 5) + dt.timedelta(weeks=i)}}
                for i, (port, _) in enumerate(calls)]
    decisions = [decision_of({"decision_id": f"{i:032x}", "vessel": {"imo": "9619907"}, "ruleset": {"revision": "r1"},
                              "programs": entries}) for i, (_, entries) in enumerate(calls)]
    return summarise("p" * 32, requests, decisions, options or {})


def amounts(money_list):
    return {m["currency"]: Decimal(m["amount"]) for m in money_list}


GREEN_SHIP = "polb-green-ship"
ESI = "pola-esi"
SINGAPORE = "singapore-green-port"
CARB = "carb-at-berth"
SHORE = "Connect to shore power within 2 hours of arrival."


def year():
    return plan(("USLGB", [entry(GREEN_SHIP, level="intermediate", total=usd("6000.00")),
                           entry(CARB, "required", obligations=[SHORE])]),
                ("USLAX", [entry(ESI, level="esi-50", total=usd("7500.00")),
                           entry(CARB, "required", obligations=[SHORE])]),
                ("SGSIN", [entry(SINGAPORE, level="low-carbon-30", total=sgd("3000.00"))]),
                ("USLGB", [entry(GREEN_SHIP, level="intermediate", total=usd("6000.00")),
                           entry(CARB, "required", obligations=[SHORE])]),
                ("SGSIN", [entry(SINGAPORE, "ineligible")]))


def test_totals_are_the_sums_of_the_calls_outcomes():
    answer = year()
    per_call: dict[str, Decimal] = {}
    for call in answer["calls"]:
        for outcome in call["programs"]:
            if outcome["total"]:
                cur = outcome["total"]["currency"]
                per_call[cur] = per_call.get(cur, Decimal(0)) + Decimal(outcome["total"]["amount"])
    totals = answer["totals"]
    assert amounts(totals["by_currency"]) == per_call == {"USD": Decimal("19500.00"), "SGD": Decimal("3000.00")}
    by_program = {p["program"]: p for p in totals["by_program"]}
    assert amounts(by_program[GREEN_SHIP]["totals"]) == {"USD": Decimal("12000.00")}
    assert by_program[SINGAPORE]["statuses"] == {"eligible": 1, "ineligible": 1}
    assert by_program[CARB]["totals"] == []
    by_port = {p["port"]: p for p in totals["by_port"]}
    assert {p: by_port[p]["calls"] for p in by_port} == {"USLGB": 2, "USLAX": 1, "SGSIN": 2}
    assert amounts(by_port["USLAX"]["totals"]) == {"USD": Decimal("7500.00")}
    assert [c["arrival"] for c in answer["calls"][:2]] == ["2026-01-05", "2026-01-12"]


def test_currencies_are_never_added_together():
    totals = year()["totals"]
    assert sorted(m["currency"] for m in totals["by_currency"]) == ["SGD", "USD"]
    assert totals["converted"] is None


def test_the_callers_rates_give_a_converted_total_and_keep_the_currencies():
    answer = plan(("USLGB", [entry(GREEN_SHIP, total=usd("6000.00"))]),
                  ("SGSIN", [entry(SINGAPORE, total=sgd("3000.00"))]),
                  options={"rates": {"SGD": Decimal("0.75")}, "report_currency": "USD"})
    converted = answer["totals"]["converted"]
    assert converted["total"] == usd("8250.00")
    assert converted["missing_rates"] == []
    assert amounts(answer["totals"]["by_currency"]) == {"USD": Decimal("6000.00"), "SGD": Decimal("3000.00")}


def test_a_missing_rate_is_named_and_nothing_is_converted():
    answer = plan(("USLGB", [entry(GREEN_SHIP, total=usd("6000.00"))]),
                  ("SGSIN", [entry(SINGAPORE, total=sgd("3000.00"))]),
                  options={"rates": {"EUR": Decimal("1.1")}, "report_currency": "USD"})
    converted = answer["totals"]["converted"]
    assert converted["total"] is None
    assert converted["missing_rates"] == ["SGD"]


def test_obligations_are_counted_per_call():
    obligations = year()["obligations"]
    assert obligations == [{"program": CARB, "obligation": SHORE, "calls": 3, "call_indexes": [0, 1, 3]}]


def test_no_advice_key_when_no_call_asked_for_advice():
    assert "advice" not in year()


def test_advice_is_ranked_by_what_it_adds_across_the_schedule():
    esi_54 = option([("vessel.esi.score", 51.2, 54)], usd("3000.00"), level="premier", total=usd("9000.00"))
    esi_54_la = option([("vessel.esi.score", 51.2, 54)], usd("1000.00"))
    slip = option([("call.methane_slip_addressed", False, True)], sgd("1000.00"))
    tier3 = option([("vessel.engines.0.imo_nox_tier", 2, 3), ("vessel.esi.score", 51.2, 54)], usd("3500.00"))
    unpriced = option([("vessel.green_award", False, True)], {"percent": "10", "fee": "port_dues"})
    answer = plan(("USLGB", [entry(GREEN_SHIP, total=usd("6000.00"), advice=[esi_54, tier3])]),
                  ("USLAX", [entry(ESI, total=usd("7500.00"), advice=[esi_54_la])]),
                  ("USLGB", [entry(GREEN_SHIP, total=usd("6000.00"), advice=[esi_54])]),
                  ("SGSIN", [entry(SINGAPORE, total=sgd("3000.00"), advice=[slip]),
                             entry("rotterdam-green-award", "ineligible", advice=[unpriced])]))
    advice = answer["advice"]
    assert [[c["path"] for c in a["changes"]] for a in advice] == [
        ["vessel.esi.score"], ["vessel.engines.0.imo_nox_tier", "vessel.esi.score"],
        ["call.methane_slip_addressed"], ["vessel.green_award"]]
    esi = advice[0]
    assert esi["adds"] == [usd("7000.00")]
    assert (esi["calls"], esi["programs"]) == (3, [ESI, GREEN_SHIP])
    assert esi["by_port"] == [{"port": "USLAX", "calls": 1, "adds": [usd("1000.00")]},
                              {"port": "USLGB", "calls": 2, "adds": [usd("6000.00")]}]
    # a percentage of a fee the call does not state is named, never summed
    assert advice[3]["adds"] == []
    assert advice[3]["unpriced"] == [{"call": 3, "program": "rotterdam-green-award", "percent": "10",
                                      "fee": "port_dues"}]


def test_the_same_change_set_is_one_item_whatever_the_order_of_its_changes():
    both = [("vessel.engines.0.imo_nox_tier", 2, 3), ("vessel.esi.score", 51.2, 54)]
    answer = plan(("USLGB", [entry(GREEN_SHIP, advice=[option(both, usd("100.00"))])]),
                  ("USLGB", [entry(GREEN_SHIP, advice=[option(both[::-1], usd("100.00"))])]))
    assert len(answer["advice"]) == 1
    assert answer["advice"][0]["adds"] == [usd("200.00")]


def test_with_rates_advice_in_several_currencies_is_ranked_by_its_converted_sum():
    in_sgd = option([("call.methane_slip_addressed", False, True)], sgd("1000.00"))
    in_usd = option([("vessel.esi.score", 51.2, 54)], usd("600.00"))
    calls = [("SGSIN", [entry(SINGAPORE, advice=[in_sgd])]), ("USLGB", [entry(GREEN_SHIP, advice=[in_usd])])]
    unconverted = plan(*calls)["advice"]
    assert unconverted[0]["changes"][0]["path"] == "call.methane_slip_addressed"
    converted = plan(*calls, options={"rates": {"SGD": Decimal("0.5")}, "report_currency": "USD"})["advice"]
    assert [a["converted"] for a in converted] == [usd("600.00"), usd("500.00")]


def test_the_plan_id_names_its_content():
    ids = [f"{i:032x}" for i in range(52)]
    rates = {"rates": {"SGD": Decimal("0.75")}, "report_currency": "USD"}
    same = plan_id("r1", ids, rates)
    assert same == plan_id("r1", list(ids), {"report_currency": "USD", "rates": {"SGD": Decimal("0.75")}})
    assert len(same) == 32 and int(same, 16) >= 0
    others = {plan_id("r2", ids, rates), plan_id("r1", ids[::-1], rates), plan_id("r1", ids[:-1], rates),
              plan_id("r1", ids, {}), plan_id("r1", ids, {**rates, "rates": {"SGD": Decimal("0.76")}})}
    assert same not in others and len(others) == 5
