"""The sample follows the shipped rules: every port, every edition boundary and every band edge is reached."""

import datetime as dt
from decimal import Decimal

import pytest

from incentive_api.core.request import parse_request
from incentive_api.sampling import generate_requests, rule_facts

N = 2_000


@pytest.fixture(scope="module")
def sample(ruleset):
    return generate_requests(N, ruleset=ruleset)


def _editions(ruleset):
    return [e for p in ruleset.programs.values() for e in p.editions]


def _calls(sample):
    return [b["call"] for b in sample if "call" in b]


def _scores(sample, key="score"):
    return {Decimal(str(b["vessel"]["esi"][key])) for b in sample if key in b["vessel"].get("esi", {})}


def test_every_port_the_rules_list_is_called_at(ruleset, sample):
    listed = {port for e in _editions(ruleset) for port in e.ports if "*" not in port}
    assert {"USOAK", "USSFO", "USSAN"} <= listed
    assert {c["port"] for c in _calls(sample)} == listed


def test_every_edition_boundary_and_the_day_before_is_an_arrival(ruleset, sample):
    bounds = {d for e in _editions(ruleset) for d in (e.start, e.until) if d is not None}
    arrivals = {dt.date.fromisoformat(c["arrival"]) for c in _calls(sample) if "arrival" in c}
    assert bounds <= arrivals
    assert {d - dt.timedelta(days=1) for d in bounds} <= arrivals


def test_every_band_edge_is_a_score_on_the_edge_and_just_below(ruleset, sample):
    edges = {x for e in _editions(ruleset) if e.score_path == "vessel.esi.score"
             for band in e.bands for x in (band.lo, band.hi) if x is not None}
    assert {Decimal(25), Decimal(48), Decimal(54), Decimal(40), Decimal(50), Decimal(81)} <= edges
    scores = _scores(sample)
    assert edges <= scores
    assert {x - Decimal("0.1") for x in edges} <= scores


def test_comparison_thresholds_on_scores_are_reached(sample):
    assert {Decimal(30), Decimal("29.9")} <= _scores(sample)  # Gothenburg: ESI 30 or more
    assert {Decimal(60), Decimal("59.9")} <= _scores(sample, "nox_score")  # Rotterdam: ESI-NOx below 60


def test_every_body_is_a_valid_request(sample):
    for body in sample:
        parse_request(body)


def test_fees_are_in_the_currency_the_rules_state_or_the_country_default(ruleset, sample):
    facts = rule_facts(ruleset)
    assert facts.currency("USLGB") == "USD"  # stated by the Green Ship Incentive's amounts
    assert facts.currency("NLRTM") == "EUR"  # percentages only: the country's currency
    for call in _calls(sample):
        for fee in call.get("fees", {}).values():
            assert fee["currency"] == facts.currency(call["port"])


def test_pacific_calls_carry_the_fees_their_programs_read_in_each_currencys_minor_unit(ruleset, sample):
    expected = {"JPTYO": ("port_entry_fee", "JPY"), "JPYOK": ("port_entry_fee", "JPY"),
                "KRPUS": ("vessel_entry_exit_dues", "KRW"), "HKHKG": ("port_facilities_and_light_dues", "HKD"),
                "CAVAN": ("harbour_dues", "CAD")}
    seen = set()
    for call in _calls(sample):
        if call["port"] in expected and call.get("fees"):
            fee, currency = expected[call["port"]]
            assert set(call["fees"]) == {fee} and call["fees"][fee]["currency"] == currency
            amount = Decimal(str(call["fees"][fee]["amount"]))
            assert amount == amount.quantize(Decimal(1) if currency in ("JPY", "KRW") else Decimal("0.01"))
            seen.add(call["port"])
    assert seen == set(expected)


def test_same_arguments_same_bodies_and_a_shorter_run_is_a_prefix(ruleset, sample):
    assert generate_requests(N, ruleset=ruleset) == sample
    assert generate_requests(300, ruleset=ruleset) == sample[:300]
    assert generate_requests(300, ruleset=ruleset, seed=7) != sample[:300]


def test_ports_restrict_the_calls_and_must_be_the_rules_ports(ruleset):
    calls = _calls(generate_requests(200, ruleset=ruleset, ports=["USSAN"]))
    assert calls and {c["port"] for c in calls} == {"USSAN"}
    with pytest.raises(ValueError, match="BRSSZ"):
        generate_requests(1, ruleset=ruleset, ports=["BRSSZ"])
    with pytest.raises(ValueError):
        generate_requests(1, ruleset=ruleset, ports=[])
