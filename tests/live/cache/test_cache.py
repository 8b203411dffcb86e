"""The two-level cache and decision records against a real redis-server."""

import json
import shutil
import time
from pathlib import Path

from cache_helpers import body, flush, post

from incentive_api.adapters.answer_cache import cache_key
from incentive_api.adapters.redis.embedded import EmbeddedRedis
from incentive_api.config import Settings
from incentive_api.http.app import create_app
from support.helpers import keyed

RULES = Path(__file__).resolve().parents[3] / "rules"


def test_miss_then_l1_hit_with_the_same_decision(app_factory):
    app = app_factory()
    c = app.test_client()
    first, again = post(c, body()), post(c, body())
    assert first.headers["X-Cache"] == "miss" and again.headers["X-Cache"] == "hit-l1"
    assert first.data == again.data  # the stored bytes, same decision_id


def test_l2_hit_across_two_instances_sharing_redis(app_factory):
    a, b = app_factory(), app_factory()
    made = post(a.test_client(), body())
    flush(a)
    # different bytes, same request once normalised: key order and the IMO prefix
    twin = body()
    twin["vessel"]["imo"] = "9619907"
    raw = json.dumps(twin, sort_keys=True)
    seen = post(b.test_client(), None, raw=raw)
    assert seen.headers["X-Cache"] == "hit-l2"
    assert seen.get_json()["decision_id"] == made.get_json()["decision_id"]
    assert post(b.test_client(), None, raw=raw).headers["X-Cache"] == "hit-l1"


def test_cache_off_is_bypass_and_never_touches_redis(app_factory, rclient):
    app = app_factory(cache_enabled=False)
    c = app.test_client()
    first, again = post(c, body()), post(c, body())
    assert first.headers["X-Cache"] == again.headers["X-Cache"] == "bypass"
    assert first.get_json()["decision_id"] == again.get_json()["decision_id"]
    assert rclient.dbsize() == 0


def test_redis_forgets_after_the_ttl_and_the_record_stays(app_factory, rclient):
    app = app_factory()
    c = app.test_client()
    made = post(c, body())
    flush(app)
    decision_id = made.get_json()["decision_id"]
    ttl = rclient.ttl(cache_key(decision_id))
    assert 0 < ttl <= 3600  # Redis is a cache: CACHE_TTL_SECONDS, never the retention of records
    rclient.pexpire(cache_key(decision_id), 20)
    time.sleep(0.1)
    assert rclient.get(cache_key(decision_id)) is None
    got = c.get(f"/v1/decisions/{decision_id}")
    assert got.status_code == 200 and got.data == made.data  # from the records database
    assert c.get("/v1/decisions/not-an-id").status_code == 404


def test_batch_uses_one_mget_and_finds_earlier_decisions(app_factory, rclient):
    a, b = app_factory(), app_factory()
    post(a.test_client(), body(60))
    flush(a)
    b.test_client().get("/healthz")  # b's first request reads the rules marker: keep it out of the counts
    rclient.config_resetstat()
    items = [body(60), body(30), body(40), {"vessel": {}}]
    r = b.test_client().post("/v1/eligibility/batch", json={"items": items})
    assert r.status_code == 200
    summary = r.get_json()["summary"]
    assert summary["cache"] == {"hit-l1": 0, "hit-l2": 1, "miss": 2, "bypass": 0}
    assert summary["problems"] == 1
    stats = rclient.info("commandstats")
    assert stats["cmdstat_mget"]["calls"] == 1
    assert "cmdstat_get" not in stats
    flush(b)
    stats = rclient.info("commandstats")
    assert stats["cmdstat_set"]["calls"] == 2  # two fresh decisions, one record each (also their L2 entry)


def test_revision_change_serves_nothing_stale(app_factory, tmp_path):
    old = app_factory()
    before = post(old.test_client(), body(50)).get_json()
    flush(old)
    changed = tmp_path / "rules"
    shutil.copytree(RULES, changed)
    gsip = changed / "polb-green-ship.yaml"
    gsip.write_text(gsip.read_text().replace('id: esi-intermediate\n            fixed: {amount: "3000.00"',
                                             'id: esi-intermediate\n            fixed: {amount: "3100.00"')
                    .replace('level: intermediate, total: "3000.00 USD"', 'level: intermediate, total: "3100.00 USD"'))
    new = app_factory(rules_dir=changed)
    r = post(new.test_client(), body(50))
    assert r.headers["X-Cache"] == "miss"
    after = r.get_json()
    assert after["ruleset"]["revision"] != before["ruleset"]["revision"]
    total = next(p for p in after["programs"] if p["program"] == "polb-green-ship")["total"]
    assert total == {"amount": "6100.00", "currency": "USD"}


def test_sigkill_mid_run_then_restart(tmp_path, caplog):
    server = EmbeddedRedis(tmp_path / "r", persist=True).start()
    try:
        app = keyed(create_app(Settings(redis_url=server.url, redis_backoff_seconds=0.2)))
        c = app.test_client()
        assert post(c, body(30)).headers["X-Cache"] == "miss"
        server.kill()
        statuses = []
        for score in range(31, 61):  # distinct requests, so L1 cannot answer them
            r = post(c, body(score))
            assert r.status_code == 200
            statuses.append(r.headers["X-Cache"])
        assert set(statuses) == {"bypass"}
        outage_logs = [r for r in caplog.records if "redis unavailable" in r.getMessage()]
        assert len(outage_logs) == 1  # logged once per outage, not per request
        assert c.get("/readyz").get_json()["cache"] == "degraded"
        assert c.get("/readyz").status_code == 200
        server.start()
        time.sleep(0.3)  # past the back-off
        r = post(c, body(61))
        assert r.headers["X-Cache"] == "miss"
        flush(app)
        other = keyed(create_app(Settings(redis_url=server.url))).test_client()
        assert post(other, body(61)).headers["X-Cache"] == "hit-l2"
        assert c.get("/readyz").get_json()["cache"] == "ok"
    finally:
        server.stop()


def test_slow_redis_answers_within_the_timeout_budget(app_factory, rclient):
    app = app_factory()
    c = app.test_client()
    post(c, body(20))
    rclient.execute_command("CLIENT", "PAUSE", "1500", "ALL")
    try:
        started = time.monotonic()
        r = post(c, body(21))
        elapsed = time.monotonic() - started
        assert r.status_code == 200 and r.headers["X-Cache"] == "bypass"
        assert elapsed < 0.5  # one 50 ms timeout, then answered from evaluation
        started = time.monotonic()
        for score in range(22, 32):
            assert post(c, body(score)).headers["X-Cache"] == "bypass"
        assert time.monotonic() - started < 0.5  # back-off: no timeout paid per request
    finally:
        rclient.execute_command("CLIENT", "UNPAUSE")


def test_l2_reads_are_sampled_when_they_stop_paying_and_ids_stay_the_same(app_factory, rclient):
    a, b = app_factory(), app_factory()
    ca = a.test_client()
    for score in range(40):  # all-unique traffic: L2 never has the answer
        post(ca, body(score + 0.25))
    rclient.config_resetstat()
    for score in range(32):
        post(ca, body(score + 0.5))
    reads = rclient.info("commandstats").get("cmdstat_get", {}).get("calls", 0)
    assert reads <= 4  # one miss in 16 still reads, to notice when L2 starts to pay again
    # Whether or not A reads L2, the same request gets the decision id B gave it.
    made = post(b.test_client(), body(77.5)).get_json()
    flush(b)
    seen = post(ca, body(77.5))
    assert seen.get_json()["decision_id"] == made["decision_id"]
    assert seen.headers["X-Cache"] in ("hit-l2", "miss")


def test_equivalent_requests_share_a_decision_id_without_any_cache(app_factory):
    app = app_factory(cache_enabled=False)
    first = post(app.test_client(), body(50)).get_json()
    twin = body(50)
    twin["vessel"]["imo"] = "9619907"
    second = post(app_factory(cache_enabled=False).test_client(), None, raw=json.dumps(twin, sort_keys=True))
    assert second.headers["X-Cache"] == "bypass"
    assert second.get_json()["decision_id"] == first["decision_id"]  # named by content, not by cache


def test_a_batch_with_an_unknown_program_records_every_item_it_served(app_factory):
    app = app_factory()
    c = app.test_client()
    items = [body(score=40 + n) for n in range(5)]
    items.insert(2, {**body(), "programs": ["no-such-program"]})
    first = c.post("/v1/eligibility/batch", json={"items": items}).get_json()
    assert first["summary"]["decisions"] == 5 and first["items"][2]["status"] == 422
    assert first["items"][2]["errors"][0]["pointer"] == "/items/2/programs/0"
    served = [i["decision_id"] for i in first["items"] if "decision_id" in i]
    flush(app)
    for did in served:
        got = c.get(f"/v1/decisions/{did}")
        assert got.status_code == 200, did
    # the retry is answered from L1, and its records were written the first time
    again = c.post("/v1/eligibility/batch", json={"items": items}).get_json()
    assert again["summary"]["cache"]["hit-l1"] == 5
