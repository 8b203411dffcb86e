"""Money is made to each currency's ISO 4217 minor unit: whole yen and won, cents of dollars, fils of dinars."""

import datetime as dt
from decimal import Decimal

import pytest

from incentive_api.core.errors import RulesetError
from incentive_api.core.money import Money, amount_text, minor_unit, percent_of
from incentive_api.core.plans import summarise
from incentive_api.core.whatif import diff
from support.helpers import compile_texts, decide_body, decision_of, entry, vessel

ENTRY_FEE = """\
program: entry-discount
name: Entry fee discount
sponsor: Demo port
kind: incentive
sources: [S1]
editions:
  - edition: "1"
    effective: {from: 2020-01-01}
    applies: {ports: [JPTYO]}
    fee_currencies: {port_entry_fee: JPY}
    benefits:
      - {id: share, percent_of_fee: {percent: 15, fee: port_entry_fee}}
    cap: {amount: "200000", currency: JPY}
examples:
  - name: fifteen percent, half-even to the yen
    request:
      vessel: {imo: "9074729", type: container, gross_tonnage: 50000}
      call: {port: JPTYO, arrival: 2024-05-01, fees: {port_entry_fee: {amount: "1234567", currency: JPY}}}
    expect: {status: eligible, total: "185185 JPY"}
"""


def call(amount, currency="JPY", port="JPTYO"):
    return {"port": port, "arrival": "2024-05-01", "fees": {"port_entry_fee": {"amount": amount, "currency": currency}}}


@pytest.mark.parametrize("currency, places", [("JPY", 0), ("KRW", 0), ("HKD", 2), ("CNY", 2), ("CAD", 2),
                                              ("USD", 2), ("KWD", 3)])
def test_minor_units_are_iso_4217s(currency, places):
    assert minor_unit(currency) == places


def test_fifteen_percent_of_a_yen_fee_is_whole_yen_half_even():
    assert percent_of(Decimal(15), Money(Decimal("1234567"), "JPY")).as_json() == {"amount": "185185",
                                                                                   "currency": "JPY"}
    # 0.5 of a won rounds to the even neighbour, as billing systems do
    assert percent_of(Decimal(50), Money(Decimal("3"), "KRW")).as_json()["amount"] == "2"
    assert percent_of(Decimal(50), Money(Decimal("5"), "KRW")).as_json()["amount"] == "2"
    assert percent_of(Decimal(50), Money(Decimal("43.01"), "HKD")).as_json()["amount"] == "21.50"
    assert amount_text(Decimal("1.2345"), "KWD") == "1.234"


def test_an_answer_and_its_cap_are_in_whole_yen():
    rs = compile_texts(entry_discount=ENTRY_FEE)
    paid = entry(decide_body(rs, {"vessel": vessel(), "call": call("1234567")}), "entry-discount")
    assert paid["total"] == {"amount": "185185", "currency": "JPY"}
    assert paid["benefits"][0]["amount"] == "185185"
    capped = entry(decide_body(rs, {"vessel": vessel(), "call": call("9999999")}), "entry-discount")
    assert capped["total"] == {"amount": "200000", "currency": "JPY"}
    assert "Total capped at 200000 JPY per call." in capped["notes"]


def test_a_rule_amount_finer_than_its_currency_is_a_located_load_error():
    with pytest.raises(RulesetError) as failed:
        compile_texts(entry_discount=ENTRY_FEE.replace('"200000", currency: JPY', '"200000.5", currency: JPY'))
    errors = [str(e) for e in failed.value.errors if e.severity == "error"]
    assert errors == ["entry_discount.yaml:13:19: JPY has no minor unit (ISO 4217): whole JPY only; 200000.5 has "
                      "finer digits [editions[0].cap.amount]"]


def test_plan_totals_are_in_each_currencys_minor_unit():
    requests = [{"call": {"port": p, "arrival": dt.date(2026, 1, 5) + dt.timedelta(weeks=i)}}
                for i, p in enumerate(["JPTYO", "KRPUS", "HKHKG"])]
    totals = [{"amount": "185185", "currency": "JPY"}, {"amount": "3330000", "currency": "KRW"},
              {"amount": "21.50", "currency": "HKD"}]
    decisions = [decision_of({"decision_id": f"{i:032x}", "vessel": {"imo": "9619907"}, "ruleset": {"revision": "r1"},
                              "programs": [{"program": f"p{i}", "status": "eligible", "level": None, "total": t,
                                            "obligations": []}]}) for i, t in enumerate(totals)]
    answer = summarise("p" * 32, requests, decisions,
                       {"rates": {"JPY": Decimal("0.0067"), "KRW": Decimal("0.00072"), "HKD": Decimal("0.128")},
                        "report_currency": "JPY"})
    assert {m["currency"]: m["amount"] for m in answer["totals"]["by_currency"]} == {
        "JPY": "185185", "KRW": "3330000", "HKD": "21.50"}
    # converted into yen: 185185 + 3330000 * 0.00072 + 21.50 * 0.128 = 187585.352, to the whole yen
    assert answer["totals"]["converted"]["total"] == {"amount": "187585", "currency": "JPY"}


def test_what_if_money_per_call_is_in_whole_yen():
    old = compile_texts(entry_discount=ENTRY_FEE)
    new = compile_texts(entry_discount=ENTRY_FEE.replace("percent: 15", "percent: 20"))
    # 15%: 185185 + 150000 + 1; 20%: 246913 capped at 200000, 200000 capped, 1
    bodies = [{"vessel": vessel(), "call": call(a)} for a in ("1234567", "1000001", "7")]
    report = diff(old, new, bodies, today=dt.date(2026, 1, 1))
    money = report["programs"]["entry-discount"]["money"]["JPY"]
    assert money == {"before": "335186", "after": "400001", "delta": "64815",
                     "per_call_before": "111729", "per_call_after": "133334"}
