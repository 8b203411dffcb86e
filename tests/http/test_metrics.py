"""GET /metrics in one process (the Flask test client): what is counted, with which labels, and METRICS=off."""

import json

from prometheus_client.parser import text_string_to_metric_families

from incentive_api.config import Settings
from incentive_api.http.app import create_app
from support.helpers import AUTH, CLIENT_KEY, keyed

BODY = {"vessel": {"imo": "9619907", "type": "container", "gross_tonnage": 194849,
                   "esi": {"score": 56, "nox_valid": True, "sox_valid": True, "valid_until": "2026-12-31"}},
        "call": {"port": "USLGB", "arrival": "2026-03-02"}}


def scrape(client) -> dict:
    """{(sample name, frozenset of labels): value} from GET /metrics, sent with no key."""
    r = client.get("/metrics", headers={"Authorization": ""})
    assert r.status_code == 200, r.data
    assert r.headers["Content-Type"].startswith("text/plain; version=")
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(r.get_data(as_text=True)) for s in family.samples}


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_requests_decisions_and_cache_are_counted_with_bounded_labels(tmp_path):
    app = keyed(create_app(Settings(run_dir=tmp_path, rate_limit="off")))
    client = app.test_client()
    before = scrape(client)
    first = client.post("/v1/eligibility", json=BODY, headers={"Authorization": f"Bearer {CLIENT_KEY}"})
    again = client.post("/v1/eligibility", json=BODY, headers={"Authorization": f"Bearer {CLIENT_KEY}"})
    assert first.status_code == again.status_code == 200 and again.headers["X-Cache"] == "hit-l1"
    assert client.get("/v1/programs/polb-green-ship").status_code == 200
    assert client.get("/v1/no-such-route").status_code == 404
    after = scrape(client)

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("incentive_http_requests_total", method="POST", route="/v1/eligibility", status="200") == 2
    assert moved("incentive_http_requests_total", method="GET", route="/v1/programs/<program_id>", status="200") == 1
    assert moved("incentive_http_requests_total", method="GET", route="unmatched", status="404") == 1
    assert moved("incentive_http_request_duration_seconds_count", method="POST", route="/v1/eligibility") == 2
    assert moved("incentive_cache_lookups_total", level="local", result="hit") >= 1
    for program in first.json["programs"]:
        assert moved("incentive_decisions_total", program=program["program"], edition=program["edition"],
                     status=program["status"]) == 2
    assert value(after, "incentive_ruleset_info", revision=first.json["ruleset"]["revision"]) == 1
    assert 0 <= value(after, "incentive_ruleset_age_seconds") < 3600
    text = client.get("/metrics").get_data(as_text=True)
    for secret in (first.json["decision_id"], "9619907", CLIENT_KEY, AUTH["Authorization"][7:], "test-client"):
        assert secret not in text


def test_a_failed_reload_and_a_rate_limited_request_are_counted(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "broken.yaml").write_text("program: broken\n")
    app = keyed(create_app(Settings(run_dir=tmp_path, cache_enabled=False, rate_limit="2/minute")))
    client = app.test_client()
    before = scrape(client)
    app.extensions["incentive"].rules.directory = rules
    assert client.post("/v1/admin/rules/reload").status_code == 422
    codes = [client.get("/v1/ruleset", headers={"X-API-Key": CLIENT_KEY}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    after = scrape(client)
    assert value(after, "incentive_rules_loads_total", result="failed") - \
        value(before, "incentive_rules_loads_total", result="failed") == 1
    assert value(after, "incentive_rate_limited_total", budget="requests") - \
        value(before, "incentive_rate_limited_total", budget="requests") >= 1


def test_metrics_off_removes_the_route_and_counts_nothing(tmp_path):
    on = keyed(create_app(Settings(run_dir=tmp_path / "on", rate_limit="off"))).test_client()
    before = scrape(on)
    off = keyed(create_app(Settings(run_dir=tmp_path / "off", rate_limit="off", metrics_enabled=False))).test_client()
    try:
        r = off.get("/metrics", headers={"Authorization": ""})
        assert r.status_code == 404 and r.headers["Content-Type"] == "application/problem+json"
        assert off.post("/v1/eligibility", json=BODY).status_code == 200
    finally:
        keyed(create_app(Settings(run_dir=tmp_path / "again", rate_limit="off")))  # counting back on
    after = scrape(on)
    assert value(after, "incentive_http_requests_total", method="POST", route="/v1/eligibility", status="200") == \
        value(before, "incentive_http_requests_total", method="POST", route="/v1/eligibility", status="200")
    assert json.loads(on.get("/healthz").data) == {"status": "ok"}
