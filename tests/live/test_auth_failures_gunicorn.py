"""Guessing keys against a real gunicorn: workers share one budget per address, through the embedded Redis."""

import time

from support.helpers import CLIENT_KEY
from support.servers import Server

WRONG_KEY = "ia_guessed-" + "x" * 32


def test_two_thousand_wrong_keys_across_workers():
    env = {"AUTH_FAILURE_LIMIT": "20/minute", "RATE_LIMIT": "100000/minute"}
    with Server(env, workers=2) as server:
        started = time.perf_counter()
        answers = [server.request("GET", "/v1/ruleset", headers={"X-API-Key": f"{WRONG_KEY}{i}"})
                   for i in range(2000)]
        elapsed = time.perf_counter() - started
        statuses = [status for status, _, _ in answers]
        assert statuses.count(401) == 20 and statuses.count(429) == 1980, f"in {elapsed:.1f} s"
        status, headers, body = answers[-1]
        assert headers["Content-Type"] == "application/problem+json" and int(headers["Retry-After"]) > 0
        assert server.request("GET", "/v1/ruleset", headers={"X-API-Key": CLIENT_KEY})[0] == 200
        log = server.log_path.read_text(errors="replace")
    crossings = [line for line in log.splitlines() if "passed the budget" in line]
    assert len(crossings) == 1 and "127.0.0.1" in crossings[0]
    assert "ia_guessed" not in log
