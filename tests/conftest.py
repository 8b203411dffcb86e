"""Set-up every test shares: a private run directory and API keys, made before any test module is read."""

import os
import tempfile
from pathlib import Path

import pytest

from incentive_api.adapters.api_keys import KeyFile

# Reload markers and embedded servers of the apps under test live in a private run directory.
os.environ.setdefault("RUN_DIR", tempfile.mkdtemp(prefix="incentive-test-run-"))
# Every app and server the tests start reads one keys file (hashes only); clients send the operator key.
if "TEST_OPERATOR_KEY" not in os.environ:
    os.environ.setdefault("API_KEYS_FILE", str(Path(tempfile.mkdtemp(prefix="incentive-test-keys-")) / "api-keys.json"))
    _keys = KeyFile(Path(os.environ["API_KEYS_FILE"]))
    os.environ["TEST_OPERATOR_KEY"] = _keys.add("test-operator", "operator")
    os.environ["TEST_CLIENT_KEY"] = _keys.add("test-client", "client")

from support.helpers import RULES  # noqa: E402  after the keys exist

pytest_plugins = ["support.contract", "support.postgres"]


@pytest.fixture(scope="session")
def ruleset():
    """The real, shipped rule files."""
    from incentive_api.service.rules import load_compiled as load_ruleset
    return load_ruleset(RULES)
