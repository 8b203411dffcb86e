"""Advice on real programs: what would raise an answer, each option proven by deciding it again."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incentive_api.core.actionable import ACTIONABLE
from incentive_api.core.advice import advise, changed_body
from incentive_api.core.engine import decide
from incentive_api.core.identity import canonical
from incentive_api.core.request import parse_request
from incentive_api.sampling import generate_requests
from support.helpers import decide_body, entry

TODAY = dt.date(2026, 1, 1)
ESI = {"nox_valid": True, "sox_valid": True, "valid_until": "2026-12-31"}


def polb(score, tier=2, **call):
    return {"vessel": {"imo": "9619907", "type": "container", "gross_tonnage": 194849,
                       "engines": [{"role": "main", "imo_nox_tier": tier}], "esi": {"score": score, **ESI}},
            "call": {"port": "USLGB", "arrival": "2026-03-02", **call}, "advice": True}


def changes(option):
    return {(c["path"], c["from"], c["to"]) for c in option["changes"]}


def test_polb_green_ship_score_to_54_reaches_premier_and_tier_iii_adds_the_bonus(ruleset):
    advice = entry(decide_body(ruleset, polb(51.2)), "polb-green-ship")["advice"]
    premier = next(o for o in advice if changes(o) == {("vessel.esi.score", 51.2, 54)})
    assert (premier["status"], premier["level"]) == ("eligible", "premier")
    assert premier["total"] == {"amount": "6000.00", "currency": "USD"}
    assert premier["gain"] == {"amount": "3000.00", "currency": "USD"}
    bonus = next(o for o in advice if changes(o) == {("vessel.esi.score", 51.2, 54), ("vessel.main_engine_tier", 2, 3)})
    assert bonus["total"] == {"amount": "9000.00", "currency": "USD"}
    assert bonus["gain"] == {"amount": "6000.00", "currency": "USD"}
    assert advice[0] is bonus  # ranked by gain
    assert premier["esi"]["score_to"] >= 54  # the OPS points of a class-approved installation get there
    assert len(advice) <= 5


def test_advice_is_the_last_key_and_only_when_asked(ruleset):
    asked = entry(decide_body(ruleset, polb(51.2)), "polb-green-ship")
    assert list(asked)[-1] == "advice"
    body = polb(51.2)
    del body["advice"]
    plain = decide_body(ruleset, body)
    assert all("advice" not in e for e in plain["programs"])
    off = decide_body(ruleset, {**body, "advice": False})
    assert canonical(off) == canonical(plain)  # the same id and bytes as a request without the field


@pytest.mark.parametrize("program, port", [("pola-vsrip", "USLAX"), ("polb-green-flag", "USLGB")])
def test_fleet_vsr_compliance_85_to_90_percent(ruleset, program, port):
    body = polb(60)
    body["call"] = {"port": port, "arrival": "2026-03-02",
                    "fees": {"first_day_dockage" if program == "pola-vsrip" else "dockage":
                             {"amount": "10000.00", "currency": "USD"}},
                    "operator_vsr_compliance": {"year": 2025, "zone_20nm_pct": 85, "zone_40nm_pct": 85}}
    found = entry(decide_body(ruleset, body), program)
    assert found["status"] == "ineligible"
    raised = [changes(o) for o in found["advice"]]
    assert {("call.operator_vsr_compliance.zone_20nm_pct", 85, 90)} in raised
    assert {("call.operator_vsr_compliance.zone_40nm_pct", 85, 90)} in raised
    assert all(o["gain"]["currency"] == "USD" for o in found["advice"])


def test_singapore_2025_lng_with_methane_slip_control_goes_from_20_to_30_percent(ruleset):
    body = {"vessel": {"imo": "9619907", "type": "container", "gross_tonnage": 194849},
            "call": {"port": "SGSIN", "arrival": "2026-03-02", "departure": "2026-03-04", "fuel_at_berth": "lng",
                     "methane_slip_addressed": False,
                     "fees": {"port_dues": {"amount": "10000.00", "currency": "SGD"}}},
            "advice": True}
    found = entry(decide_body(ruleset, body), "singapore-green-port")
    assert (found["level"], found["total"]["amount"]) == ("low-carbon-20", "2000.00")
    slip = next(o for o in found["advice"] if changes(o) == {("call.methane_slip_addressed", False, True)})
    assert (slip["level"], slip["total"], slip["gain"]) == (
        "low-carbon-30", {"amount": "3000.00", "currency": "SGD"}, {"amount": "1000.00", "currency": "SGD"})
    del body["call"]["fees"]
    without_fee = entry(decide_body(ruleset, body), "singapore-green-port")["advice"]
    slip = next(o for o in without_fee if changes(o) == {("call.methane_slip_addressed", False, True)})
    assert slip["gain"] == {"percent": "10", "fee": "port_dues"}


def test_a_requirement_gets_no_advice_to_avoid_it(ruleset):
    body = {"vessel": {"imo": "9619907", "type": "container", "gross_tonnage": 194849,
                       "shore_power": {"fitted": True, "commissioned": True}},
            "call": {"port": "CNYTN", "arrival": "2026-03-02", "international_voyage": True,
                     "equivalent_measures": False, "hours_at_berth": 20, "berth_has_shore_power": True},
            "advice": True}
    found = entry(decide_body(ruleset, body), "china-shore-power")
    assert found["status"] == "required"
    assert "advice" not in found
    assert "china-shore-power" not in advise(ruleset, parse_request(body), TODAY)


def test_an_entry_eligible_at_its_top_level_has_none(ruleset):
    found = entry(decide_body(ruleset, polb(56, tier=3)), "polb-green-ship")
    assert (found["status"], found["level"]) == ("eligible", "premier")
    assert "advice" not in found


@pytest.fixture(scope="module")
def fleet(ruleset):
    return generate_requests(300, ruleset=ruleset)


FIXED = ("vessel.imo", "vessel.type", "vessel.gross_tonnage", "vessel.flag", "call.port", "call.arrival",
         "call.departure")


def _at(request, path):
    section, *rest = path.split(".")
    value = request.get(section) or {}
    for key in rest:
        value = value.get(key) if isinstance(value, dict) else None
    return value


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(index=st.integers(0, 299))
def test_every_option_applied_gives_exactly_what_it_claims(ruleset, fleet, index):
    body = fleet[index]
    request = parse_request(body)
    as_of = (request.get("call") or {}).get("arrival") or TODAY
    for program, options in advise(ruleset, request, TODAY).items():
        assert len(options) <= 5
        for option in options:
            assert {c["path"] for c in option["changes"]} <= ACTIONABLE
            assert 1 <= len(option["changes"]) <= 3
            changed = parse_request(changed_body(body, option["changes"], as_of))
            assert all(_at(changed, path) == _at(request, path) for path in FIXED)
            got = entry(decide(ruleset, changed, today=TODAY).to_json(), program)
            assert (got["status"], got["level"], got["total"]) == (option["status"], option["level"], option["total"])


def test_korea_speed_reduction_advises_the_sixty_percent_share(ruleset):
    body = {"vessel": {"imo": "9619907", "type": "container", "gross_tonnage": 194849},
            "call": {"port": "KRPUS", "arrival": "2026-05-04", "international_voyage": True,
                     "vsr": {"within_20nm": True, "share_of_year_calls_pct": 55},
                     "fees": {"vessel_entry_exit_dues": {"amount": "11100000", "currency": "KRW"}}},
            "advice": True}
    answer = entry(decide_body(ruleset, body), "korea-vsr")
    assert answer["status"] == "ineligible"
    share = next(o for o in answer["advice"] if changes(o) == {("call.vsr.share_of_year_calls_pct", 55, 60)})
    assert share["gain"] == {"amount": "3330000", "currency": "KRW"}  # 30% of 11,100,000 won


def test_hong_kong_advises_registering_before_arrival(ruleset):
    body = {"vessel": {"imo": "9619907", "type": "container", "gross_tonnage": 194849, "solas_certificate": True},
            "call": {"port": "HKHKG", "arrival": "2016-03-01", "fuel_at_berth": "mgo", "fuel_sulphur_pct": 0.08,
                     "registered_for_incentive": False,
                     "berth_fuel_switch": {"hours_after_arrival": 0.5, "hours_before_departure": 0.5},
                     "fees": {"port_facilities_and_light_dues": {"amount": "8601.25", "currency": "HKD"}}},
            "advice": True}
    answer = entry(decide_body(ruleset, body), "hk-light-dues-incentive")
    assert answer["status"] == "ineligible"
    register = next(o for o in answer["advice"] if changes(o) == {("call.registered_for_incentive", False, True)})
    assert register["gain"] == {"amount": "4300.62", "currency": "HKD"}  # half of 8,601.25, half-even
