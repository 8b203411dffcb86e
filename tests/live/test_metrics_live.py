"""GET /metrics from a real 2-worker gunicorn: decisions, cache hits, a refused batch, a failed reload and a
Redis outage all move the counters, on behalf of every worker (each worker's own files say so)."""

import json
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.parser import text_string_to_metric_families

from incentive_api.adapters.redis.embedded import EmbeddedRedis
from support.helpers import AUTH, wait_for
from support.servers import ROOT, Server

JSON = {**AUTH, "Content-Type": "application/json"}


def body(score: float) -> bytes:
    return json.dumps({"vessel": {"imo": "9619907", "type": "container", "gross_tonnage": 194849,
                                  "esi": {"score": score, "nox_valid": True, "sox_valid": True,
                                          "valid_until": "2030-01-01"}},
                       "call": {"port": "USLGB", "arrival": "2026-03-02"}}).encode()


def scrape(server) -> dict:
    status, headers, text = server.request("GET", "/metrics")  # no key
    assert status == 200 and headers["Content-Type"].startswith("text/plain"), text[:300]
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text.decode()) for s in family.samples}


def total(samples: dict, name: str, **labels) -> float:
    """The sum over every series of `name` whose labels include `labels`."""
    return sum(v for (n, ls), v in samples.items() if n == name and set(labels.items()) <= ls)


def counted_by(server, pid: int) -> dict:
    """{metric name: summed value} of one process's counter file: what that process counted itself."""
    path = server.run_dir / "metrics" / f"counter_{pid}.db"
    sums: dict = {}
    for key, value, _ts, _pos in MmapedDict.read_all_values_from_file(str(path)):
        name = json.loads(key)[0]
        sums[name] = sums.get(name, 0) + value
    return sums


@pytest.fixture
def served(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    redis = EmbeddedRedis(tmp_path / "redis", persist=False).start()
    server = Server({"RULES_DIR": str(rules), "REDIS_URL": redis.url, "RATE_LIMIT": "100000/minute", "RATE_LIMIT_BATCH": "1/minute",
                     "DECISION_LOG": str(tmp_path / "decisions.jsonl"), "REDIS_BACKOFF_SECONDS": "30"})
    try:
        yield server.start(), redis, rules
    finally:
        server.stop()
        redis.stop()


def test_every_worker_counts_and_one_scrape_adds_them_up(served):
    server, redis, rules = served
    workers = server.worker_pids()
    assert len(workers) == 2
    with ThreadPoolExecutor(8) as pool:  # enough at once that both workers answer some
        codes = list(pool.map(lambda i: server.request("POST", "/v1/eligibility", body(40 + i % 20), JSON)[0],
                              range(300)))
    assert codes == [200] * 300
    batch = json.dumps({"items": [json.loads(body(50))]}).encode()
    assert [server.request("POST", "/v1/eligibility/batch", batch, JSON)[0] for _ in range(2)] == [200, 429]

    (rules / "broken.yaml").write_text("program: broken\nname: Broken\nsponsor: x\nkind: incentiv\n")
    assert server.request("POST", "/v1/admin/rules/reload", b"", AUTH)[0] == 422
    (rules / "broken.yaml").unlink()

    redis.stop()  # an outage: answers go on without the shared cache
    with ThreadPoolExecutor(8) as pool:
        outage = list(pool.map(lambda i: server.request("POST", "/v1/eligibility", body(70 + i % 20), JSON),
                               range(60)))
    assert {status for status, _h, _b in outage} == {200}
    assert "bypass" in {h["X-Cache"] for _s, h, _b in outage}  # what the local cache did not have

    m = wait_for(lambda: (s := scrape(server)) and total(s, "incentive_decision_log_lines_written_total") >= 361 and s,
                 10, "the decision log's lines written and counted")
    assert total(m, "incentive_http_requests_total", route="/v1/eligibility", status="200") == 360
    assert total(m, "incentive_http_request_duration_seconds_count", route="/v1/eligibility") == 360
    assert total(m, "incentive_decisions_total", program="polb-green-ship") == 361
    assert total(m, "incentive_decisions_total", status="eligible") > 0
    assert total(m, "incentive_cache_lookups_total", level="local", result="hit") > 0
    assert total(m, "incentive_cache_lookups_total", level="redis") > 0
    assert total(m, "incentive_cache_lookups_total", level="redis", result="error") > 0
    assert total(m, "incentive_redis_errors_total") > 0 and total(m, "incentive_redis_backoff") == 1
    assert total(m, "incentive_rate_limited_total", budget="requests") == 1
    assert total(m, "incentive_rules_loads_total", result="failed") == 1
    assert total(m, "incentive_rules_loads_total", result="succeeded") == 1  # the master's load at start
    # 40 distinct decisions, each recorded once per worker that served it first (a repeat is not written)
    committed = total(m, "incentive_records_committed_total")
    assert 40 <= committed <= 80
    assert total(m, "incentive_decision_log_lines_dropped_total") == 0
    revision = server.ready["revision"]
    assert total(m, "incentive_ruleset_info", revision=revision) == 1
    assert 0 <= total(m, "incentive_ruleset_age_seconds") < 120

    # Each worker's own file: both answered decisions and counted them, so the sum above is theirs together.
    mine = {pid: counted_by(server, pid) for pid in workers}
    for pid, sums in mine.items():
        assert sums.get("incentive_http_requests", 0) > 0, f"worker {pid} counted no request: {sums}"
        assert sums.get("incentive_decisions", 0) > 0, f"worker {pid} counted no decision"
    assert sum(s.get("incentive_records_committed", 0) for s in mine.values()) == committed


def test_metrics_off_is_a_404_and_writes_no_files(tmp_path):
    with Server({"METRICS": "off", "CACHE": "off"}) as server:
        status, headers, _body = server.request("GET", "/metrics")
        assert status == 404 and headers["Content-Type"] == "application/problem+json"
        assert server.request("POST", "/v1/eligibility", body(50), JSON)[0] == 200
        assert not (server.run_dir / "metrics").exists()
