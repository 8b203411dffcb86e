"""Sample data for benchmarks and what-if runs: realistic request bodies, made deterministically.

    from incentive_api.sampling import generate_requests
    bodies = generate_requests(500, ruleset=ruleset, seed=7)   # JSON-able dicts, exactly as a caller sends them

The ports, edition dates, score edges and currencies come from the ruleset (rule_facts).
"""

from .fleet import DEFAULT_SEED, generate_requests
from .rulefacts import RuleFacts, rule_facts

__all__ = ["DEFAULT_SEED", "RuleFacts", "generate_requests", "rule_facts"]
