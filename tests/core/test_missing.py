"""`missing` names what left an answer open, and the fees whose absence kept money from being computed."""

import datetime as dt

from incentive_api.core.engine import decide
from incentive_api.core.request import parse_request
from incentive_api.sampling import generate_requests
from support.helpers import decide_body, entry, vessel

DECIDED = {"eligible", "ineligible", "required", "not_required"}


def pola(esi_score=None, **call):
    v = vessel(type="container", gross_tonnage=90000)
    if esi_score is not None:
        v["esi"] = {"score": esi_score}
    return {"vessel": v, "call": {"port": "USLAX", "arrival": "2026-03-02", **call}}


def test_an_ineligible_answer_lists_nothing_missing(ruleset):
    e = entry(decide_body(ruleset, pola(esi_score=30)), "pola-esi")
    assert e["status"] == "ineligible" and e["missing"] == []


def test_an_eligible_answer_does_not_list_the_inputs_of_add_ons_it_could_not_judge(ruleset):
    e = entry(decide_body(ruleset, pola(esi_score=55)), "pola-esi")
    assert e["status"] == "eligible" and e["total"] == {"amount": "2500.00", "currency": "USD"}
    assert e["missing"] == []
    assert any(c["path"] == "call.tap_demonstration" and c["passed"] is None for c in e["criteria"])


def test_an_open_answer_still_lists_what_left_it_open(ruleset):
    e = entry(decide_body(ruleset, pola()), "pola-esi")
    assert e["status"] == "insufficient_data"
    assert e["missing"] == ["call.tap_demonstration", "vessel.esi.score", "vessel.main_engine_tier"]


def test_a_percentage_without_its_fee_names_the_fee(ruleset):
    body = pola(operator_vsr_compliance={"year": 2025, "zone_20nm_pct": 95, "zone_40nm_pct": 95},
                fees={"dockage": {"amount": "27000.00", "currency": "USD"}})
    e = entry(decide_body(ruleset, body), "pola-vsrip")
    assert e["status"] == "eligible" and e["level"] == "vsr-40nm" and e["total"] is None
    assert e["missing"] == ["call.fees.first_day_dockage"]
    assert "Give call.fees.first_day_dockage to see 'vsrip-40nm' as money." in e["notes"]
    body["call"]["fees"]["first_day_dockage"] = {"amount": "9000.00", "currency": "USD"}
    e = entry(decide_body(ruleset, body), "pola-vsrip")
    assert e["total"] == {"amount": "2700.00", "currency": "USD"} and e["missing"] == []


def test_a_waiver_without_its_fee_names_the_fee(ruleset):
    body = {"vessel": vessel(), "call": {"port": "USLGB", "arrival": "2016-03-02", "vsr": {"within_40nm": True},
                                         "shore_power_used": True}}
    e = entry(decide_body(ruleset, body), "polb-dockage-waiver")
    assert e["status"] == "eligible" and e["total"] is None
    assert e["missing"] == ["call.fees.dockage"]


def test_a_level_reached_below_an_unjudged_one_names_the_inputs_in_its_note(ruleset):
    body = pola(operator_vsr_compliance={"year": 2025, "zone_20nm_pct": 95},
                fees={"first_day_dockage": {"amount": "4000.00", "currency": "USD"}})
    e = entry(decide_body(ruleset, body), "pola-vsrip")
    assert e["status"] == "eligible" and e["level"] == "vsr-20nm" and e["missing"] == []
    assert ("Level 'vsr-20nm' was reached, but the higher level(s) 'vsr-40nm' could not be judged: "
            "send call.operator_vsr_compliance.zone_40nm_pct.") in e["notes"]


def test_across_a_generated_fleet_only_open_answers_and_uncomputed_fees_list_anything(ruleset):
    for body in generate_requests(400, ruleset=ruleset):
        decision = decide(ruleset, parse_request(body), today=dt.date(2026, 1, 1), decision_id="-").to_json()
        for e in decision["programs"]:
            if e["status"] == "insufficient_data":
                assert e["missing"], e
            elif e["status"] == "eligible":
                assert all(path.startswith("call.fees.") for path in e["missing"]), e
                assert bool(e["missing"]) == (e["total"] is None and any(b["amount"] is None for b in e["benefits"])), e
            else:
                assert e["status"] in DECIDED and e["missing"] == [], e
