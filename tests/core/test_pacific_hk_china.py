"""Hong Kong's incentive and fuel rules, and China's emission control areas, decided from the real rule files."""

import re
from pathlib import Path

import pytest

from incentive_api.core.ruleset import compile_ruleset
from support.helpers import RULES, decide_body

PACIFIC_MD = Path(__file__).resolve().parents[3] / "shared" / "programs-pacific.md"
HK = ["hk-light-dues-incentive", "hk-fuel-at-berth", "hk-fuel-for-vessels"]
DECA = ["china-deca-2015", "china-deca-2018"]
# The programs answering at these ports, and the data they read; other programs' files are left out so that
# a half-finished rule file elsewhere cannot break these answers.
FILES = ["sources", "emission-control-areas", *HK, *DECA, "china-shore-power", "marpol-annex-vi-sulphur"]

CONTAINER_SHIP = {"imo": "9619907", "type": "container", "gross_tonnage": 194849, "scrubber": "none"}
# Compliance routes other than compliant fuel: a call that does not use one shows it failed, and that is no breach.
ALTERNATIVES = {"vessel.scrubber", "call.fuel_at_berth", "call.shore_power_used"}


@pytest.fixture(scope="module")
def rules():
    return compile_ruleset([(f"{name}.yaml", (RULES / f"{name}.yaml").read_text()) for name in FILES])


def answers(rules, call, vessel=CONTAINER_SHIP):
    return {p["program"]: p for p in decide_body(rules, {"vessel": vessel, "call": call})["programs"]}


def failed(answer):
    return [c for c in answer["criteria"] if c["passed"] is False]


def breaches(answer):
    """The failed criteria of a call that relies on compliant fuel."""
    return [c for c in failed(answer) if c["path"] not in ALTERNATIVES]


def fuel_within_cap(deca):
    """Whether the national plan's fuel route holds: 0.1% S anywhere, or 0.5% S where the area allows it."""
    fuel = {("0.1" if "<= 0.1" in c["reason"] else "0.5"): c["passed"]
            for c in deca["criteria"] if c["path"] == "call.fuel_sulphur_pct"}
    area = [c["passed"] for c in deca["criteria"] if c["path"] == "call.china_deca_area"]
    return bool(fuel.get("0.1")) or (all(area) and bool(fuel.get("0.5")))


def test_hong_kong_on_1_jan_2016_lists_the_incentive_and_the_fuel_at_berth_requirement(rules):
    got = answers(rules, {
        "port": "HKHKG", "arrival": "2016-01-01", "registered_for_incentive": True, "fuel_sulphur_pct": 0.5,
        "berth_fuel_switch": {"hours_after_arrival": 1, "hours_before_departure": 1},
        "fees": {"port_facilities_and_light_dues": {"amount": "21500.00", "currency": "HKD"}},
    }, vessel={**CONTAINER_SHIP, "solas_certificate": True})
    incentive, at_berth = got["hk-light-dues-incentive"], got["hk-fuel-at-berth"]
    assert (incentive["edition"], incentive["status"]) == ("2015-extended", "eligible")
    assert incentive["total"] == {"amount": "10750.00", "currency": "HKD"}
    assert (at_berth["edition"], at_berth["status"]) == ("2015", "required")
    assert at_berth["obligations"] and breaches(at_berth) == []
    assert "hk-fuel-for-vessels" not in got


def test_hong_kong_in_2020_answers_only_the_fuel_for_vessels_regulation_and_names_a_breach(rules):
    got = answers(rules, {"port": "HKHKG", "arrival": "2020-06-01", "fuel_sulphur_pct": 2.8,
                          "fuel_switched_before_control_area": False})
    assert set(got) & set(HK) == {"hk-fuel-for-vessels"}
    regulation = got["hk-fuel-for-vessels"]
    assert (regulation["edition"], regulation["status"]) == ("2019", "required")
    breach = next(c for c in failed(regulation) if c["path"] == "call.fuel_sulphur_pct")
    assert breach["value"] == 2.8 and "0.5" in breach["reason"]


def test_the_first_and_last_hour_at_berth_are_exempt_and_no_more(rules):
    def at_berth(after, before):
        return answers(rules, {"port": "HKHKG", "arrival": "2017-04-12", "fuel_sulphur_pct": 0.1,
                               "berth_fuel_switch": {"hours_after_arrival": after, "hours_before_departure": before}},
                       vessel={**CONTAINER_SHIP, "solas_certificate": True})["hk-fuel-at-berth"]
    assert breaches(at_berth(1, 1)) == []
    late = at_berth(1.25, 1)
    assert late["status"] == "required"
    assert [c["path"] for c in breaches(late)] == ["call.berth_fuel_switch.hours_after_arrival"]


@pytest.mark.parametrize("port, arrival, program, edition", [
    ("CNSHA", "2016-04-01", "china-deca-2015", "2016-yrd-core-ports"),
    ("CNYTN", "2016-10-01", "china-deca-2015", "2016-shenzhen"),
    ("CNYTN", "2017-03-01", "china-deca-2015", "2017-core-ports"),
    ("CNSHA", "2018-12-31", "china-deca-2015", "2018-all-ports"),
    ("CNYTN", "2019-01-01", "china-deca-2018", "2019"),
    ("CNSHA", "2020-02-01", "china-deca-2018", "2020-inland-rivers"),
    ("CNYTN", "2020-03-01", "china-deca-2018", "2020-carriage-ban"),
    ("CNSHA", "2022-01-01", "china-deca-2018", "2022-hainan"),
])
def test_one_china_emission_control_area_plan_binds_each_call(rules, port, arrival, program, edition):
    got = answers(rules, {"port": port, "arrival": arrival, "china_deca_area": "coastal", "fuel_sulphur_pct": 0.1,
                          "fuel_switched_before_control_area": True,
                          "berth_fuel_switch": {"hours_after_arrival": 0.5, "hours_before_departure": 0}})
    assert set(got) & set(DECA) == {program}
    assert (got[program]["edition"], got[program]["status"]) == (edition, "required")
    assert breaches(got[program]) == [], "0.1% S fuel, switched in time, complies with every step"


@pytest.mark.parametrize("port, arrival", [("CNSHA", "2016-03-31"), ("CNYTN", "2016-09-30")])
def test_no_plan_binds_a_port_before_its_early_adoption(rules, port, arrival):
    got = answers(rules, {"port": port, "arrival": arrival, "fuel_sulphur_pct": 2.5})
    assert set(got) & set(DECA) == set()


@pytest.mark.parametrize("area, arrival, cap_breached", [
    ("coastal", "2020-06-01", False), ("inland_river", "2020-06-01", True),
    ("hainan", "2021-12-31", False), ("hainan", "2022-01-01", True), ("coastal", "2025-06-01", False),
])
def test_the_area_of_a_chinese_call_sets_its_cap(rules, area, arrival, cap_breached):
    deca = answers(rules, {"port": "CNYTN", "arrival": arrival, "china_deca_area": area, "fuel_sulphur_pct": 0.5,
                           "fuel_switched_before_control_area": True})["china-deca-2018"]
    assert deca["status"] == "required"
    assert fuel_within_cap(deca) is not cap_breached


def test_a_china_call_in_2020_lists_the_emission_control_area_and_shore_power_rules(rules):
    got = answers(rules, {"port": "CNYTN", "arrival": "2020-05-01", "china_deca_area": "coastal",
                          "fuel_sulphur_pct": 0.5, "fuel_switched_before_control_area": True,
                          "international_voyage": True, "equivalent_measures": False, "hours_at_berth": 12,
                          "berth_has_shore_power": True},
                  vessel={**CONTAINER_SHIP, "shore_power": {"fitted": True, "commissioned": True}})
    assert {"china-deca-2018", "china-shore-power", "marpol-annex-vi-sulphur"} <= set(got)
    assert {got[p]["status"] for p in ("china-deca-2018", "china-shore-power")} == {"required"}


def test_every_port_code_is_one_the_pacific_sources_give(rules):
    if not PACIFIC_MD.exists():
        pytest.skip("programs-pacific.md is not beside the repository")
    header = next(line for line in PACIFIC_MD.read_text().splitlines() if line.startswith("UN/LOCODEs:"))
    given = set(re.findall(r"\b[A-Z]{5}\b", header))
    for program in HK + DECA:
        for ed in rules.programs[program].editions:
            assert set(ed.ports) - {"CN*"} <= given, (program, ed.edition)


def test_examples_of_the_five_programs_pass(rules):
    from incentive_api.core.examples import run_examples
    mine = [r for r in run_examples(rules) if r.program in HK + DECA]
    assert {r.program for r in mine} == set(HK + DECA)
    assert [(r.program, r.name, r.failures) for r in mine if not r.passed] == []
