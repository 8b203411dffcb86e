"""A worker's memory is bounded by CACHE_L1_MB under distinct traffic, whatever the size of the answers:
600 distinct calls without a port (about 70 KB an answer, 41 MB in all) against a budget of 8 MB."""

import httpx

from incentive_api.testing import GunicornServer

BUDGET_MB = 8


def _rss_mb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        return int(f.read().split("VmRSS:")[1].split()[0]) // 1024


def test_distinct_large_answers_do_not_grow_a_worker_past_its_cache_budget(tmp_path):
    env = {"AUTH": "off", "RATE_LIMIT": "off", "RECORDS": "off", "METRICS": "off", "LOG_LEVEL": "warning",
           "CACHE_L1_MB": str(BUDGET_MB)}
    with GunicornServer(env, workers=1, workdir=tmp_path) as server:
        (pid,) = server.worker_pids()
        sent = 0
        with httpx.Client(base_url=server.url, timeout=30) as client:
            def call(tonnage: int) -> int:
                answer = client.post("/v1/eligibility", json={"vessel": {"imo": "9619907", "type": "container",
                                                                        "gross_tonnage": tonnage}})
                assert answer.status_code == 200
                return len(answer.content)
            for tonnage in range(1000, 1020):  # warm: imports, the rules' first use
                call(tonnage)
            before = _rss_mb(pid)
            for tonnage in range(5000, 5600):
                sent += call(tonnage)
            after = _rss_mb(pid)
    print(f"{sent / 2**20:.0f} MB of answers; worker RSS {before} -> {after} MB (budget {BUDGET_MB} MB)")
    assert sent > 5 * BUDGET_MB * 2**20
    # The same answer under two keys (its bytes and its decision id) counts twice: 2x the budget, and slack
    # for the allocator.
    assert after - before < 2 * BUDGET_MB + 12
