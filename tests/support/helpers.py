"""Helpers shared by the tests (fixtures live in conftest.py and support.contract). Importing this does nothing."""

import datetime as dt
import os
import textwrap
import time
from pathlib import Path

from flask.testing import FlaskClient

from incentive_api.core.advice import attach
from incentive_api.core.engine import decide
from incentive_api.core.request import parse_request
from incentive_api.core.ruleset import compile_ruleset

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rules"

# tests/conftest.py makes the keys (the keys file's path is in API_KEYS_FILE) before any test imports this.
OPERATOR_KEY = os.environ["TEST_OPERATOR_KEY"]
CLIENT_KEY = os.environ["TEST_CLIENT_KEY"]
AUTH = {"Authorization": f"Bearer {OPERATOR_KEY}"}


class KeyedClient(FlaskClient):
    """A test client that sends the operator key unless the request names a key of its own."""

    def open(self, *args, **kwargs):
        headers = dict(kwargs.pop("headers", None) or {})
        if "Authorization" not in headers and "X-API-Key" not in headers:
            headers.update(AUTH)
        return super().open(*args, headers=headers, **kwargs)


def keyed(app):
    """The app, with test clients that authenticate as the operator."""
    app.test_client_class = KeyedClient
    return app


def compile_texts(**files):
    """compile_ruleset from keyword name=yaml text (dedented); names get .yaml."""
    return compile_ruleset([(f"{name}.yaml", textwrap.dedent(text)) for name, text in files.items()])


def decide_body(ruleset, body, today=dt.date(2026, 1, 1)):
    """The decision's JSON, with advice attached when the body asks for it (as the deciding service does)."""
    request = parse_request(body)
    decision = decide(ruleset, request, today=today)
    if request.get("advice"):
        decision = attach(ruleset, request, today, decision)
    return decision.to_json()


def vessel(**over):
    base = {"imo": "9074729", "type": "container", "gross_tonnage": 50000}
    base.update(over)
    return base


def entry(decision, program):
    return next(p for p in decision["programs"] if p["program"] == program)


def wait_for(predicate, timeout: float, what: str = "the condition"):
    """predicate()'s first truthy value, polled every 50 ms; AssertionError naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout:g} s: {what}")


_ENTRY_DEFAULTS = {"edition": "e1", "name": "", "sponsor": "", "kind": "incentive", "score": None, "level": None,
                   "benefits": [], "total": None, "next_level": None, "criteria": [], "missing": [], "notes": [],
                   "draft": False, "sources": []}


def decision_of(answer: dict):
    """A typed Decision from an answer's JSON in which program entries may give only the fields a test reads."""
    from incentive_api.core.decision import Decision
    programs = [{**_ENTRY_DEFAULTS, **p} for p in answer["programs"]]
    return Decision.from_json({"as_of": "2026-01-01", **answer, "programs": programs})
