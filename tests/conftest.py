import pytest

from incentive_api.adapters.rulefiles import load_ruleset

from helpers import RULES


@pytest.fixture(scope="session")
def ruleset():
    """The real, shipped rule files."""
    return load_ruleset(RULES)
