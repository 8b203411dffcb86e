import os
import tempfile

import pytest

from incentive_api.adapters.rulefiles import load_ruleset

from helpers import RULES

# Reload markers and embedded servers of the apps under test live in a private run directory.
os.environ.setdefault("RUN_DIR", tempfile.mkdtemp(prefix="incentive-test-run-"))


@pytest.fixture(scope="session")
def ruleset():
    """The real, shipped rule files."""
    return load_ruleset(RULES)

pytest_plugins = ["support.contract"]
