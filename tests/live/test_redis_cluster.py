"""The service on a real 3-primary Redis Cluster (each primary with a replica) on 127.0.0.1: answers cached
and served across instances, MGET across slots, rules published, rate limits shared, and a primary
SIGKILLed while clients ask: every answer 200 and every decision's record retrievable."""

import json
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import redis
from redis.cluster import ClusterNode, RedisCluster

from incentive_api.adapters.redis.connect import redis_client
from incentive_api.config import Settings
from incentive_api.http.app import create_app
from support.cluster import RedisCluster3
from support.helpers import AUTH, CLIENT_KEY, keyed, vessel, wait_for
from support.servers import ROOT, Server


def body(score: float) -> dict:
    """A call at Long Beach under the Green Ship program; each ESI score is a distinct decision."""
    esi = {"score": score, "nox_valid": True, "sox_valid": True, "valid_until": "2030-01-01"}
    return {"vessel": vessel(imo="9619907", gross_tonnage=194849, esi=esi),
            "call": {"port": "USLGB", "arrival": "2026-03-02"}, "programs": ["polb-green-ship"]}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with RedisCluster3(tmp_path_factory.mktemp("cluster")) as c:
        yield c


@pytest.fixture(scope="module")
def direct(cluster):
    """redis-py's own cluster client, to look at what the service left in the cluster."""
    client = RedisCluster(startup_nodes=[ClusterNode("127.0.0.1", p) for p in cluster.primary_ports],
                          socket_timeout=2, require_full_coverage=False)
    yield client
    client.close()


@pytest.fixture(scope="module")
def fleet(cluster, tmp_path_factory):
    base = tmp_path_factory.mktemp("fleet")
    rules = base / "rules"
    shutil.copytree(ROOT / "rules", rules)
    common = {"RULES_DIR": str(rules), "REDIS_URL": cluster.url, "RULES_POLL_SECONDS": "0.25",
              "RATE_LIMIT": "off",  # the load below would spend any budget; budgets are tested apart
              "DATABASE_URL": f"sqlite:///{base / 'records.sqlite3'}"}  # one records database for both
    a = Server({**common, "RUN_DIR": str(base / "run-a")})
    b = Server({**common, "RUN_DIR": str(base / "run-b")})
    try:
        a.start()
        b.start()
        yield {"a": a, "b": b, "rules": rules}
    finally:
        a.stop()
        b.stop()


def app_on(cluster, **over):
    over.setdefault("rate_limit", "off")
    return keyed(create_app(Settings(redis_url=cluster.url, rules_poll_seconds=3600, **over)))


def test_an_answer_cached_by_one_instance_is_served_by_the_other(fleet, direct):
    with httpx.Client(base_url=fleet["a"].url, headers=AUTH, timeout=10) as ca, \
         httpx.Client(base_url=fleet["b"].url, headers=AUTH, timeout=10) as cb:
        first = ca.post("/v1/eligibility", json=body(50.5))
        assert first.status_code == 200 and first.headers["X-Cache"] == "miss"
        did = first.json()["decision_id"]
        wait_for(lambda: direct.get("incentive:answer:" + did), 5, "the answer written to the cluster")
        second = cb.post("/v1/eligibility", json=body(50.5))
    assert second.status_code == 200 and second.headers["X-Cache"] == "hit-l2"
    assert second.content == first.content


def test_a_batch_reads_keys_in_many_slots(cluster, direct):
    items = [body(20 + n / 10) for n in range(30)]
    first = app_on(cluster)
    answers = first.test_client().post("/v1/eligibility/batch", json={"items": items})
    assert answers.status_code == 200
    assert first.extensions["incentive"].cache.store.flush(5)
    ids = [item["decision_id"] for item in answers.get_json()["items"]]
    slots = {direct.keyslot("incentive:answer:" + did) for did in ids}
    assert len(slots) > 20  # spread over the cluster: one MGET could not read them
    again = app_on(cluster).test_client().post("/v1/eligibility/batch", json={"items": items})
    assert again.status_code == 200 and again.get_json()["items"] == answers.get_json()["items"]
    assert again.get_json()["summary"]["cache"]["hit-l2"] == len(items)  # another instance found every one


def test_rate_limits_are_shared_through_the_cluster(cluster, direct):
    apps = [app_on(cluster, rate_limit="6/minute"), app_on(cluster, rate_limit="6/minute")]
    key = {"X-API-Key": CLIENT_KEY}
    codes = [app.test_client().get("/v1/ruleset", headers=key).status_code for _ in range(4) for app in apps]
    assert codes == [200] * 6 + [429] * 2
    assert any(direct.scan_iter(match="*ratelimit*", target_nodes=RedisCluster.PRIMARIES))


def test_a_reload_is_published_to_the_other_instance(fleet, direct):
    a, b, rules = fleet["a"], fleet["b"], fleet["rules"]
    gsip = rules / "polb-green-ship.yaml"
    gsip.write_text(gsip.read_text().replace('id: esi-intermediate\n            fixed: {amount: "3000.00"',
                                             'id: esi-intermediate\n            fixed: {amount: "3100.00"')
                    .replace('level: intermediate, total: "3000.00 USD"', 'level: intermediate, total: "3100.00 USD"'))
    with httpx.Client(headers=AUTH, timeout=10) as c:
        r = c.post(a.url + "/v1/admin/rules/reload")
        assert r.status_code == 200 and r.json()["changed"] is True
        revision = r.json()["revision"]
        assert json.loads(direct.get("incentive:{rules}:marker"))["revision"] == revision
        wait_for(lambda: c.get(b.url + "/v1/ruleset").json()["revision"] == revision, 5, "b to serve the reload")


def test_a_primary_killed_mid_run_fails_no_answer_and_loses_no_record(fleet, cluster):
    a, b = fleet["a"], fleet["b"]
    results, stop = [], threading.Event()
    lock = threading.Lock()

    def ask(url: str, offset: int):
        n = 0
        with httpx.Client(base_url=url, headers=AUTH, timeout=10) as c:
            while not stop.is_set():
                r = c.post("/v1/eligibility", json=body(60 + offset + n / 1000))  # distinct: no L1 hit
                did = r.json().get("decision_id") if r.status_code == 200 else None
                with lock:
                    results.append((r.status_code, r.headers.get("X-Cache"), did))
                n += 1

    with ThreadPoolExecutor(max_workers=4) as pool:
        running = [pool.submit(ask, url, i * 5) for i, url in enumerate([a.url, b.url, a.url, b.url])]
        time.sleep(1.0)
        before_kill = len(results)
        killed = cluster.kill_primary(0)
        cluster.wait_failover(killed)
        time.sleep(2.0)  # past the back-off: the instances use the cluster again
        stop.set()
        for future in running:
            future.result(timeout=30)
    statuses = [s for s, _, _ in results]
    assert before_kill > 10 and len(results) > before_kill + 10
    assert set(statuses) == {200}, f"{len(statuses) - statuses.count(200)} of {len(statuses)} failed"
    assert {"miss", "bypass"} <= {cache for _, cache, _ in results[before_kill:]}  # an outage, then back
    assert "miss" in {cache for _, cache, _ in results[-20:]}  # the cluster is used again after the failover
    ids = [did for _, _, did in results]
    with httpx.Client(headers=AUTH, timeout=10) as c:
        missing = [did for i, did in enumerate(ids)
                   if c.get(f"{(a, b)[i % 2].url}/v1/decisions/{did}").status_code != 200]
    assert not missing, f"{len(missing)} of {len(ids)} decisions have no record"


def test_a_cluster_away_is_a_connection_error_at_first_use():
    # No seed answering is a redis.ConnectionError like any other outage, raised at the first command.
    nothing = redis_client("redis+cluster://127.0.0.1:1", timeout=0.05)
    with pytest.raises(redis.ConnectionError):
        nothing.get("incentive:answer:x")
