"""The ESI estimate (programs.md §5, Variant A) and its use in decisions."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from incentive_api.core.esi import estimate, previous_quarters, tier_i_limit
from incentive_api.core.examples import run_examples
from incentive_api.core.request import InvalidRequest, parse_request
from support.helpers import decide_body, entry

ARRIVAL = dt.date(2026, 3, 2)  # bunkers of 2025-Q3 and 2025-Q4 count


def worked_example(**over) -> dict:
    """§5.5: a 17 / 15 g/kWh main engine of 9,480 kW and three 11.5 / 11 g/kWh auxiliaries of 970 kW;
    HIGH 2.00, MID 0.40, LOW 0.05 % S; CO2 reporting only; no OPS."""
    vessel = {
        "imo": "9074729", "type": "ro_ro", "gross_tonnage": 30000,
        "engines": [{"role": "main", "rated_power_kw": 9480, "rated_speed_rpm": 80, "nox_g_per_kwh": 15},
                    {"role": "auxiliary", "count": 3, "rated_power_kw": 970, "rated_speed_rpm": 920,
                     "nox_g_per_kwh": 11}],
        "bunkers": [{"sulphur_pct": Decimal("2.00"), "tonnes": 1200, "quarter": "2025-Q3"},
                    {"sulphur_pct": Decimal("0.40"), "tonnes": 300, "quarter": "2025-Q4"},
                    {"sulphur_pct": Decimal("0.05"), "tonnes": 150, "quarter": "2025-Q4"}],
        "co2_reporting": True,
    }
    vessel.update(over)
    return vessel


def estimated(vessel: dict, as_of=ARRIVAL, rounding="published"):
    return estimate(parse_request({"vessel": vessel})["vessel"], as_of, rounding)


def test_the_official_worked_example_with_the_published_rounding():
    result = estimated(worked_example())
    nox, sox = result.parts["nox"], result.parts["sox"]
    assert nox.subpoints == Decimal("10.0") and nox.points == Decimal("6.67")
    assert sox.subpoints == Decimal("41.25") and sox.points == Decimal("13.75")
    assert result.parts["co2"].points == 5 and result.parts["ops"].points == 0
    assert result.score == Decimal("25.42")
    assert result.missing == []
    assert "-> 10.0 (one decimal, as the published example)" in nox.arithmetic[-2]


def test_without_intermediate_rounding_the_same_ship_scores_25_43():
    result = estimated(worked_example(), rounding="exact")
    assert result.parts["nox"].subpoints == Decimal("10.0227")
    assert result.score == Decimal("25.43")


def test_a_class_approved_shore_power_installation_adds_10_points():
    approved = estimated(worked_example(shore_power={"fitted": True, "class_approved": True}))
    assert approved.parts["ops"].points == 10 and approved.score == Decimal("35.42")


def test_shore_power_fitted_but_not_class_approved_adds_nothing():
    fitted = estimated(worked_example(shore_power={"fitted": True, "class_approved": False, "commissioned": True}))
    assert fitted.parts["ops"].points == 0 and fitted.score == Decimal("25.42")
    assert "not class-approved" in fitted.parts["ops"].arithmetic[0]


def test_co2_points_add_the_efficiency_gain_up_to_15():
    assert estimated(worked_example(co2_efficiency_gain_pct=10)).score == Decimal("35.42")
    assert estimated(worked_example(co2_efficiency_gain_pct=25)).parts["co2"].points == 15
    silent = estimated(worked_example(co2_reporting=False, co2_efficiency_gain_pct=10))
    assert silent.parts["co2"].points == 0 and silent.score == Decimal("20.42")


@pytest.mark.parametrize("rpm,limit", [(129, "17.0"), (130, "17.0"), (920, "11.5"), (1999, "9.8"), (2000, "9.8")])
def test_the_tier_i_baseline_by_rated_speed(rpm, limit):
    assert tier_i_limit(Decimal(rpm))[0] == Decimal(limit)


def test_the_older_baselines_before_2015_give_the_older_example():
    """[S39-old]: baselines 3.50 / 1.00 / 0.50, actuals 2.00 / 0.60 / 0.08: 18.0 + 28.0 + 29.4 = 75.4."""
    bunkers = [{"sulphur_pct": Decimal(s), "tonnes": 100, "quarter": q}
               for s, q in (("2.00", "2014-Q2"), ("0.60", "2014-Q2"), ("0.08", "2014-Q3"))]
    result = estimated(worked_example(bunkers=bunkers), as_of=dt.date(2014, 10, 1))
    assert result.baseline.name == "pre-2015"
    assert result.parts["sox"].subpoints == Decimal("75.4")


def test_the_weighted_average_counts_tonnes_and_a_named_category_wins():
    bunkers = [{"sulphur_pct": Decimal("3.00"), "tonnes": 100, "quarter": "2025-Q3"},
               {"sulphur_pct": Decimal("1.00"), "tonnes": 300, "quarter": "2025-Q4"},
               {"category": "LOW", "sulphur_pct": Decimal("0.05"), "tonnes": 10, "quarter": "2025-Q4"},
               {"category": "MID", "sulphur_pct": Decimal("0.10"), "tonnes": 10, "quarter": "2025-Q4"}]
    sox = estimated(worked_example(bunkers=bunkers)).parts["sox"]
    # HIGH: (3.5 - 1.5) / 3 x 30 = 20; LOW 0.05: 17.5; MID named at 0.10: (0.5 - 0.1) / 0.4 x 35 = 35
    assert sox.subpoints == Decimal("72.5")


def test_fuel_exactly_at_a_baseline_earns_nothing_in_that_category():
    bunkers = [{"sulphur_pct": Decimal("0.50"), "tonnes": 100, "quarter": "2025-Q4"}]
    result = estimated(worked_example(bunkers=bunkers))
    assert result.parts["sox"].subpoints == 0
    assert any("No HIGH bunkers" in n for n in result.notes) and any("No LOW bunkers" in n for n in result.notes)


def test_a_bunker_given_by_category_only_counts_at_its_baseline():
    bunkers = [{"category": "MID", "tonnes": 100, "quarter": "2025-Q4"},
               {"category": "MID", "sulphur_pct": Decimal("0.10"), "tonnes": 100, "quarter": "2025-Q4"}]
    # MID average (0.50 x 100 + 0.10 x 100) / 200 = 0.30: (0.50 - 0.30) / 0.40 x 35 = 17.5
    assert estimated(worked_example(bunkers=bunkers)).parts["sox"].subpoints == Decimal("17.5")


def test_only_the_two_quarters_before_the_as_of_date_count():
    assert previous_quarters(dt.date(2026, 1, 1)) == ("2025-Q3", "2025-Q4")
    assert previous_quarters(dt.date(2026, 9, 30)) == ("2026-Q1", "2026-Q2")
    assert previous_quarters(dt.date(230, 9, 29)) == ("0230-Q1", "0230-Q2")  # four digits, as the contract says
    old = [{"sulphur_pct": Decimal("0.05"), "tonnes": 100, "quarter": "2025-Q1"},
           {"sulphur_pct": Decimal("0.05"), "tonnes": 100, "quarter": "2026-Q1"}]
    result = estimated(worked_example(bunkers=old))
    assert result.score is None and result.missing == ["vessel.bunkers"]
    assert any("2 bunker(s) outside 2025-Q3 and 2025-Q4" in n for n in result.notes)


def test_what_is_missing_is_named():
    vessel = worked_example(engines=[{"role": "main", "rated_power_kw": 9480}], bunkers=[])
    del vessel["co2_reporting"]
    result = estimated(vessel)
    assert result.score is None
    assert result.missing == ["vessel.engines.0.rated_speed_rpm", "vessel.engines.0.nox_g_per_kwh",
                              "vessel.bunkers", "vessel.co2_reporting"]
    assert result.as_json()["parts"]["nox"]["points"] is None


def test_a_bunker_needs_a_category_or_a_sulphur_content():
    with pytest.raises(InvalidRequest) as bad:
        parse_request({"vessel": worked_example(bunkers=[{"tonnes": 5, "quarter": "2025-Q4"}])})
    assert [e["pointer"] for e in bad.value.errors] == ["/vessel/bunkers/0"]


# ------------------------------------------------------------------------------------------- decisions

def gothenburg(vessel: dict) -> dict:
    return {"vessel": vessel, "call": {"port": "SEGOT", "arrival": ARRIVAL.isoformat(),
                                       "fees": {"port_dues_gt_portion": {"amount": "50000.00", "currency": "SEK"}}}}


def test_a_gothenburg_call_with_no_declared_score_is_eligible_on_an_estimate_of_35_42(ruleset):
    decision = decide_body(ruleset, gothenburg(worked_example(co2_efficiency_gain_pct=10)))
    got = entry(decision, "gothenburg-environmental")
    assert got["status"] == "eligible" and got["total"] == {"amount": "5000.00", "currency": "SEK"}
    assert list(got)[-1] == "estimated" and got["estimated"] is True
    score = next(c for c in got["criteria"] if c["path"] == "vessel.esi.score")
    assert score["value"] == 35.42 and score["passed"] is True and score["reason"].endswith("(estimated)")
    assert any("The port pays on the score the ESI portal publishes" in n for n in got["notes"])


def test_a_declared_score_always_wins_over_the_estimate(ruleset):
    vessel = worked_example(co2_efficiency_gain_pct=10, esi={"score": 29}, csi_stars=2, fuels=["mgo"])
    got = entry(decide_body(ruleset, gothenburg(vessel)), "gothenburg-environmental")
    assert got["status"] == "ineligible" and "estimated" not in got
    assert next(c for c in got["criteria"] if c["path"] == "vessel.esi.score")["value"] == 29


def test_an_estimate_below_the_threshold_is_ineligible_and_still_marked(ruleset):
    got = entry(decide_body(ruleset, gothenburg(worked_example(csi_stars=2, fuels=["mgo"]))),
                "gothenburg-environmental")
    assert got["status"] == "ineligible" and got["estimated"] is True


def test_without_the_estimate_inputs_nothing_is_estimated(ruleset):
    vessel = worked_example()
    del vessel["bunkers"]
    got = entry(decide_body(ruleset, gothenburg(vessel)), "gothenburg-environmental")
    assert got["status"] == "insufficient_data" and "vessel.esi.score" in got["missing"] and "estimated" not in got


def test_no_rule_file_example_answer_is_estimated(ruleset):
    """The shipped examples send no bunkers: their answers are as before, no entry marked."""
    assert all(r.passed for r in run_examples(ruleset))
    for program in ruleset.programs.values():
        for example in program.examples:
            decision = decide_body(ruleset, example.request)
            assert "estimated" not in json.dumps(decision)
