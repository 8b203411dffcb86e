"""A note on a band, level, points entry or add-on reaches the answer exactly when that part is used."""

import textwrap

import pytest

from support.helpers import compile_texts, decide_body, entry, vessel


def program(pid: str, body: str) -> str:
    """A one-edition incentive at USLGB whose edition ends with `body` (indented as edition keys)."""
    head = (f"program: {pid}\nname: {pid} demo\nsponsor: Demo port\nkind: incentive\nsources: [S1]\neditions:\n"
            "  - edition: '1'\n    effective: {from: 2020-01-01}\n    applies: {ports: [USLGB]}\n")
    return head + textwrap.indent(body, "    ")


BANDS = program("banded", """\
score: {path: vessel.esi.score}
bands:
  - {level: base, min: 25, below: 50, note: "Base band: the 2021 table.",
     benefits: [{id: base, fixed: {amount: "100.00", currency: USD}}]}
  - {level: top, min: 50, max: 100, note: "Top band: the 2021 table.",
     benefits: [{id: top, fixed: {amount: "400.00", currency: USD}}]}
addons:
  - id: tier3
    when: {path: vessel.main_engine_tier, op: "=", value: 3}
    note: "Tier III bonus: paid with a level only."
    benefits: [{id: tier3, fixed: {amount: "300.00", currency: USD}}]
""")

LEVELS = program("levelled", """\
levels:
  - level: tier3
    when: {path: vessel.main_engine_tier, op: ">=", value: 3}
    note: "Tier III level: main engines only."
    benefits: [{id: tier3, fixed: {amount: "300.00", currency: USD}}]
  - level: tier2
    when: {path: vessel.main_engine_tier, op: "=", value: 2}
    benefits: [{id: tier2, fixed: {amount: "200.00", currency: USD}}]
""")

POINTS = program("pointed", """\
score:
  points:
    - {when: {path: vessel.main_engine_tier, op: ">=", value: 3}, points: 20, note: "Tier III counts 20 points."}
    - {when: {path: call.shore_power_used, op: "=", value: true}, points: 10, note: "Shore power counts 10 points."}
bands:
  - {level: one, min: 10, below: 30, benefits: [{id: one, fixed: {amount: "100.00", currency: USD}}]}
  - {level: two, min: 30, max: 30, benefits: [{id: two, fixed: {amount: "200.00", currency: USD}}]}
""")

BASE, TOP, TIER3 = "Base band: the 2021 table.", "Top band: the 2021 table.", "Tier III bonus: paid with a level only."


@pytest.fixture(scope="module")
def rs():
    return compile_texts(banded=BANDS, levelled=LEVELS, pointed=POINTS)


def answer(rs, program, tier=None, score=None, shore_power=False):
    over = {"engines": [{"role": "main", "imo_nox_tier": tier}]} if tier else {}
    if score is not None:
        over["esi"] = {"score": score}
    body = {"vessel": vessel(**over), "programs": [program],
            "call": {"port": "USLGB", "arrival": "2026-03-02", "shore_power_used": shore_power}}
    return entry(decide_body(rs, body), program)


def rule_notes(e):
    """The notes after the Sources note: the ones the rules' parts added."""
    return e["notes"][next(i for i, n in enumerate(e["notes"]) if n.startswith("Sources: ")) + 1:]


def test_band_note_only_for_the_band_reached(rs):
    assert rule_notes(answer(rs, "banded", score=30)) == [BASE]
    assert rule_notes(answer(rs, "banded", score=60)) == [TOP]


def test_addon_note_only_when_the_addon_pays(rs):
    assert rule_notes(answer(rs, "banded", tier=3, score=60)) == [TOP, TIER3]
    below = answer(rs, "banded", tier=3, score=10)  # met, but pays only together with a level
    assert below["status"] == "ineligible" and TIER3 not in below["notes"] and BASE not in below["notes"]
    assert rule_notes(answer(rs, "banded", tier=2, score=30)) == [BASE]


def test_rule_notes_come_after_every_other_note(rs):
    notes = answer(rs, "banded", tier=3, score=60)["notes"]
    assert notes[-3:] == ["Sources: S1 (see programs.md).", TOP, TIER3]


def test_level_note_only_for_the_level_reached(rs):
    assert rule_notes(answer(rs, "levelled", tier=3)) == ["Tier III level: main engines only."]
    assert rule_notes(answer(rs, "levelled", tier=2)) == []


def test_points_notes_only_for_the_points_counted(rs):
    both = answer(rs, "pointed", tier=3, shore_power=True)
    assert both["score"] == 30 and rule_notes(both) == ["Tier III counts 20 points.", "Shore power counts 10 points."]
    assert rule_notes(answer(rs, "pointed", tier=3)) == ["Tier III counts 20 points."]
    assert rule_notes(answer(rs, "pointed", tier=2, shore_power=True)) == ["Shore power counts 10 points."]


def test_a_note_is_shown_once_however_many_parts_carry_it():
    twice = POINTS.replace("Shore power counts 10 points.", "Tier III counts 20 points.")
    e = answer(compile_texts(pointed=twice), "pointed", tier=3, shore_power=True)
    assert rule_notes(e) == ["Tier III counts 20 points."]
