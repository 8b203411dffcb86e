"""The v1 API through HTTP: decisions, batches, catalogue, readiness, headers."""

import copy
import json

import pytest

from incentive_api.config import Settings

PREMIER = {
    "vessel": {"imo": "IMO 9619907", "type": "container", "gross_tonnage": 194849,
               "engines": [{"role": "main", "imo_nox_tier": 3}],
               "esi": {"score": 56, "nox_valid": True, "sox_valid": True, "valid_until": "2026-12-31"}},
    "call": {"port": "USLGB", "arrival": "2026-03-02"},
}


def item(**vessel_over):
    body = copy.deepcopy(PREMIER)
    body["vessel"].update(vessel_over)
    return body


def test_eligibility_returns_the_decision_with_audit_headers(api_client):
    r = api_client.post("/v1/eligibility", json=PREMIER)
    assert r.status_code == 200
    d = r.get_json()
    assert d["vessel"]["imo"] == "9619907" and d["as_of"] == "2026-03-02"
    assert r.headers["X-Ruleset-Revision"] == d["ruleset"]["revision"]
    assert len(r.headers["X-Request-ID"]) == 32 and len(d["decision_id"]) == 32
    gsip = next(p for p in d["programs"] if p["program"] == "polb-green-ship")
    assert gsip["total"] == {"amount": "9000.00", "currency": "USD"}


def test_request_id_is_echoed_or_replaced(api_client):
    r = api_client.post("/v1/eligibility", json=PREMIER, headers={"X-Request-ID": "billing-run-42"})
    assert r.headers["X-Request-ID"] == "billing-run-42"
    r = api_client.get("/healthz", headers={"X-Request-ID": "bad id with spaces\u00e9"})
    assert r.headers["X-Request-ID"] != "bad id with spaces\u00e9" and len(r.headers["X-Request-ID"]) == 32


def test_unknown_fields_are_refused_by_name(api_client):
    body = item(colour="blue")
    body["call"]["speed"] = 12
    r = api_client.post("/v1/eligibility", json=body)
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    pointers = [e["pointer"] for e in r.get_json()["errors"]]
    assert pointers == ["/call/speed", "/vessel/colour"]


def test_every_field_error_is_listed(api_client):
    body = item(imo="9074728", gross_tonnage=-5, type="tanker")
    body["call"]["arrival"] = "2026-13-40"
    r = api_client.post("/v1/eligibility", json=body)
    assert r.status_code == 422
    pointers = [e["pointer"] for e in r.get_json()["errors"]]
    assert pointers == ["/call/arrival", "/vessel/gross_tonnage", "/vessel/imo", "/vessel/type"]


def test_batch_answers_in_order_and_one_bad_item_fails_alone(api_client):
    bad = item(imo="9074728")
    r = api_client.post("/v1/eligibility/batch", json={"items": [PREMIER, bad, item(type="bulk_carrier"), "x"]})
    assert r.status_code == 200
    body = r.get_json()
    assert (body["summary"]["decisions"], body["summary"]["problems"]) == (2, 2)
    first, second, third, fourth = body["items"]
    assert first["vessel"]["imo"] == "9619907"
    assert second["status"] == 422 and second["errors"][0]["pointer"] == "/items/1/vessel/imo"
    assert third["programs"] and "decision_id" in third
    assert fourth["errors"] == [{"pointer": "/items/3", "message": "The request body must be a JSON object."}]
    assert r.headers["X-Ruleset-Revision"] == body["ruleset"]["revision"]


def test_batch_of_1000_is_accepted_and_1001_refused(api_client):
    r = api_client.post("/v1/eligibility/batch", json={"items": [PREMIER] * 1000})
    assert r.status_code == 200 and r.get_json()["summary"]["decisions"] == 1000
    items = r.get_json()["items"]
    assert len(items) == 1000
    assert len({d["decision_id"] for d in items}) == 1  # the same request is the same decision (idempotent)
    r = api_client.post("/v1/eligibility/batch", json={"items": [PREMIER] * 1001})
    assert r.status_code == 422
    assert r.get_json()["errors"] == [{"pointer": "/items", "message": "A batch holds 1 to 1000 items."}]


@pytest.mark.parametrize("body, pointer", [
    ({"items": []}, "/items"),
    ({}, "/items"),
    ({"items": [PREMIER], "extra": 1}, "/extra"),
    ([PREMIER], ""),
])
def test_batch_envelope_errors(api_client, body, pointer):
    r = api_client.post("/v1/eligibility/batch", json=body)
    assert r.status_code == 422
    assert pointer in [e["pointer"] for e in r.get_json()["errors"]]


def test_programs_in_effect_by_port_and_date(api_client):
    r = api_client.get("/v1/programs?port=USLGB&as_of=2021-06-30")
    assert r.status_code == 200
    listed = {(p["program"], p["edition"]) for p in r.get_json()["programs"]}
    assert ("polb-green-ship", "2012-engine-tier") in listed
    r = api_client.get("/v1/programs?port=USLGB&as_of=2021-07-01")
    listed = {(p["program"], p["edition"]) for p in r.get_json()["programs"]}
    assert ("polb-green-ship", "2021-esi") in listed
    gsip = next(p for p in r.get_json()["programs"] if p["program"] == "polb-green-ship")
    assert gsip["levels"][0] == {"level": "base", "when": "vessel.esi.score in [25, 48)", "benefits": [
        {"id": "esi-base", "kind": "fixed", "amount": "600.00", "currency": "USD", "percent": None, "fee": None,
         "conditional": False, "text": "USD 600.00 per call"}]}
    assert gsip["cap"] == {"amount": "9000.00", "currency": "USD"}


@pytest.mark.parametrize("query", ["port=uslgb", "as_of=2021-02-30", "colour=red"])
def test_programs_query_errors(api_client, query):
    r = api_client.get(f"/v1/programs?{query}")
    assert r.status_code == 422 and r.get_json()["errors"]


def test_one_program_with_all_editions_and_404(api_client):
    r = api_client.get("/v1/programs/polb-green-ship")
    assert r.status_code == 200
    assert [e["edition"] for e in r.get_json()["editions"]] == ["2012-engine-tier", "2021-esi"]
    r = api_client.get("/v1/programs/no-such-program")
    assert r.status_code == 404 and r.mimetype == "application/problem+json"


def test_ruleset_reports_revision_files_and_counts(api_client):
    r = api_client.get("/v1/ruleset").get_json()
    assert len(r["revision"]) == 16 and "polb-green-ship.yaml" in r["files"]
    assert r["program_count"] >= 6 and r["edition_count"] >= r["program_count"]
    assert r["last_failed_load"] is None


def test_health_and_readiness(api_client):
    assert api_client.get("/healthz").get_json() == {"status": "ok"}
    ready = api_client.get("/readyz").get_json()
    assert ready["status"] == "ready" and len(ready["revision"]) == 16


def test_not_ready_with_broken_rules_and_no_5xx_from_decisions(make_client, tmp_path):
    (tmp_path / "broken.yaml").write_text("program: x\nname: [\n")
    client = make_client(settings=Settings(rules_dir=tmp_path))
    assert client.get("/healthz").status_code == 200
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.get_json()["errors"][0]["message"].startswith("broken.yaml:")
    r = client.post("/v1/eligibility", json=PREMIER)
    assert r.status_code == 503 and r.headers["Retry-After"] == "5"


def test_body_limit_gives_413(make_client):
    client = make_client(settings=Settings(max_body_bytes=2000))
    r = client.post("/v1/eligibility/batch", json={"items": [PREMIER] * 10})
    assert r.status_code == 413 and "2000 bytes" in r.get_json()["detail"]


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1" * 40, "1e-99999999999999999999",
                                     "1E+99999999999999999999", "1E-999999999", "1.0000000000000000000000000000001"])
def test_nan_infinity_and_huge_numbers_name_the_field(api_client, literal):
    text = json.dumps(PREMIER).replace('"gross_tonnage": 194849', f'"gross_tonnage": {literal}')
    r = api_client.post("/v1/eligibility", data=text, content_type="application/json")
    assert r.status_code == 422
    assert r.get_json()["errors"] == [{"pointer": "/vessel/gross_tonnage",
                                       "message": "Must be a finite number within range."}]


def test_unexpected_failure_is_a_plain_500(make_client, monkeypatch):
    import incentive_api.service.deciding as decisions_module

    def explode(*a, **k):
        raise RuntimeError("secret internals /etc/passwd")
    monkeypatch.setattr(decisions_module, "decide", explode)
    client = make_client()
    r = client.post("/v1/eligibility", json=PREMIER)
    assert r.status_code == 500 and r.mimetype == "application/problem+json"
    text = r.get_data(as_text=True)
    assert "secret" not in text and "Traceback" not in text and "RuntimeError" not in text


def test_live_gunicorn_serves_a_decision(live_api):
    r = live_api.post("/v1/eligibility", json=PREMIER)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert any(p["program"] == "carb-at-berth" for p in r.json()["programs"])


def test_a_fault_in_one_batch_item_fails_that_item_alone(make_client, monkeypatch):
    import incentive_api.service.deciding as decisions_module
    real = decisions_module.decide

    def flaky(ruleset, request, **kw):
        if request["vessel"]["gross_tonnage"] == 666:
            raise RuntimeError("secret internals")
        return real(ruleset, request, **kw)
    monkeypatch.setattr(decisions_module, "decide", flaky)
    r = make_client().post("/v1/eligibility/batch", json={"items": [PREMIER, item(gross_tonnage=666), PREMIER]})
    assert r.status_code == 200
    first, bad, third = r.get_json()["items"]
    assert first["programs"] and third["programs"]
    assert bad["status"] == 500 and "secret" not in json.dumps(bad)
