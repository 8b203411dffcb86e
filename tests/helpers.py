"""Helpers shared by the tests (fixtures live in conftest.py)."""

import datetime as dt
import textwrap
from pathlib import Path

from incentive_api.core.engine import decide
from incentive_api.core.request import parse_request
from incentive_api.core.ruleset import compile_ruleset

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"


def compile_texts(**files):
    """compile_ruleset from keyword name=yaml text (dedented); names get .yaml."""
    return compile_ruleset([(f"{name}.yaml", textwrap.dedent(text)) for name, text in files.items()])


def decide_body(ruleset, body, today=dt.date(2026, 1, 1)):
    return decide(ruleset, parse_request(body), today=today)


def vessel(**over):
    base = {"imo": "9074729", "type": "container", "gross_tonnage": 50000}
    base.update(over)
    return base


def entry(decision, program):
    return next(p for p in decision["programs"] if p["program"] == program)
