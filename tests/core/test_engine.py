"""Evaluation semantics on small, purpose-built rule files."""

import datetime as dt
import json

import pytest

from incentive_api.core.identity import decision_id
from incentive_api.core.request import InvalidRequest, parse_request
from support.helpers import compile_texts, decide_body, entry, vessel

STACKING = """\
program: stack
name: Stacking demo
sponsor: Demo port
kind: incentive
sources: [S1]
notes: ["A program-wide interpretation."]
editions:
  - edition: "1"
    effective: {from: 2020-01-01}
    applies: {ports: [USLGB], vessel_types: [container, reefer]}
    score: {path: vessel.esi.score}
    bands:
      - level: base
        min: 25
        below: 50
        benefits: [{id: base, fixed: {amount: "1000.00", currency: USD}}]
      - level: top
        min: 50
        max: 100
        benefits:
          - {id: top, fixed: {amount: "4000.00", currency: USD}}
          - {id: top-dockage, percent_of_fee: {percent: 12.5, fee: dockage}}
    addons:
      - id: tier3
        when: {path: vessel.main_engine_tier, op: "=", value: 3}
        benefits: [{id: tier3, fixed: {amount: "3000.00", currency: USD}}]
      - id: tap
        when: {path: call.tap_demonstration, op: "=", value: true}
        standalone: true
        benefits: [{id: tap, fixed: {amount: "750.00", currency: USD}}]
    cap: {amount: "6000.00", currency: USD}
    fee_currencies: {dockage: USD}
"""

REQUIREMENT = """\
program: must
name: Requirement demo
sponsor: Demo board
kind: requirement
sources: [S2]
editions:
  - edition: "1"
    effective: {from: 2020-01-01}
    applies: {ports: [US*]}
    conditions:
      all:
        - {path: vessel.type, op: in, value: [container, cruise]}
        - any:
            - {path: vessel.type, op: "!=", value: cruise}
            - {path: as_of, op: ">=", value: 2021-01-01}
    obligations: ["Connect to shore power."]
"""

DRAFT = """\
program: sketch
name: Draft demo
sponsor: Demo city
kind: incentive
draft: true
sources: [S3]
editions:
  - edition: "1"
    effective: {from: 2020-01-01}
    applies: {ports: [USLGB]}
    conditions: {path: call.shore_power_used, op: "=", value: true}
    benefits: [{id: flat, fixed: {amount: "1.00", currency: USD}}]
"""


@pytest.fixture(scope="module")
def rs():
    return compile_texts(stack=STACKING, must=REQUIREMENT, sketch=DRAFT)


def call(**over):
    base = {"port": "USLGB", "arrival": "2024-05-01"}
    base.update(over)
    return base


def test_band_edges(rs):
    def level(score):
        e = entry(decide_body(rs, {"vessel": vessel(esi={"score": score}), "call": call()}), "stack")
        return e["status"], e["level"]
    assert level(24.99) == ("ineligible", None)
    assert level(25) == ("eligible", "base")
    assert level(49.99) == ("eligible", "base")
    assert level(50) == ("eligible", "top")
    assert level(100) == ("eligible", "top")


def test_addons_stack_and_the_cap_holds(rs):
    body = {"vessel": vessel(esi={"score": 60}, engines=[{"role": "main", "imo_nox_tier": 3}]),
            "call": call(tap_demonstration=True)}
    e = entry(decide_body(rs, body), "stack")
    assert [b["id"] for b in e["benefits"]] == ["top", "top-dockage", "tier3", "tap"]
    # the percentage has no fee to apply to, so there is no total, and the note says what to send
    assert e["total"] is None
    assert any("call.fees.dockage" in n for n in e["notes"])
    body["call"]["fees"] = {"dockage": {"amount": "10000", "currency": "USD"}}
    e = entry(decide_body(rs, body), "stack")
    assert [b["amount"] for b in e["benefits"]] == ["4000.00", "1250.00", "3000.00", "750.00"]
    assert e["total"] == {"amount": "6000.00", "currency": "USD"}  # 9000 capped at 6000
    assert any("capped" in n for n in e["notes"])


def test_addon_without_level_only_when_standalone(rs):
    body = {"vessel": vessel(esi={"score": 10}, engines=[{"role": "main", "imo_nox_tier": 3}]),
            "call": call(tap_demonstration=True)}
    e = entry(decide_body(rs, body), "stack")
    assert e["status"] == "eligible" and e["level"] is None
    assert [b["id"] for b in e["benefits"]] == ["tap"]
    assert e["total"] == {"amount": "750.00", "currency": "USD"}
    assert e["next_level"] == {"level": "base", "needs": "vessel.esi.score >= 25"}


def test_percent_of_fee_is_exact(rs):
    body = {"vessel": vessel(esi={"score": 50}),
            "call": call(fees={"dockage": {"amount": "1234.57", "currency": "USD"}})}
    e = entry(decide_body(rs, body), "stack")
    # 12.5% of 1234.57 = 154.32125 -> 154.32 (half-even to the cent)
    assert e["benefits"][1]["amount"] == "154.32" and e["benefits"][1]["percent"] == "12.5"
    assert e["total"] == {"amount": "4154.32", "currency": "USD"}


def test_applicability_gate_explains_why_not(rs):
    e = entry(decide_body(rs, {"vessel": vessel(type="bulk_carrier", esi={"score": 80}), "call": call()}), "stack")
    assert e["status"] == "ineligible"
    gate = e["criteria"][0]
    assert gate["passed"] is False and gate["path"] == "vessel.type" and gate["value"] == "bulk_carrier"
    assert "vessel type covered" in gate["reason"]


def test_insufficient_data_lists_missing_paths(rs):
    e = entry(decide_body(rs, {"vessel": vessel(), "call": call()}), "stack")
    assert e["status"] == "insufficient_data"
    assert e["missing"] == ["call.tap_demonstration", "vessel.esi.score", "vessel.main_engine_tier"]
    assert e["benefits"] == [] and e["total"] is None


def test_requirement_against_incentive(rs):
    d = decide_body(rs, {"vessel": vessel(type="cruise"), "call": call(arrival="2020-12-31")})
    assert entry(d, "must")["status"] == "not_required"
    assert entry(d, "must")["kind"] == "requirement"
    d = decide_body(rs, {"vessel": vessel(type="cruise"), "call": call(arrival="2021-01-01")})
    must = entry(d, "must")
    assert must["status"] == "required" and must["obligations"] == ["Connect to shore power."]
    assert must["benefits"] == [] and "level" in must


def test_country_wildcard_applies_to_every_port_of_the_country(rs):
    d = decide_body(rs, {"vessel": vessel(), "call": call(port="USOAK")})
    assert [p["program"] for p in d["programs"]] == ["must"]
    d = decide_body(rs, {"vessel": vessel(), "call": call(port="NLRTM")})
    assert d["programs"] == []


def test_effective_window_start_is_inclusive(rs):
    d = decide_body(rs, {"vessel": vessel(), "call": call(arrival="2019-12-31")})
    assert d["programs"] == []
    d = decide_body(rs, {"vessel": vessel(), "call": call(arrival="2020-01-01")})
    assert [p["program"] for p in d["programs"]] == ["must", "stack"]


def test_draft_only_when_asked_for_and_flagged(rs):
    body = {"vessel": vessel(), "call": call(shore_power_used=True)}
    assert "sketch" not in [p["program"] for p in decide_body(rs, body)["programs"]]
    body["programs"] = ["sketch"]
    [e] = decide_body(rs, body)["programs"]
    assert e["draft"] is True and e["status"] == "eligible"
    assert e["notes"][0].startswith("DRAFT")


def test_unknown_program_id_is_a_field_error(rs):
    with pytest.raises(InvalidRequest) as exc:
        decide_body(rs, {"vessel": vessel(), "programs": ["stack", "nope"]})
    assert exc.value.errors == [{"pointer": "/programs/1", "message": "Unknown program 'nope'."}]


def test_without_a_call_every_port_as_of_today(rs):
    d = decide_body(rs, {"vessel": vessel(esi={"score": 30})}, today=dt.date(2025, 3, 3))
    assert d["as_of"] == "2025-03-03"
    assert [p["program"] for p in d["programs"]] == ["must", "stack"]


def test_deterministic_decision_id_included(rs):
    """The core reads no clock and no random source: the same request gives the same bytes, id included."""
    body = {"vessel": vessel(esi={"score": 60}, engines=[{"role": "main", "imo_nox_tier": 3}]),
            "call": call(fees={"dockage": {"amount": "100.10", "currency": "USD"}})}
    a, b = decide_body(rs, body), decide_body(rs, body)
    assert a["decision_id"] == decision_id(rs.revision, parse_request(body), dt.date(2026, 1, 1))
    assert json.dumps(a) == json.dumps(b)


def test_money_is_never_float(rs):
    body = {"vessel": vessel(esi={"score": 60}), "call": call(fees={"dockage": {"amount": "0.10", "currency": "USD"}})}
    e = entry(decide_body(rs, body), "stack")
    for b in e["benefits"]:
        assert isinstance(b["amount"], str)
    assert isinstance(e["total"]["amount"], str)
