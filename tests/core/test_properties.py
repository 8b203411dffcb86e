"""Property tests: no generated vessel or call crashes evaluation, and evaluation is deterministic."""

import datetime as dt
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incentive_api.core import inputs
from incentive_api.core.engine import decide
from incentive_api.core.request import InvalidRequest, parse_request

PORTS = ["USLGB", "USLAX", "USOAK", "CNYTN", "CNSZX", "CNSHA", "NLRTM", "SGSIN", "SEGOT", "DEHAM"]
numbers = st.one_of(st.integers(-10, 200_000), st.decimals(-10, 1000, allow_nan=False, places=3))
maybe = lambda s: st.one_of(st.none(), s)  # noqa: E731
dates = st.dates(dt.date(2000, 1, 1), dt.date(2035, 12, 31)).map(dt.date.isoformat)
bools = st.booleans()


def _drop_none(d):
    return {k: v for k, v in d.items() if v is not None}


engines = st.lists(st.fixed_dictionaries({
    "role": st.sampled_from(inputs.ENGINE_ROLES),
    "imo_nox_tier": maybe(st.integers(0, 3)),
    "rated_power_kw": maybe(st.integers(1, 80_000)),
}).map(_drop_none), max_size=4)

vessels = st.fixed_dictionaries({
    "imo": st.sampled_from(["9074729", "IMO 7654329", "9619907", "9074728"]),
    "type": st.sampled_from(inputs.VESSEL_TYPES),
    "gross_tonnage": numbers,
    "flag": maybe(st.sampled_from(["PA", "SG", "LR", "xx"])),
    "engines": maybe(engines),
    "fuels": maybe(st.lists(st.sampled_from(inputs.FUELS), max_size=4)),
    "scrubber": maybe(st.sampled_from(inputs.SCRUBBERS)),
    "shore_power": maybe(st.fixed_dictionaries({"fitted": bools, "commissioned": maybe(bools)}).map(_drop_none)),
    "esi": maybe(st.fixed_dictionaries({
        "score": maybe(numbers), "nox_score": maybe(numbers), "nox_valid": maybe(bools),
        "sox_valid": maybe(bools), "valid_until": maybe(dates)}).map(_drop_none)),
    "csi_stars": maybe(st.integers(0, 6)),
    "green_award": maybe(bools),
    "eedi_improvement_pct": maybe(numbers),
}).map(_drop_none)

money = st.fixed_dictionaries({"amount": st.decimals(0, 10**7, places=2, allow_nan=False).map(str),
                               "currency": st.sampled_from(["USD", "EUR", "SGD"])})
calls = st.fixed_dictionaries({
    "port": st.sampled_from(PORTS),
    "arrival": maybe(dates),
    "departure": maybe(dates),
    "hours_at_berth": maybe(numbers),
    "international_voyage": maybe(bools),
    "berth_has_shore_power": maybe(bools),
    "fuel_at_berth": maybe(st.sampled_from(inputs.FUELS)),
    "fuel_sulphur_pct": maybe(st.decimals(0, 4, places=2, allow_nan=False)),
    "shore_power_used": maybe(bools),
    "caecs_used": maybe(bools),
    "tap_demonstration": maybe(bools),
    "terminal_visits_per_year": maybe(st.integers(0, 500)),
    "biofuel_blend_pct": maybe(st.integers(0, 100)),
    "vsr": maybe(st.fixed_dictionaries({"within_20nm": maybe(bools), "within_40nm": maybe(bools)}).map(_drop_none)),
    "operator_vsr_compliance": maybe(st.fixed_dictionaries({
        "year": st.integers(2005, 2030), "zone_20nm_pct": maybe(numbers), "zone_40nm_pct": maybe(numbers)}).map(_drop_none)),
    "fees": maybe(st.dictionaries(st.sampled_from(inputs.FEES), money, max_size=3)),
}).map(_drop_none)

bodies = st.fixed_dictionaries({"vessel": vessels, "call": maybe(calls)}).map(_drop_none)


def decided(ruleset, request, today):
    """The decision, or None when the ruleset refuses the request for the one reason a valid request can
    be refused: a fee sent in another currency than a program in effect bills it in."""
    try:
        return decide(ruleset, request, today=today, decision_id="x").to_json()
    except InvalidRequest as refused:
        assert all(e["pointer"].startswith("/call/fees/") and e["pointer"].endswith("/currency")
                   for e in refused.errors), refused.errors
        return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=bodies, today=st.dates(dt.date(2010, 1, 1), dt.date(2030, 1, 1)))
def test_no_generated_request_crashes_and_answers_are_deterministic(ruleset, body, today):
    try:
        request = parse_request(body)
    except InvalidRequest as bad:
        assert bad.errors and all(e["pointer"].startswith("/") for e in bad.errors)
        return
    first = decided(ruleset, request, today)
    if first is None:
        return
    second = decide(ruleset, parse_request(body), today=today, decision_id="x").to_json()
    assert json.dumps(first) == json.dumps(second)
    for entry in first["programs"]:
        valid = {"incentive": {"eligible", "ineligible", "insufficient_data"},
                 "requirement": {"required", "not_required", "insufficient_data"}}[entry["kind"]]
        assert entry["status"] in valid
        if entry["status"] == "insufficient_data":
            assert entry["missing"], entry
        if entry["total"] is not None:
            assert entry["status"] == "eligible"
            assert entry["total"]["amount"].count(".") == 1
        if entry["status"] != "eligible":
            assert entry["level"] is None and entry["benefits"] == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=bodies)
def test_every_program_asked_for_by_id_answers(ruleset, body):
    body = dict(body, programs=sorted(ruleset.programs))
    try:
        request = parse_request(body)
    except InvalidRequest:
        return
    decision = decided(ruleset, request, dt.date(2026, 1, 1))
    if decision is None:
        return
    assert len({p["program"] for p in decision["programs"]}) == len(decision["programs"])
