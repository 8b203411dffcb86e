"""Every line a real gunicorn writes is one JSON object: request lines with their fields, gunicorn's own
lines (start, workers, SIGHUP, access), reloads, and a Redis outage and its recovery."""

import json
import os
import signal

from incentive_api.adapters.redis.embedded import EmbeddedRedis
from incentive_api.testing import GunicornServer
from support.helpers import AUTH, CLIENT_KEY, wait_for

BODY = json.dumps({"vessel": {"imo": "9619907", "type": "container", "gross_tonnage": 194849},
                   "call": {"port": "USLGB", "arrival": "2026-03-02"}}).encode()
REQUEST_FIELDS = {"time", "level", "logger", "pid", "event", "request_id", "method", "route", "path", "status",
                  "latency_ms", "cache", "revision", "key_name"}


def test_every_line_of_a_run_is_json_with_its_fields(tmp_path):
    redis = EmbeddedRedis(tmp_path / "redis", persist=False).start()
    server = GunicornServer({"LOG_LEVEL": "info", "LOG_FORMAT": "json", "ACCESS_LOG": "-", "REDIS_URL": redis.url,
                             "RATE_LIMIT": "off", "REDIS_BACKOFF_SECONDS": "0.2"}, workdir=tmp_path / "gunicorn")
    client = {"Authorization": f"Bearer {CLIENT_KEY}", "Content-Type": "application/json"}
    try:
        server.start()
        status, headers, answer = server.request("POST", "/v1/eligibility", BODY, client)
        assert status == 200
        decision_id = json.loads(answer)["decision_id"]
        assert server.request("POST", "/v1/eligibility", b"{", client)[0] == 400
        assert server.request("GET", "/v1/ruleset", headers={"X-API-Key": "wrong"})[0] == 401
        assert server.request("POST", "/v1/admin/rules/reload", b"", AUTH)[0] == 200

        redis.stop()
        assert server.request("POST", "/v1/eligibility", BODY.replace(b"194849", b"194850"), client)[0] == 200
        redis.start()
        # the worker that met the outage notices the recovery at its next use of Redis (its rules poll, at least)
        wait_for(lambda: "redis reachable again" in server.log_path.read_text(), 10, "the recovery logged")

        victim = min(server.worker_pids())
        os.kill(victim, signal.SIGKILL)
        wait_for(lambda: len(server.worker_pids(settle=0) - {victim}) == 2, 15, "a worker replacing the killed one")
        server.hup()
        wait_for(lambda: "Handling signal: hup" in server.log_path.read_text(), 10, "gunicorn logging the SIGHUP")
    finally:
        server.stop()
        redis.stop()
    text = server.log_path.read_text()
    lines = [json.loads(line) for line in text.splitlines()]  # every line parses, or this fails naming it
    assert len(lines) > 10
    for line in lines:
        assert {"time", "level", "logger", "pid", "event"} <= line.keys(), line
    requests = [ln for ln in lines if ln["logger"] == "incentive_api.requests"]
    for line in requests:
        assert line.keys() >= REQUEST_FIELDS, line
    decided = next(ln for ln in requests if ln.get("decision_ids") == [decision_id])
    assert decided["route"] == "/v1/eligibility" and decided["status"] == 200 and decided["key_name"] == "test-client"
    assert decided["cache"] == headers["X-Cache"] and decided["revision"] == headers["X-Ruleset-Revision"]
    assert decided["request_id"] == headers["X-Request-ID"]
    assert {(ln["route"], ln["status"]) for ln in requests} >= {("/v1/eligibility", 400), ("/v1/ruleset", 401),
                                                                ("/v1/admin/rules/reload", 200)}
    assert any(ln["logger"] == "gunicorn.access" for ln in lines)
    events = [ln["event"] for ln in lines]
    for expected in ("Booting worker", "redis unavailable", "redis reachable again", "rules published",
                     "Handling signal: hup"):
        assert any(expected in e for e in events), f"no line says {expected!r}"
    assert CLIENT_KEY not in text and AUTH["Authorization"][7:] not in text
