"""Helpers shared by the tests (fixtures live in conftest.py)."""

import datetime as dt
import textwrap
from pathlib import Path

import os
import tempfile

from flask.testing import FlaskClient

from incentive_api.adapters.api_keys import KeyFile
from incentive_api.core.engine import decide
from incentive_api.core.request import parse_request
from incentive_api.core.ruleset import compile_ruleset

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"

# Every app and server the tests start reads this keys file (hashes only); clients send OPERATOR_KEY.
_KEYS_DIR = Path(tempfile.mkdtemp(prefix="incentive-test-keys-"))
os.environ.setdefault("API_KEYS_FILE", str(_KEYS_DIR / "api-keys.json"))
_keys = KeyFile(Path(os.environ["API_KEYS_FILE"]))
OPERATOR_KEY = os.environ.get("TEST_OPERATOR_KEY") or _keys.add("test-operator", "operator")
CLIENT_KEY = os.environ.get("TEST_CLIENT_KEY") or _keys.add("test-client", "client")
os.environ["TEST_OPERATOR_KEY"], os.environ["TEST_CLIENT_KEY"] = OPERATOR_KEY, CLIENT_KEY
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
    return decide(ruleset, parse_request(body), today=today)


def vessel(**over):
    base = {"imo": "9074729", "type": "container", "gross_tonnage": 50000}
    base.update(over)
    return base


def entry(decision, program):
    return next(p for p in decision["programs"] if p["program"] == program)
