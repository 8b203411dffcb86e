"""A fee is read in the currency its program bills it in: stated in the rules, held to at decision time."""

import datetime as dt
from decimal import Decimal

import pytest

from incentive_api.core.errors import RulesetError
from incentive_api.core.money import Money
from incentive_api.core.request import InvalidRequest
from support.helpers import compile_texts, decide_body, entry, vessel

DISCOUNT = """\
program: discount
name: Dockage discount
sponsor: Demo port
kind: incentive
sources: [S1]
editions:
  - edition: "1"
    effective: {from: 2020-01-01}
    applies: {ports: [USLGB]}
    fee_currencies: {dockage: USD}
    benefits:
      - {id: flat, fixed: {amount: "1000.00", currency: USD}}
      - {id: share, percent_of_fee: {percent: 50, fee: dockage}}
    cap: {amount: "2000.00", currency: USD}
examples:
  - name: dockage in dollars
    request:
      vessel: {imo: "9074729", type: container, gross_tonnage: 50000}
      call: {port: USLGB, arrival: 2024-05-01, fees: {dockage: {amount: "1000.00", currency: USD}}}
    expect: {status: eligible, total: "1500.00 USD"}
"""


def load_errors(text: str) -> list[str]:
    with pytest.raises(RulesetError) as failed:
        compile_texts(demo=text)
    return [str(e) for e in failed.value.errors if e.severity == "error"]


def dockage_call(currency: str, arrival: str = "2026-03-02", port: str = "USLGB") -> dict:
    return {"port": port, "arrival": arrival, "fees": {"dockage": {"amount": "18500.00", "currency": currency}}}


def test_a_fee_read_without_its_currency_is_a_located_load_error():
    errors = load_errors(DISCOUNT.replace("    fee_currencies: {dockage: USD}\n", ""))
    assert errors == ["demo.yaml:12:56: reads call.fees.dockage, whose currency the edition does not state: "
                      "add fee_currencies: {dockage: <ISO 4217 code>} [editions[0].benefits[1].percent_of_fee.fee]"]


def test_a_waiver_needs_its_fee_currency_too():
    text = DISCOUNT.replace("percent_of_fee: {percent: 50, fee: dockage}", "waiver: {fee: port_dues}")
    errors = load_errors(text)
    assert len(errors) == 1 and errors[0].startswith("demo.yaml:13:35:") and "call.fees.port_dues" in errors[0]


def test_a_cap_in_another_currency_than_the_benefits_is_a_located_load_error():
    errors = load_errors(DISCOUNT.replace('cap: {amount: "2000.00", currency: USD}',
                                          'cap: {amount: "2000.00", currency: EUR}'))
    assert errors == ["demo.yaml:14:40: the cap is in EUR, but benefits of this edition pay in USD: state the cap "
                      "in the currency of the total it bounds [editions[0].cap.currency]"]


def test_a_cap_is_held_to_the_currency_of_the_fee_read():
    text = DISCOUNT.replace("fee_currencies: {dockage: USD}", "fee_currencies: {dockage: JPY}")
    text = text.replace('currency: USD}}}', 'currency: JPY}}}')
    errors = load_errors(text)
    assert len(errors) == 1 and "the cap is in USD, but benefits of this edition pay in JPY" in errors[0]


def test_fee_currencies_are_checked_as_iso_codes_and_known_fees():
    errors = load_errors(DISCOUNT.replace("{dockage: USD}", "{dockage: usd, berthage: USD}"))
    assert any("ISO 4217" in e for e in errors) and any("berthage" in e for e in errors)


def test_a_stated_currency_no_benefit_reads_is_a_warning():
    rs = compile_texts(demo=DISCOUNT.replace("{dockage: USD}", "{dockage: USD, port_dues: USD}"))
    assert [str(w) for w in rs.warnings if "port_dues" in str(w)] == [
        "demo.yaml:10:36: warning: no benefit of this edition reads port_dues; remove its currency "
        "[editions[0].fee_currencies.port_dues]"]


def test_an_example_sending_a_fee_in_another_currency_is_a_located_load_error():
    errors = load_errors(DISCOUNT.replace('"1000.00", currency: USD}}}', '"1000.00", currency: EUR}}}'))
    assert len(errors) == 1
    assert errors[0].startswith("demo.yaml:19:94:")
    assert "/call/fees/dockage/currency: expected USD, not EUR: discount reads dockage in USD." in errors[0]


def test_a_requirement_states_no_fee_currencies():
    errors = load_errors(DISCOUNT.replace("kind: incentive", "kind: requirement"))
    assert any(e.startswith("demo.yaml:10:5: a requirement program has no fee_currencies") for e in errors)


@pytest.mark.parametrize("currency", ["EUR", "JPY", "KWD"])
def test_dockage_at_long_beach_in_another_currency_is_refused_at_its_pointer(ruleset, currency):
    with pytest.raises(InvalidRequest) as bad:
        decide_body(ruleset, {"vessel": vessel(), "call": dockage_call(currency)})
    assert bad.value.errors == [{"pointer": "/call/fees/dockage/currency",
                                 "message": f"expected USD, not {currency}: polb-green-flag reads dockage in USD."}]


def test_every_program_reading_the_fee_is_named(ruleset):
    with pytest.raises(InvalidRequest) as bad:
        decide_body(ruleset, {"vessel": vessel(), "call": dockage_call("EUR", arrival="2016-03-02")})
    assert bad.value.errors == [{
        "pointer": "/call/fees/dockage/currency",
        "message": "expected USD, not EUR: polb-dockage-waiver, polb-green-flag read dockage in USD."}]


def test_a_fee_no_program_in_effect_reads_may_be_in_any_currency(ruleset):
    body = {"vessel": vessel(), "call": dockage_call("USD")}
    body["call"]["fees"]["port_dues"] = {"amount": "100.00", "currency": "EUR"}  # no USLGB program reads it
    decide_body(ruleset, body)
    # Rotterdam reads port_dues_gt_portion in EUR; Long Beach reads no such fee, so any currency is fine there.
    body["call"]["fees"] = {"port_dues_gt_portion": {"amount": "100.00", "currency": "JPY"}}
    decide_body(ruleset, body)


def test_a_fee_in_its_billed_currency_is_paid_in_it(ruleset):
    body = {"vessel": vessel(), "call": dict(dockage_call("USD"), operator_vsr_compliance={
        "year": 2025, "zone_20nm_pct": 97, "zone_40nm_pct": 91})}
    flag = entry(decide_body(ruleset, body), "polb-green-flag")
    assert flag["total"] == {"amount": "4625.00", "currency": "USD"}


def test_the_shipped_editions_state_the_currency_their_programs_publish_money_in(ruleset):
    stated = {(pid, fee): currency for pid, program in ruleset.programs.items() for ed in program.editions
              for fee, currency in ed.fee_currencies.items()}
    assert stated == {
        ("polb-green-flag", "dockage"): "USD", ("polb-dockage-waiver", "dockage"): "USD",
        ("pola-vsrip", "first_day_dockage"): "USD",
        ("rotterdam-esi", "port_dues_sustainability_component"): "EUR",
        ("rotterdam-green-award", "port_dues_gt_portion"): "EUR",
        ("gothenburg-environmental", "port_dues_gt_portion"): "SEK",
        ("singapore-green-port", "port_dues"): "SGD",
        ("hk-light-dues-incentive", "port_facilities_and_light_dues"): "HKD",
        ("tokyo-green-ship", "port_entry_fee"): "JPY", ("yokohama-eco-ship", "port_entry_fee"): "JPY",
        ("kobe-green", "port_entry_fee"): "JPY", ("osaka-green", "port_entry_fee"): "JPY",
        ("nagoya-esi", "port_entry_fee"): "JPY", ("korea-vsr", "vessel_entry_exit_dues"): "KRW",
        ("vancouver-ecoaction", "harbour_dues"): "CAD",
    }


def test_money_in_two_currencies_never_compares():
    with pytest.raises(ValueError):
        Money(Decimal("1"), "USD") > Money(Decimal("1"), "EUR")  # noqa: B015
    assert Money(Decimal("2"), "USD") > Money(Decimal("1"), "USD")


def test_the_cap_holds_on_a_fee_share():
    rs = compile_texts(demo=DISCOUNT)
    body = {"vessel": vessel(), "call": dockage_call("USD", arrival="2024-05-01")}
    e = entry(decide_body(rs, body, today=dt.date(2024, 5, 1)), "discount")
    assert e["total"] == {"amount": "2000.00", "currency": "USD"}  # 1000 + 9250, capped
    assert "Total capped at 2000.00 USD per call." in e["notes"]
