"""Sample data for benchmarks and what-if runs: realistic request bodies, made deterministically.

    from incentive_api.sampling import generate_requests
    bodies = generate_requests(500, seed=7)   # JSON-able dicts, exactly as a caller sends them
"""

from .fleet import DEFAULT_SEED, PORTS, generate_requests, imo_with_check_digit

__all__ = ["DEFAULT_SEED", "PORTS", "generate_requests", "imo_with_check_digit"]
