"""The budget of wrong keys per address against a real redis-server: shared, and free for valid keys."""

import time
from collections import Counter

from support.helpers import CLIENT_KEY

GUESSER = "203.0.113.7"
WRONG_KEY = "ia_guessed-" + "x" * 32


def get(client, key, address=GUESSER):
    return client.get("/v1/ruleset", headers={"X-API-Key": key}, environ_overrides={"REMOTE_ADDR": address})


def commands(rclient) -> int:
    return rclient.info("stats")["total_commands_processed"]


def test_instances_sharing_redis_share_one_budget(app_factory, rclient):
    a, b = app_factory(auth_failure_limit="10/minute"), app_factory(auth_failure_limit="10/minute")
    ca, cb = a.test_client(), b.test_client()
    codes = [get(c, WRONG_KEY).status_code for _ in range(6) for c in (ca, cb)]
    assert codes == [401] * 10 + [429] * 2
    assert any(k.startswith(b"incentive:authfail:") for k in rclient.keys("*"))


def test_a_valid_key_costs_no_redis_command(app_factory, rclient):
    app = app_factory(auth_failure_limit="5/minute")
    c = app.test_client()
    for _ in range(10):
        get(c, WRONG_KEY)  # the address is past its budget: a valid key is still answered, for nothing
    before = commands(rclient)
    started = time.perf_counter()
    assert {get(c, CLIENT_KEY).status_code for _ in range(200)} == {200}
    elapsed = time.perf_counter() - started
    # INFO itself is the one command counted between the two readings.
    assert commands(rclient) - before == 1, f"200 valid requests in {elapsed:.3f} s"
    before = calls(rclient)
    assert get(c, WRONG_KEY + "2", "198.51.100.20").status_code == 401
    # A wrong key within its budget: one round trip, a script doing INCRBY and, for a new window, EXPIRE.
    assert calls(rclient) - before == Counter({"evalsha": 1, "incrby": 1, "expire": 1, "info": 1})


def calls(rclient) -> Counter:
    return Counter({name.removeprefix("cmdstat_"): stat["calls"]
                    for name, stat in rclient.info("commandstats").items()})


def test_without_redis_the_budget_is_counted_in_memory(app_factory, tmp_path):
    app = app_factory(auth_failure_limit="3/minute", redis_url=f"unix://{tmp_path}/nothing-here.sock")
    c = app.test_client()
    assert [get(c, WRONG_KEY).status_code for _ in range(5)] == [401] * 3 + [429] * 2
