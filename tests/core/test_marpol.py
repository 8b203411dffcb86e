"""MARPOL Annex VI: tiers, NOx limits and sulphur caps at their edges, the ECA list, and the two programs."""

import datetime as dt
from decimal import Decimal

import pytest

from incentive_api.core import marpol
from incentive_api.core.compiler import AREAS_FILE, compile_area_list
from incentive_api.core.errors import RulesetError
from incentive_api.core.ruleset import compile_ruleset
from support.helpers import RULES, decide_body, entry, vessel

D = dt.date
NOX, SULPHUR = "marpol-annex-vi-nox", "marpol-annex-vi-sulphur"


def _reason(answer, path):
    return next(c for c in answer["criteria"] if c["path"] == path)


def _ask(ruleset, program, vessel_fields, **call):
    body = {"vessel": vessel(**vessel_fields), "call": call, "programs": [program]}
    return entry(decide_body(ruleset, body), program)


# Tier by keel date, in and out of a NOx ECA

@pytest.mark.parametrize("keel_laid, eca, tier", [
    (D(1999, 12, 31), None, 0),
    (D(2000, 1, 1), None, 1),
    (D(2010, 12, 31), None, 1),
    (D(2011, 1, 1), None, 2),
    (D(2015, 12, 31), "north_american", 2),
    (D(2016, 1, 1), "north_american", 3),
    (D(2016, 1, 1), "us_caribbean", 3),
    (D(2016, 1, 1), None, 2),
    (D(2016, 1, 1), marpol.OUTSIDE, 2),
    (D(2016, 1, 1), "north_sea", 2),
    (D(2020, 12, 31), "baltic", 2),
    (D(2021, 1, 1), "baltic", 3),
    (D(2021, 1, 1), "north_sea", 3),
    (None, "north_american", None),
])
def test_tier_required_by_keel_date_and_area(keel_laid, eca, tier):
    assert marpol.tier_required(keel_laid, eca) == tier


# Limits at the speed edges: the curves are discontinuous at 130 and 2000 rpm

@pytest.mark.parametrize("tier, rpm, limit", [
    (1, 129, "17.0"), (1, 130, "16.999"), (1, 1999, "9.841"), (1, 2000, "9.8"),
    (2, 129, "14.4"), (2, 130, "14.363"), (2, 1999, "7.661"), (2, 2000, "7.7"),
    (3, 129, "3.4"), (3, 130, "3.400"), (3, 1999, "1.968"), (3, 2000, "2.0"),
])
def test_nox_limit_at_the_speed_edges(tier, rpm, limit):
    assert marpol.nox_limit(tier, rpm).quantize(Decimal(limit)) == Decimal(limit)


def test_limits_rounded_to_one_decimal_are_the_other_reading():
    rounded = [marpol.nox_limit(2, n, places=1) for n in (129, 130, 1999, 2000)]
    assert rounded == [Decimal("14.4")] * 2 + [Decimal("7.7")] * 2
    assert marpol.nox_limit(3, 1999, places=1) == Decimal("2.0")


def test_the_rating_is_rounded_to_one_decimal_before_the_comparison():
    engine = {"role": "main", "rated_speed_rpm": 129, "nox_g_per_kwh": Decimal("14.44")}
    assert marpol.nox_exceedances([engine], 2) == "none"  # 14.4 against 14.4
    at_130 = dict(engine, rated_speed_rpm=130)
    assert marpol.nox_exceedances([at_130], 2) == \
        "main engine 1: 14.4 g/kWh over the Tier II limit 14.363 g/kWh at 130 rpm"
    tier_iii = {"role": "auxiliary", "rated_speed_rpm": 1999, "nox_g_per_kwh": Decimal("1.96")}
    assert "over the Tier III limit 1.968 g/kWh at 1999 rpm" in marpol.nox_exceedances([tier_iii], 3)  # 2.0
    assert marpol.nox_exceedances([dict(tier_iii, rated_speed_rpm=2000)], 3) == "none"


def test_small_engines_are_not_checked_and_missing_figures_leave_it_open():
    small = {"role": "auxiliary", "rated_power_kw": 130, "rated_speed_rpm": 1800, "nox_g_per_kwh": 50}
    unknown = {"role": "main", "rated_speed_rpm": 80}
    assert marpol.nox_exceedances([small], 2) == "none"  # no engine within reach of Reg. 13 is over
    assert marpol.nox_exceedances([small, unknown], 2) is None
    assert marpol.nox_exceedances([{"role": "main", "rated_speed_rpm": 80, "nox_g_per_kwh": 14}], 0) is None


# Sulphur caps by date

@pytest.mark.parametrize("day, in_eca, cap", [
    (D(2011, 12, 31), False, None), (D(2012, 1, 1), False, "3.50"), (D(2019, 12, 31), False, "3.50"),
    (D(2020, 1, 1), False, "0.50"), (D(2010, 6, 30), True, None), (D(2010, 7, 1), True, "1.00"),
    (D(2014, 12, 31), True, "1.00"), (D(2015, 1, 1), True, "0.10"),
])
def test_sulphur_caps_by_date(day, in_eca, cap):
    assert marpol.sulphur_cap(day, in_eca) == (None if cap is None else Decimal(cap))


# The shipped programs

def test_045_percent_in_the_north_american_eca_in_2016_is_over_the_cap(ruleset):
    answer = _ask(ruleset, SULPHUR, {"scrubber": "none"}, port="USLGB", arrival="2016-06-01",
                  fuel_at_berth="vlsfo", fuel_sulphur_pct=0.45)
    assert (answer["status"], answer["edition"]) == ("required", "2015")
    breach = _reason(answer, "call.fuel_sulphur_over_cap")
    assert breach["passed"] is False
    assert "0.45% m/m over the 0.10% cap in the North American ECA (from 2015-01-01)" in breach["reason"]
    assert "S54" in breach["reason"]


def test_the_same_fuel_at_singapore_in_2020_is_within_the_global_cap(ruleset):
    answer = _ask(ruleset, SULPHUR, {"scrubber": "none"}, port="SGSIN", arrival="2020-03-01",
                  fuel_at_berth="vlsfo", fuel_sulphur_pct=0.45)
    assert answer["status"] == "required"
    assert _reason(answer, "call.fuel_sulphur_over_cap")["passed"] is True
    assert _reason(answer, "call.emission_control_area")["value"] == "none"


def test_an_open_loop_scrubber_with_28_percent_fuel_complies(ruleset):
    answer = _ask(ruleset, SULPHUR, {"scrubber": "open_loop"}, port="SGSIN", arrival="2021-05-01",
                  fuel_at_berth="hfo", fuel_sulphur_pct=2.8)
    assert answer["status"] == "required"
    assert "2.8% m/m over the 0.50% global cap" in _reason(answer, "call.fuel_sulphur_over_cap")["reason"]
    assert _reason(answer, "vessel.scrubber")["passed"] is True


def test_lng_at_berth_is_a_compliance_route(ruleset):
    answer = _ask(ruleset, SULPHUR, {}, port="NLRTM", arrival="2021-05-01", fuel_at_berth="lng")
    assert _reason(answer, "call.fuel_at_berth")["passed"] is True


@pytest.mark.parametrize("keel_laid, port, tier", [
    ("2010-12-31", "USLGB", 1), ("2011-01-01", "USLGB", 2),
    ("2015-12-31", "USLGB", 2), ("2016-01-01", "USLGB", 3), ("2016-01-01", "SGSIN", 2),
    ("2016-01-01", "NLRTM", 2), ("2021-01-01", "NLRTM", 3), ("2021-01-01", "SEGOT", 3),
])
def test_the_tier_a_call_requires(ruleset, keel_laid, port, tier):
    answer = _ask(ruleset, NOX, {"keel_laid": keel_laid}, port=port, arrival="2022-03-01")
    assert answer["status"] == "required"
    assert _reason(answer, "vessel.nox_tier_required")["value"] == tier


def test_an_engine_over_its_limit_is_named_with_its_figures(ruleset):
    engines = [{"role": "main", "rated_speed_rpm": 80, "nox_g_per_kwh": 14.2},
               {"role": "auxiliary", "count": 3, "rated_power_kw": 970, "rated_speed_rpm": 720, "nox_g_per_kwh": 11}]
    answer = _ask(ruleset, NOX, {"keel_laid": "2017-05-01", "engines": engines}, port="USLGB", arrival="2020-06-01")
    breach = _reason(answer, "vessel.engines_nox_over_limit")
    assert answer["status"] == "required" and breach["passed"] is False
    assert breach["value"] == ("main engine 1: 14.2 g/kWh over the Tier III limit 3.4 g/kWh at 80 rpm; "
                               "auxiliary engine 1: 11.0 g/kWh over the Tier III limit 2.414 g/kWh at 720 rpm")
    assert answer["obligations"]


def test_a_keel_laid_before_2000_is_not_required(ruleset):
    answer = _ask(ruleset, NOX, {"keel_laid": "1999-12-31"}, port="USLGB", arrival="2020-06-01")
    assert answer["status"] == "not_required"


# vessel.main_engine_tier: a declared tier wins; without one, the keel date, and the criterion says so

def test_a_declared_tier_wins_over_the_keel_date(ruleset):
    body = {"vessel": vessel(keel_laid="2012-01-01", engines=[{"role": "main", "imo_nox_tier": 3}]),
            "call": {"port": "USLGB", "arrival": "2020-06-01"}, "programs": ["polb-green-ship"]}
    tier = _reason(entry(decide_body(ruleset, body), "polb-green-ship"), "vessel.main_engine_tier")
    assert tier["value"] == 3 and "computed" not in tier["reason"]


def test_without_a_declared_tier_the_keel_date_is_used_and_named(ruleset):
    body = {"vessel": vessel(keel_laid="2012-01-01", engines=[{"role": "main"}]),
            "call": {"port": "USLGB", "arrival": "2020-06-01"}, "programs": ["polb-green-ship"]}
    answer = entry(decide_body(ruleset, body), "polb-green-ship")
    tier = [c for c in answer["criteria"] if c["path"] == "vessel.main_engine_tier"]
    assert answer["status"] == "eligible" and answer["level"] == "tier-ii"
    assert all(c["value"] == 2 and "computed from vessel.keel_laid 2012-01-01" in c["reason"] for c in tier)


def test_the_ruleset_places_ports_and_counts_the_area_file_in_its_revision(ruleset):
    assert ruleset.areas["USLGB"] == "north_american" and ruleset.areas["CN*"] == marpol.OUTSIDE
    assert AREAS_FILE in ruleset.files
    for pid in (NOX, SULPHUR):  # every port the programs answer at is placed, so none is left undecided
        for ed in ruleset.programs[pid].editions:
            assert all(marpol.area_of(ruleset.areas, port) for port in ed.ports)
    files = [(p.name, p.read_text()) for p in RULES.glob("*.yaml")]
    edited = [(n, t.replace("SEGOT]", "SEGOT, SESTO]") if n == AREAS_FILE else t) for n, t in files]
    assert compile_ruleset(edited).revision != compile_ruleset(files).revision


def test_area_list_errors_are_located():
    unknown_area = "sources: [S52]\nareas:\n  - area: mediterranean\n    ports: [USLGB]\noutside: {ports: []}\n"
    placed, errors = compile_area_list(AREAS_FILE, unknown_area, {"S52": {}})
    assert placed is None and [(e.line, "an emission control area" in e.message) for e in errors] == [(3, True)]
    text = ("sources: [S52]\n"
            "areas:\n"
            "  - area: north_american\n"
            "    ports: [USLGB]\n"
            "  - area: north_american\n"
            "    ports: [USLAX]\n"
            "outside:\n"
            "  ports: [USLGB, SGSIN]\n"
            "  sources: [S999]\n")
    placed, errors = compile_area_list(AREAS_FILE, text, {"S52": {}})
    assert placed is None
    assert sorted((e.line, e.message) for e in errors) == [
        (5, "area 'north_american' is listed twice (also areas[0])"),
        (8, "port USLGB is placed twice: also in north_american"),
        (9, "unknown source 'S999': it is not in sources.yaml"),
    ]


def test_a_bad_area_file_refuses_the_ruleset():
    with pytest.raises(RulesetError):
        compile_ruleset([(AREAS_FILE, "areas: []\n")])
