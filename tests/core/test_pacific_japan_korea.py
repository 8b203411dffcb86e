"""The Japanese, Korean, Seattle and Canadian rule files of programs-pacific.md, deciding real bodies in-process."""

import re
from pathlib import Path

import pytest

from incentive_api.core.examples import run_examples
from incentive_api.core.ruleset import compile_ruleset
from support.helpers import RULES, decide_body, entry

PACIFIC_MD = Path(__file__).resolve().parents[3] / "shared" / "programs-pacific.md"
FILES = [
    "tokyo-green-ship", "yokohama-eco-ship", "kobe-green", "osaka-green", "nagoya-esi", "korea-vsr",
    "korea-port-seca", "seattle-abc-fuels", "vancouver-ecoaction", "prince-rupert-green-wave",
]
DRAFTS = {"nagoya-esi", "vancouver-ecoaction", "prince-rupert-green-wave"}
ESI_45 = {"score": 45, "nox_valid": True, "sox_valid": True, "valid_until": "2030-12-31"}


@pytest.fixture(scope="module")
def pacific():
    """These rule files with the shipped source list, so other programs' edits cannot change the answers."""
    names = [f"{name}.yaml" for name in FILES] + ["sources.yaml"]
    return compile_ruleset([(name, (RULES / name).read_text()) for name in names])


def money(program_entry):
    total = program_entry["total"]
    return None if total is None else f"{total['amount']} {total['currency']}"


def test_every_example_passes_and_nothing_warns(pacific):
    assert [str(w) for w in pacific.warnings] == []
    failed = [(r.program, r.name, r.failures) for r in run_examples(pacific) if not r.passed]
    assert failed == []


def test_tokyo_esi_rows_and_the_lng_waiver_in_whole_yen(pacific):
    fee = {"port_entry_fee": {"amount": "1234567", "currency": "JPY"}}
    ocean = {"port": "JPTYO", "arrival": "2016-05-10", "international_voyage": True, "fees": fee}
    esi = entry(decide_body(pacific, {"vessel": {"imo": "9619907", "type": "container", "gross_tonnage": 150000,
                                                 "esi": ESI_45}, "call": ocean}), "tokyo-green-ship")
    assert (esi["edition"], esi["status"], esi["level"], money(esi)) == \
        ("2015-ocean-going", "eligible", "esi-40", "617284 JPY")  # 617283.5, half-even to the yen

    lng = {"imo": "9619907", "type": "container", "gross_tonnage": 150000, "fuels": ["lng", "vlsfo"]}
    waived = entry(decide_body(pacific, {"vessel": lng, "call": {**ocean, "arrival": "2021-04-01"}}),
                   "tokyo-green-ship")
    assert (waived["edition"], waived["level"], money(waived)) == ("2021-lng-hydrogen", "lng-waiver", "1234567 JPY")


def test_yokohama_fifteen_percent_is_rounded_to_the_yen(pacific):
    body = {"vessel": {"imo": "9074729", "type": "bulk_carrier", "gross_tonnage": 40000, "esi": ESI_45},
            "call": {"port": "JPYOK", "arrival": "2019-02-01", "international_voyage": True,
                     "fees": {"port_entry_fee": {"amount": "1234567", "currency": "JPY"}}}}
    got = entry(decide_body(pacific, body), "yokohama-eco-ship")
    assert (got["edition"], got["status"], money(got)) == ("2017-esi-green-award", "eligible", "185185 JPY")
    assert "." not in got["benefits"][0]["amount"]


def test_busan_vsr_in_won_with_the_seasonal_points(pacific):
    def busan(arrival, share):
        body = {"vessel": {"imo": "9619907", "type": "container", "gross_tonnage": 100000},
                "call": {"port": "KRPUS", "arrival": arrival, "international_voyage": True,
                         "vsr": {"within_20nm": True, "share_of_year_calls_pct": share},
                         "fees": {"vessel_entry_exit_dues": {"amount": "11100000", "currency": "KRW"}}}}
        return entry(decide_body(pacific, body), "korea-vsr")

    summer, winter, short = busan("2021-07-01", 75), busan("2022-02-15", 75), busan("2021-07-01", 59)
    assert (summer["edition"], summer["status"], money(summer)) == ("2021-semi-container", "eligible", "3330000 KRW")
    assert money(winter) == "4440000 KRW"
    assert (short["status"], short["total"]) == ("ineligible", None)


def test_busan_sulphur_breach_stays_required_and_names_the_fuel(pacific):
    body = {"vessel": {"imo": "9619907", "type": "container", "gross_tonnage": 100000, "scrubber": "none"},
            "call": {"port": "KRPUS", "arrival": "2023-05-01", "fuel_sulphur_pct": 0.45,
                     "fuel_switched_before_control_area": True}}
    got = entry(decide_body(pacific, body), "korea-port-seca")
    assert (got["edition"], got["status"]) == ("2022-whole-area", "required")
    failed = [c["path"] for c in got["criteria"] if not c["passed"]]
    assert "call.fuel_sulphur_pct" in failed and got["obligations"]


def test_seattle_pays_per_call_until_2010_and_answers_later_years_only_by_id(pacific):
    call = {"port": "USSEA", "registered_for_incentive": True, "operator_calls_per_year": 8, "fuel_sulphur_pct": 0.4}
    ship = {"imo": "9074729", "type": "container", "gross_tonnage": 60000}
    paid = entry(decide_body(pacific, {"vessel": ship, "call": {**call, "arrival": "2010-03-01"}}), "seattle-abc-fuels")
    assert (paid["edition"], paid["status"], money(paid)) == ("2010", "eligible", "2250.00 USD")

    later = {"vessel": ship, "call": {**call, "arrival": "2012-03-01"}}
    assert "seattle-abc-fuels" not in {p["program"] for p in decide_body(pacific, later)["programs"]}
    asked = entry(decide_body(pacific, {**later, "programs": ["seattle-abc-fuels"]}), "seattle-abc-fuels")
    assert (asked["edition"], asked["draft"], asked["total"]) == ("2011-2012", True, None)
    assert asked["notes"][0].startswith("DRAFT")


def test_a_draft_is_answered_only_when_asked_for_by_id(pacific):
    body = {"vessel": {"imo": "9619907", "type": "container", "gross_tonnage": 150000, "fuels": ["lng"]},
            "call": {"port": "CAVAN", "arrival": "2026-03-02",
                     "fees": {"harbour_dues": {"amount": "14100.00", "currency": "CAD"}}}}
    assert decide_body(pacific, body)["programs"] == []
    got = entry(decide_body(pacific, {**body, "programs": ["vancouver-ecoaction"]}), "vancouver-ecoaction")
    assert (got["status"], got["level"], got["draft"], money(got)) == ("eligible", "platinum", True, "10575.00 CAD")
    assert got["notes"][0].startswith("DRAFT")
    assert {pid for pid, p in pacific.programs.items() if p.draft} == DRAFTS


@pytest.mark.skipif(not PACIFIC_MD.exists(), reason="programs-pacific.md is not beside the project")
def test_only_codes_and_sources_that_programs_pacific_gives(pacific):
    text = PACIFIC_MD.read_text()
    header = text[text.index("UN/LOCODEs:"):text.index("---")]
    codes = set(re.findall(r"\b[A-Z]{5}\b", header)) - {"KRINC", "KRICH"}  # Incheon: named only as in conflict
    known_sources = set(re.findall(r"^\| (P\d+) \|", text, re.M))
    for program in pacific.programs.values():
        for ed in program.editions:
            assert set(ed.ports) <= codes, (program.id, set(ed.ports) - codes)
            assert ed.sources and set(ed.sources) <= known_sources, (program.id, ed.edition)
