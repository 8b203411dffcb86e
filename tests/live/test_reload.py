"""Operations against real gunicorn instances sharing one real redis-server:
hot reload under load, a refused reload, SIGHUP, convergence, dry-run and the decision log."""

import json
import os
import shutil
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from incentive_api.adapters.redis.embedded import EmbeddedRedis
from support.helpers import AUTH, wait_for
from support.servers import ROOT, Server

BODY = {
    "vessel": {"imo": "9619907", "type": "container", "gross_tonnage": 194849,
               "esi": {"score": 50, "nox_valid": True, "sox_valid": True, "valid_until": "2030-01-01"}},
    "call": {"port": "USLGB", "arrival": "2026-03-02"},
    "programs": ["polb-green-ship"],
}
INTERMEDIATE = 'id: esi-intermediate\n            fixed: {amount: "%s", currency: USD}'


INTERMEDIATE_EXAMPLE = 'level: intermediate, total: "%s USD"'


def set_intermediate(rules: Path, amount: str, example: bool = True) -> None:
    """Set the intermediate band's amount and, unless told not to, its example's expected total."""
    path = rules / "polb-green-ship.yaml"
    text = path.read_text()
    for old in ("3000.00", "3100.00", "3200.00"):
        text = text.replace(INTERMEDIATE % old, INTERMEDIATE % amount)
        if example:
            text = text.replace(INTERMEDIATE_EXAMPLE % old, INTERMEDIATE_EXAMPLE % amount)
    path.write_text(text)


def ask(client: httpx.Client, score: float = 50) -> tuple[int, str, str, str]:
    body = json.loads(json.dumps(BODY))
    body["vessel"]["esi"]["score"] = score
    r = client.post("/v1/eligibility", json=body)
    if r.status_code != 200:
        return r.status_code, "", "", ""
    d = r.json()
    return r.status_code, r.headers["X-Ruleset-Revision"], d["ruleset"]["revision"], d["programs"][0]["total"]["amount"]


def seconds_until(predicate, timeout: float) -> float:
    started = time.monotonic()
    wait_for(predicate, timeout)
    return time.monotonic() - started


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    base = tmp_path_factory.mktemp("ops")
    rules = base / "rules"
    shutil.copytree(ROOT / "rules", rules)
    redis = EmbeddedRedis(base / "redis", persist=False).start()
    log = base / "decisions.jsonl"
    common = {"RULES_DIR": str(rules), "REDIS_URL": redis.url, "RULES_POLL_SECONDS": "0.25",
              "RATE_LIMIT": "off"}  # the load below would spend any per-key budget
    a = Server({**common, "RUN_DIR": str(base / "run-a"), "DECISION_LOG": str(log)}).start()
    b = Server({**common, "RUN_DIR": str(base / "run-b")}).start()
    yield {"rules": rules, "a": a, "b": b, "log": log}
    a.stop()
    b.stop()
    redis.stop()


def test_reload_under_load_never_fails_or_mixes_revisions(fleet):
    rules, a, b = fleet["rules"], fleet["a"], fleet["b"]
    with httpx.Client(base_url=a.url, headers=AUTH) as ca:
        old_rev = ca.get("/v1/ruleset").json()["revision"]
    results, stop = [], threading.Event()

    def hammer(url, score):
        with httpx.Client(base_url=url, timeout=10, headers=AUTH) as c:
            while not stop.is_set():
                results.append(ask(c, score))

    with ThreadPoolExecutor(max_workers=4) as pool:
        for i, url in enumerate([a.url, b.url, a.url, b.url]):
            pool.submit(hammer, url, 50 + i / 10)  # scores 50-50.3: the intermediate band, distinct requests
        time.sleep(0.5)
        set_intermediate(rules, "3100.00")
        with httpx.Client(base_url=a.url, headers=AUTH) as ca:
            r = ca.post("/v1/admin/rules/reload")
        assert r.status_code == 200 and r.json()["changed"] is True
        new_rev = r.json()["revision"]

        def converged():
            with httpx.Client(base_url=a.url, headers=AUTH) as ca, httpx.Client(base_url=b.url, headers=AUTH) as cb:
                seen = {ask(c, 50.9 + n / 100)[1] for c in (ca, cb) for n in range(8)}
            return seen == {new_rev}
        took = seconds_until(converged, 5)
        time.sleep(0.3)
        stop.set()
    assert took < 5.0, f"converged in {took:.2f}s"  # polls every 0.25 s; the bound allows a loaded machine
    assert len(results) > 50
    assert all(status == 200 for status, *_ in results), "a request failed during the reload"
    expected = {old_rev: "3000.00", new_rev: "3100.00"}
    for _status, header, body_rev, amount in results:
        assert header == body_rev and expected[body_rev] == amount, (header, body_rev, amount)
    assert {r[2] for r in results} == {old_rev, new_rev}


def test_broken_rules_are_refused_and_the_old_revision_keeps_serving(fleet):
    rules, a, b = fleet["rules"], fleet["a"], fleet["b"]
    with httpx.Client(base_url=a.url, headers=AUTH) as ca, httpx.Client(base_url=b.url, headers=AUTH) as cb:
        active = ca.get("/v1/ruleset").json()["revision"]
        (rules / "broken.yaml").write_text("program: broken\nname: Broken\nsponsor: x\nkind: incentiv\n")
        try:
            r = ca.post("/v1/admin/rules/reload")
            assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
            errors = r.json()["errors"]
            assert any(e["message"].startswith("broken.yaml:4:7: ") for e in errors)
            assert {"file", "line", "column"} <= set(errors[0])
            assert ask(ca)[0] == 200 and ask(ca)[1] == active
            def every_worker_shows_it():  # several asks, so every worker of B is seen
                return all((cb.get("/v1/ruleset").json()["last_failed_load"] or {}).get("errors") for _ in range(8))
            wait_for(every_worker_shows_it, 8)
            shown = cb.get("/v1/ruleset").json()
            assert shown["revision"] == active
            assert any(e.startswith("broken.yaml:4:7:") for e in shown["last_failed_load"]["errors"])
        finally:
            (rules / "broken.yaml").unlink()


def test_sighup_reloads_every_instance(fleet):
    rules, a, b = fleet["rules"], fleet["a"], fleet["b"]
    set_intermediate(rules, "3200.00")
    a.hup()
    with httpx.Client(base_url=a.url, headers=AUTH) as ca, httpx.Client(base_url=b.url, headers=AUTH) as cb:
        def converged():
            answers = [ask(c, 50.5 + n / 100) for c in (ca, cb) for n in range(6)]
            return all(s == 200 and amount == "3200.00" for s, _, _, amount in answers)
        assert seconds_until(converged, 6) < 4  # includes gunicorn replacing its workers


def test_dry_run_shows_the_change_before_publishing(fleet):
    rules, a = fleet["rules"], fleet["a"]
    text = (rules / "polb-green-ship.yaml").read_text()
    raised = text.replace(INTERMEDIATE % "3200.00", INTERMEDIATE % "4000.00")
    assert raised != text
    with httpx.Client(base_url=a.url, timeout=60, headers=AUTH) as ca:
        before = ca.get("/v1/ruleset").json()["revision"]
        r = ca.post("/v1/admin/rules/dry-run", json={"files": {"polb-green-ship.yaml": raised}, "sample": 600,
                                                     "today": "2026-01-01"})
        assert r.status_code == 200
        report = r.json()
        assert report["old_revision"] == before and report["requests"] == 600
        gsip = report["programs"]["polb-green-ship"]
        assert gsip["changed"] > 0
        assert all(c["before"]["level"] == "intermediate" for c in report["changes"])
        # the example still expects 3200.00: a reload of these files would be refused, and the report says so
        [failing] = report["failing_examples"]
        assert failing.startswith("polb-green-ship.yaml:") and "got '4000.00 USD'" in failing
        assert ca.get("/v1/ruleset").json()["revision"] == before  # nothing published
        bad = ca.post("/v1/admin/rules/dry-run", json={"files": {"polb-green-ship.yaml": "program: [\n"}})
        assert bad.status_code == 422 and bad.json()["errors"][0]["file"] == "polb-green-ship.yaml"


def test_decision_log_lines_parse_and_match_the_answers(fleet):
    a, log = fleet["a"], fleet["log"]
    with httpx.Client(base_url=a.url, headers=AUTH) as ca:
        answers = []
        for n in range(10):
            body = json.loads(json.dumps(BODY))
            body["vessel"]["esi"]["score"] = 30 + n
            r = ca.post("/v1/eligibility", json=body)
            answers.append(r.json())
        batch = ca.post("/v1/eligibility/batch", json={"items": [BODY, BODY]}).json()["items"]
    wanted = {d["decision_id"]: d for d in answers + batch}

    def logged():
        lines = [json.loads(line) for line in log.read_text().splitlines()]
        return {line["decision_id"]: line for line in lines if line["decision_id"] in wanted}
    wait_for(lambda: len(logged()) == len(wanted), 3)
    for decision_id, line in logged().items():
        decision = wanted[decision_id]
        assert line["revision"] == decision["ruleset"]["revision"]
        assert len(line["request_hash"]) == 64 and line["cache"] in {"hit-l1", "hit-l2", "miss", "bypass"}
        assert line["latency_ms"] >= 0
        assert [(p["program"], p["status"], p["level"], p["amount"]) for p in line["programs"]] == [
            (p["program"], p["status"], p["level"], (p["total"] or {}).get("amount")) for p in decision["programs"]]


def test_a_new_worker_serves_the_published_revision_not_the_files_on_disk(tmp_path):
    """Publish B, edit a file without publishing, kill -9 a worker: its replacement serves B, never the edit."""
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    with Server({"RULES_DIR": str(rules), "RULES_POLL_SECONDS": "0.25", "RATE_LIMIT": "off"}) as server:
        set_intermediate(rules, "3100.00")
        with httpx.Client(base_url=server.url, headers=AUTH) as c:
            published = c.post("/v1/admin/rules/reload").json()["revision"]
            wait_for(lambda: {ask(c, 50 + n / 100)[1] for n in range(10)} == {published}, 5)
            set_intermediate(rules, "3200.00")  # on disk only: never published
            workers = server.worker_pids()
            os.kill(min(workers), signal.SIGKILL)
            wait_for(lambda: len(server.worker_pids(settle=0) - workers) == 1, 20)
            time.sleep(1.5)  # several polls of the new worker's rules follower
        seen = set()
        for n in range(100):  # a new connection each time, so both workers answer
            with httpx.Client(base_url=server.url, headers=AUTH) as c:
                status, header, revision, amount = ask(c, 50 + n / 1000)
            assert status == 200
            seen.add((header, revision, amount))
    assert seen == {(published, published, "3100.00")}


def test_a_reload_whose_examples_fail_is_refused_and_names_them(fleet):
    rules, a = fleet["rules"], fleet["a"]
    with httpx.Client(base_url=a.url, headers=AUTH) as ca:
        _, active, _, amount = ask(ca)
        before = (rules / "polb-green-ship.yaml").read_text()
        set_intermediate(rules, "3000.00")
        set_intermediate(rules, "3100.00", example=False)  # the amount raised, its example left as it was
        try:
            r = ca.post("/v1/admin/rules/reload")
            assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
            [error] = r.json()["errors"]
            assert error["file"] == "polb-green-ship.yaml" and error["line"] > 0
            assert "expected '3000.00 USD', got '3100.00 USD'" in error["message"]
            assert ask(ca)[1:] == (active, active, amount)
        finally:
            (rules / "polb-green-ship.yaml").write_text(before)


def test_a_new_instance_adopts_the_published_revision_and_never_publishes_an_unpublished_edit(tmp_path):
    """A rolling update: instance B starts reading an edited but unpublished directory. It serves the revision
    already published, as A does, until someone reloads; RULES_AT_START=publish publishes at start instead."""
    redis = EmbeddedRedis(tmp_path / "redis", persist=False).start()
    try:
        first, edited, third = (tmp_path / name for name in ("rules-a", "rules-b", "rules-c"))
        for rules, amount in ((first, "3000.00"), (edited, "3100.00"), (third, "3200.00")):
            shutil.copytree(ROOT / "rules", rules)
            set_intermediate(rules, amount)
        common = {"REDIS_URL": redis.url, "RULES_POLL_SECONDS": "0.25", "RATE_LIMIT": "off"}
        with Server({**common, "RULES_DIR": str(first), "RUN_DIR": str(tmp_path / "run-a")}) as a, \
                Server({**common, "RULES_DIR": str(edited), "RUN_DIR": str(tmp_path / "run-b")}) as b, \
                httpx.Client(headers=AUTH, timeout=10) as c:
            published = c.get(a.url + "/v1/ruleset").json()["revision"]
            assert c.get(b.url + "/v1/ruleset").json()["revision"] == published
            for server in (a, b):
                assert ask(httpx.Client(base_url=server.url, headers=AUTH))[3] == "3000.00"
            assert "serving the published revision" in b.log_tail(200)
            reloaded = c.post(b.url + "/v1/admin/rules/reload").json()["revision"]  # the explicit publication
            assert reloaded != published
            wait_for(lambda: c.get(a.url + "/v1/ruleset").json()["revision"] == reloaded, 5, "A following B")
            with Server({**common, "RULES_DIR": str(third), "RUN_DIR": str(tmp_path / "run-c"),
                         "RULES_AT_START": "publish"}) as c3:
                forced = c.get(c3.url + "/v1/ruleset").json()["revision"]
                assert forced not in (published, reloaded)
                wait_for(lambda: {c.get(s.url + "/v1/ruleset").json()["revision"] for s in (a, b)} == {forced}, 5,
                         "every instance following a publication at start")
    finally:
        redis.stop()
