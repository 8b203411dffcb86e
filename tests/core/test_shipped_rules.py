"""The real rule files: they load, their examples pass, and they cite their sources."""

import re
from pathlib import Path

import pytest

from incentive_api.core.examples import run_examples
from support.helpers import RULES

SHARED = Path(__file__).resolve().parents[3] / "shared"
SOURCE_LISTS = (SHARED / "programs.md", SHARED / "programs-pacific.md")
SHIPPED = [
    "polb-green-ship", "polb-green-flag", "polb-dockage-waiver", "pola-esi", "pola-vsrip", "carb-at-berth",
    "rotterdam-esi", "rotterdam-green-award", "singapore-green-port", "gothenburg-environmental",
    "china-shore-power", "shenzhen-shore-power", "marpol-annex-vi-nox", "marpol-annex-vi-sulphur",
    "hk-light-dues-incentive", "hk-fuel-at-berth", "hk-fuel-for-vessels", "china-deca-2015", "china-deca-2018",
    "tokyo-green-ship", "yokohama-eco-ship", "kobe-green", "osaka-green", "nagoya-esi", "korea-vsr",
    "korea-port-seca", "seattle-abc-fuels", "vancouver-ecoaction", "prince-rupert-green-wave",
]


@pytest.fixture(scope="module")
def results(ruleset):
    return run_examples(ruleset)


def test_the_rules_load_without_errors_or_warnings(ruleset):
    assert [str(w) for w in ruleset.warnings] == []


@pytest.mark.parametrize("program", SHIPPED)
def test_program_is_shipped_with_pass_fail_and_edge_examples(ruleset, results, program):
    assert program in ruleset.programs, f"{program} is not in rules/"
    mine = [r for r in results if r.program == program]
    assert len(mine) >= 3
    failed = [(r.name, r.failures) for r in mine if not r.passed]
    assert failed == []
    statuses = {ex.expect["status"] for ex in ruleset.programs[program].examples}
    positive = {"eligible", "required"} if ruleset.programs[program].kind == "incentive" else {"required"}
    assert statuses & positive, "needs a passing example"
    assert statuses - positive, "needs a failing example"


@pytest.mark.parametrize("program", SHIPPED)
def test_every_edition_cites_sources_that_exist(ruleset, program):
    if program not in ruleset.programs:
        pytest.skip("not shipped")
    known = ({i for f in SOURCE_LISTS for i in re.findall(r"^\| ([SP]\d+) \|", f.read_text(), re.M)}
             if all(f.exists() for f in SOURCE_LISTS) else None)
    for ed in ruleset.programs[program].editions:
        assert ed.sources, ed.edition
        if known:
            assert set(ed.sources) <= known, set(ed.sources) - known
        assert any(n.startswith("Sources: ") for n in ed.notes)


def test_only_shenzhen_and_unsettled_programs_are_drafts(ruleset):
    drafts = {pid for pid, p in ruleset.programs.items() if p.draft}
    assert "shenzhen-shore-power" in drafts
    for pid in drafts:
        for ed in ruleset.programs[pid].editions:
            assert ed.notes[0].startswith("DRAFT")


def test_date_boundary_between_two_editions(ruleset):
    from support.helpers import decide_body, entry
    tier3 = {"imo": "9074729", "type": "container", "gross_tonnage": 90000,
             "engines": [{"role": "main", "imo_nox_tier": 3}],
             "esi": {"score": 56, "nox_valid": True, "sox_valid": True, "valid_until": "2030-01-01"}}
    last = entry(decide_body(ruleset, {"vessel": tier3, "call": {"port": "USLGB", "arrival": "2021-06-30"}}),
                 "polb-green-ship")
    first = entry(decide_body(ruleset, {"vessel": tier3, "call": {"port": "USLGB", "arrival": "2021-07-01"}}),
                  "polb-green-ship")
    assert (last["edition"], last["total"]["amount"]) == ("2012-engine-tier", "6000.00")
    assert (first["edition"], first["total"]["amount"]) == ("2021-esi", "9000.00")


def test_coverage_names_an_unexercised_band():
    from incentive_api.core.examples import coverage
    from support.helpers import compile_texts
    text = (RULES / "polb-green-ship.yaml").read_text()
    cut = text.index("  - name: edge - exactly 48 is Intermediate")
    end = text.index("  - name: last day of the engine-tier edition")
    rs = compile_texts(gsip=text[:cut] + text[end:])
    gaps = coverage(rs)["polb-green-ship"]
    assert "2021-esi: band 'intermediate' [48, 54) never reached" in gaps
    full = coverage(compile_texts(gsip=text))["polb-green-ship"]
    assert not any("intermediate" in g for g in full)
