"""Guessing keys: wrong keys are budgeted per client address; past the budget they get 429."""

import logging
import time

import pytest

from incentive_api.config import Settings
from incentive_api.http.app import create_app
from support.helpers import CLIENT_KEY

GUESSER, NEIGHBOUR = "203.0.113.7", "198.51.100.20"
WRONG_KEY = "ia_guessed-" + "x" * 32


def make_app(limit: str):
    return create_app(Settings(cache_enabled=False, rate_limit="100000/minute", auth_failure_limit=limit))


def get(client, key: str | None, address: str):
    headers = {"X-API-Key": key} if key else {}
    return client.get("/v1/ruleset", headers=headers, environ_overrides={"REMOTE_ADDR": address})


def test_two_thousand_wrong_keys_get_429_past_the_budget():
    c = make_app("20/minute").test_client()
    started = time.perf_counter()
    answers = [get(c, f"{WRONG_KEY}{i}", GUESSER) for i in range(2000)]
    elapsed = time.perf_counter() - started
    codes = [r.status_code for r in answers]
    assert codes == [401] * 20 + [429] * 1980, f"{codes.count(401)} x 401 in {elapsed:.1f} s"
    refused = answers[-1]
    assert refused.mimetype == "application/problem+json"
    assert refused.get_json()["status"] == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60


def test_other_addresses_and_valid_keys_are_unaffected():
    c = make_app("5/minute").test_client()
    for _ in range(10):
        get(c, WRONG_KEY, GUESSER)
    assert get(c, WRONG_KEY, GUESSER).status_code == 429
    assert get(c, CLIENT_KEY, NEIGHBOUR).status_code == 200
    assert get(c, WRONG_KEY, NEIGHBOUR).status_code == 401  # its own budget
    # A valid key is answered even from the guessing address: see access.py on why.
    assert get(c, CLIENT_KEY, GUESSER).status_code == 200


def test_an_address_recovers_after_the_window():
    c = make_app("5/2 second").test_client()
    codes = [get(c, WRONG_KEY, GUESSER).status_code for _ in range(7)]
    assert codes == [401] * 5 + [429] * 2
    time.sleep(2.2)
    assert get(c, WRONG_KEY, GUESSER).status_code == 401


def test_missing_keys_are_not_guesses():
    c = make_app("3/minute").test_client()
    assert {get(c, None, GUESSER).status_code for _ in range(10)} == {401}


def test_refusals_are_logged_once_per_address_and_window_without_the_key(caplog):
    app = make_app("5/minute")
    c = app.test_client()
    with caplog.at_level(logging.INFO, logger="incentive_api"):
        for _ in range(30):
            get(c, WRONG_KEY, GUESSER)
        get(c, WRONG_KEY, NEIGHBOUR)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and GUESSER in warnings[0].getMessage()
    assert all(WRONG_KEY not in r.getMessage() and "ia_guessed" not in r.getMessage() for r in caplog.records)
    assert app.extensions["auth_failures"].counts() == {"wrong_key": 31, "refused": 25}


def test_budget_off_never_refuses():
    c = make_app("off").test_client()
    assert {get(c, WRONG_KEY, GUESSER).status_code for _ in range(50)} == {401}


def test_setting_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("AUTH_FAILURE_LIMIT", raising=False)
    assert Settings().auth_failure_limit == "20/minute"
    monkeypatch.setenv("AUTH_FAILURE_LIMIT", "3/second")
    assert Settings().auth_failure_limit == "3/second"


def test_a_malformed_budget_stops_the_start():
    with pytest.raises(SystemExit, match="AUTH_FAILURE_LIMIT"):
        make_app("twenty a minute")


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_budget():
    app = create_app(Settings(cache_enabled=False, rate_limit="100000/minute", auth_failure_limit="3/minute",
                              trusted_proxies=1))
    c = app.test_client()

    def via_proxy(client_address):
        return c.get("/v1/ruleset", headers={"X-API-Key": WRONG_KEY, "X-Forwarded-For": client_address},
                     environ_overrides={"REMOTE_ADDR": "10.0.0.2"})  # every request arrives from nginx
    assert [via_proxy(GUESSER).status_code for _ in range(5)] == [401] * 3 + [429] * 2
    assert via_proxy(NEIGHBOUR).status_code == 401  # another client behind the same proxy


def test_without_trusted_proxies_a_forwarded_for_header_is_not_believed():
    c = make_app("3/minute").test_client()
    answers = [c.get("/v1/ruleset", headers={"X-API-Key": WRONG_KEY, "X-Forwarded-For": f"192.0.2.{i}"},
                     environ_overrides={"REMOTE_ADDR": GUESSER}).status_code for i in range(5)]
    assert answers == [401] * 3 + [429] * 2  # a guesser cannot buy a fresh budget with a forged header
