"""Every error status openapi.yaml documents for a route is one the app really produces, as documented.

One case per (operation, documented error status), through the validated Flask test client, so the
answer is also checked against the document (problem+json shape, type per status, headers). A meta-test
keeps this table and the document in step: a newly documented error status needs a case here.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from incentive_api.service.rules import RulesState
from support.contract import spec_dict
from support.helpers import CLIENT_KEY

VESSEL = {"imo": "IMO 9619907", "type": "container", "gross_tonnage": 194849}
CALL = {"port": "USLGB", "arrival": "2026-03-02"}
HEX_ID = "0123456789abcdef0123456789abcdef"
TOO_BIG = b'{"vessel": {"name": "' + b"x" * (4 * 1024 * 1024) + b'"}}'  # past the default MAX_BODY_BYTES


def fresh_request() -> dict:
    """A valid body no earlier request sent byte for byte (the raw-bytes cache would answer it)."""
    return {"vessel": {**VESSEL, "name": f"TEST {uuid.uuid4().hex}"}, "call": CALL}


def _raise(*args, **kwargs):
    raise RuntimeError("injected failure")


def fail_decide(mp):
    mp.setattr("incentive_api.service.deciding.decide", _raise)


def fail_rules_read(mp):
    mp.setattr("incentive_api.service.reconciling.Reconciling.rules", _raise)


def fail_read_json(mp):
    mp.setattr("incentive_api.http.decisions.read_json", _raise)


def fail_json(mp):
    mp.setattr("incentive_api.http.catalogue.json_response", _raise)
    mp.setattr("incentive_api.http.health.json_response", _raise)


def fail_record(mp):
    mp.setattr("incentive_api.service.reconciling.Reconciling.record", _raise)


def fail_estimate(mp):
    mp.setattr("incentive_api.service.esi.EsiService.estimate", _raise)


def fail_jwks(mp):
    mp.setattr("incentive_api.adapters.receipts.ReceiptSigner.jwks", _raise)


def fail_find(mp):
    mp.setattr("incentive_api.service.reconciling.Reconciling.find", _raise)


def fail_describe_edition(mp):
    mp.setattr("incentive_api.service.catalogue.describe_edition", _raise)


def fail_describe_program(mp):
    mp.setattr("incentive_api.service.catalogue.describe_program", _raise)


def fail_reload(mp):
    mp.setattr("incentive_api.service.publication.RulesSync.reload", _raise)


def fail_diff(mp):
    mp.setattr("incentive_api.service.rules_admin.diff", _raise)


def fail_plan_read(mp):
    mp.setattr("incentive_api.service.plans.PlanService.get", _raise)


def fail_exposition(mp):
    mp.setattr("incentive_api.http.metrics.exposition", _raise)


def lose_openapi_file(mp):
    mp.setattr("incentive_api.http.health.OPENAPI_FILE", type("Gone", (), {"read_bytes": _raise})())


@dataclass
class Case:
    operation: tuple[str, str]  # (method, path template) as in openapi.yaml
    status: int
    method: str
    url: str
    kwargs: dict = field(default_factory=dict)
    rules: str = "shipped"  # "none": an app whose rules directory is empty; "broken": one that does not load
    breaker: Callable | None = None
    pointers: list[str] | None = None  # for 422: the pointers the errors must name, in order
    header: str | None = None  # a response header the status must carry

    @property
    def id(self):
        return f"{self.operation[0].upper()} {self.operation[1]} {self.status}"


def body(raw: bytes, content_type="application/json"):
    return {"data": raw, "content_type": content_type}


ELIG, BATCH = ("post", "/v1/eligibility"), ("post", "/v1/eligibility/batch")
DECISION, PROGRAMS = ("get", "/v1/decisions/{decision_id}"), ("get", "/v1/programs")
RECORDS, KEYS, ESI = ("get", "/v1/decisions"), ("get", "/v1/receipts/keys"), ("post", "/v1/esi/estimate")
PROGRAM, RULESET = ("get", "/v1/programs/{program_id}"), ("get", "/v1/ruleset")
HEALTH, READY, OPENAPI = ("get", "/healthz"), ("get", "/readyz"), ("get", "/openapi.yaml")
METRICS = ("get", "/metrics")
RELOAD, DRY_RUN = ("post", "/v1/admin/rules/reload"), ("post", "/v1/admin/rules/dry-run")
PLAN, PLAN_READ = ("post", "/v1/plans"), ("get", "/v1/plans/{plan_id}")
RULES_READ = ("get", "/v1/rulesets/{revision}")
HEX_REVISION = "0123456789abcdef"


def fresh_plan() -> dict:
    return {"vessel": fresh_request()["vessel"], "calls": [CALL]}


REMOVE_WAIVER = {"files": {"polb-dockage-waiver.yaml": None}, "sample": 20}

CASES = [
    Case(ELIG, 400, "post", "/v1/eligibility", body(b'{"vessel": {"imo": "9619907",}')),
    Case(ELIG, 405, "get", "/v1/eligibility", header="Allow"),
    Case(ELIG, 413, "post", "/v1/eligibility", body(TOO_BIG)),
    Case(ELIG, 415, "post", "/v1/eligibility", body(b'{"vessel": {}}', "text/plain")),
    Case(ELIG, 422, "post", "/v1/eligibility", {"json": {"vessel": {**VESSEL, "berth": "Pier T"}, "call": CALL}},
         pointers=["/vessel/berth"]),
    Case(ELIG, 500, "post", "/v1/eligibility", {"json": fresh_request()}, breaker=fail_decide),
    Case(ELIG, 503, "post", "/v1/eligibility", {"json": fresh_request()}, rules="none", header="Retry-After"),

    Case(BATCH, 400, "post", "/v1/eligibility/batch", body(b'{"items": [{"vessel": {}},]}')),
    Case(BATCH, 405, "put", "/v1/eligibility/batch", {"json": {"items": []}}, header="Allow"),
    Case(BATCH, 413, "post", "/v1/eligibility/batch", body(TOO_BIG)),
    Case(BATCH, 415, "post", "/v1/eligibility/batch", body(b'items=1', "application/x-www-form-urlencoded")),
    Case(BATCH, 422, "post", "/v1/eligibility/batch", {"json": {"items": [fresh_request()], "callback": "x"}},
         pointers=["/callback"]),
    Case(BATCH, 500, "post", "/v1/eligibility/batch", {"json": {"items": [fresh_request()]}}, breaker=fail_read_json),
    Case(BATCH, 503, "post", "/v1/eligibility/batch", {"json": {"items": [fresh_request()]}}, rules="none",
         header="Retry-After"),

    Case(PLAN, 400, "post", "/v1/plans", body(b'{"vessel": {}, "calls": [},]}')),
    Case(PLAN, 405, "get", "/v1/plans", header="Allow"),
    Case(PLAN, 413, "post", "/v1/plans", body(TOO_BIG)),
    Case(PLAN, 415, "post", "/v1/plans", body(b'{"vessel": {}}', "text/plain")),
    Case(PLAN, 422, "post", "/v1/plans", {"json": {"vessel": VESSEL, "calls": [CALL, {**CALL, "port": "uslgb"}]}},
         pointers=["/calls/1/port"]),
    Case(PLAN, 500, "post", "/v1/plans", {"json": fresh_plan()}, breaker=fail_decide),
    Case(PLAN, 503, "post", "/v1/plans", {"json": fresh_plan()}, rules="none", header="Retry-After"),

    Case(PLAN_READ, 404, "get", f"/v1/plans/{HEX_ID}"),
    Case(PLAN_READ, 405, "delete", f"/v1/plans/{HEX_ID}", header="Allow"),
    Case(PLAN_READ, 500, "get", f"/v1/plans/{HEX_ID}", breaker=fail_plan_read),
    Case(PLAN_READ, 503, "get", f"/v1/plans/{HEX_ID}", rules="records-off"),

    Case(RULES_READ, 404, "get", f"/v1/rulesets/{HEX_REVISION}"),
    Case(RULES_READ, 405, "delete", f"/v1/rulesets/{HEX_REVISION}", header="Allow"),
    Case(RULES_READ, 500, "get", f"/v1/rulesets/{HEX_REVISION}", breaker=fail_rules_read),
    Case(RULES_READ, 503, "get", f"/v1/rulesets/{HEX_REVISION}", rules="records-off"),

    Case(DECISION, 404, "get", "/v1/decisions/not-a-decision-id"),
    Case(DECISION, 405, "delete", f"/v1/decisions/{HEX_ID}", header="Allow"),
    Case(DECISION, 500, "get", f"/v1/decisions/{HEX_ID}", breaker=fail_record),
    Case(DECISION, 503, "get", f"/v1/decisions/{HEX_ID}", rules="records-off"),  # no Retry-After

    Case(RECORDS, 405, "delete", "/v1/decisions", header="Allow"),
    Case(RECORDS, 422, "get", "/v1/decisions?imo=9619908&status=won&limit=0&bogus=1",
         pointers=["/bogus", "/imo", "/limit", "/status"]),
    Case(RECORDS, 500, "get", "/v1/decisions", breaker=fail_find),
    Case(RECORDS, 503, "get", "/v1/decisions", rules="records-off"),

    Case(PROGRAMS, 405, "post", "/v1/programs", {"json": {}}, header="Allow"),
    Case(PROGRAMS, 422, "get", "/v1/programs?port=uslgb&as_of=2026-02-30&bogus=1",
         pointers=["/as_of", "/bogus", "/port"]),
    Case(PROGRAMS, 500, "get", "/v1/programs", breaker=fail_describe_edition),
    Case(PROGRAMS, 503, "get", "/v1/programs", rules="none", header="Retry-After"),

    Case(PROGRAM, 404, "get", "/v1/programs/polb-green-shop"),
    Case(PROGRAM, 405, "patch", "/v1/programs/polb-green-ship", {"json": {}}, header="Allow"),
    Case(PROGRAM, 500, "get", "/v1/programs/polb-green-ship", breaker=fail_describe_program),
    Case(PROGRAM, 503, "get", "/v1/programs/polb-green-ship", rules="none", header="Retry-After"),

    Case(RULESET, 405, "delete", "/v1/ruleset", header="Allow"),
    Case(RULESET, 500, "get", "/v1/ruleset", breaker=fail_json),
    Case(RULESET, 503, "get", "/v1/ruleset", rules="none", header="Retry-After"),

    Case(HEALTH, 405, "post", "/healthz", header="Allow"),
    Case(HEALTH, 500, "get", "/healthz", breaker=fail_json),

    Case(METRICS, 404, "get", "/metrics", rules="metrics-off"),
    Case(METRICS, 405, "post", "/metrics", header="Allow"),
    Case(METRICS, 500, "get", "/metrics", breaker=fail_exposition),
    Case(READY, 405, "put", "/readyz", header="Allow"),
    Case(READY, 500, "get", "/readyz", breaker=fail_json),
    Case(READY, 503, "get", "/readyz", rules="none", pointers=[""]),

    Case(RELOAD, 405, "get", "/v1/admin/rules/reload", header="Allow"),
    Case(RELOAD, 422, "post", "/v1/admin/rules/reload", rules="broken", pointers=[""]),
    Case(RELOAD, 500, "post", "/v1/admin/rules/reload", breaker=fail_reload),

    Case(DRY_RUN, 400, "post", "/v1/admin/rules/dry-run", body(b'{"files": ')),
    Case(DRY_RUN, 405, "get", "/v1/admin/rules/dry-run", header="Allow"),
    Case(DRY_RUN, 413, "post", "/v1/admin/rules/dry-run", body(TOO_BIG)),
    Case(DRY_RUN, 415, "post", "/v1/admin/rules/dry-run", body(b'{}', "text/yaml")),
    Case(DRY_RUN, 422, "post", "/v1/admin/rules/dry-run", {"json": {"files": {}, "sample": 0}},
         pointers=["/files", "/sample"]),
    Case(DRY_RUN, 500, "post", "/v1/admin/rules/dry-run", {"json": REMOVE_WAIVER}, breaker=fail_diff),
    Case(DRY_RUN, 503, "post", "/v1/admin/rules/dry-run", {"json": REMOVE_WAIVER}, rules="none"),

    Case(ESI, 400, "post", "/v1/esi/estimate", body(b'{"vessel": {"imo": "9619907",}')),
    Case(ESI, 405, "get", "/v1/esi/estimate", header="Allow"),
    Case(ESI, 413, "post", "/v1/esi/estimate", body(TOO_BIG)),
    Case(ESI, 415, "post", "/v1/esi/estimate", body(b'{"vessel": {}}', "text/plain")),
    Case(ESI, 422, "post", "/v1/esi/estimate",
         {"json": {"vessel": {**VESSEL, "bunkers": [{"tonnes": 5, "quarter": "2025-Q4"}]}}},
         pointers=["/vessel/bunkers/0"]),
    Case(ESI, 500, "post", "/v1/esi/estimate", {"json": {"vessel": VESSEL}}, breaker=fail_estimate),

    Case(KEYS, 405, "post", "/v1/receipts/keys", header="Allow"),
    Case(KEYS, 500, "get", "/v1/receipts/keys", breaker=fail_jwks),

    Case(OPENAPI, 405, "post", "/openapi.yaml", header="Allow"),
    Case(OPENAPI, 500, "get", "/openapi.yaml", breaker=lose_openapi_file),
]

# Access: every protected route refuses a wrong key (401) and a spent budget (429); admin routes a client key (403).
WRONG_KEY = {"headers": {"Authorization": "Bearer ia_not-a-key"}}
PROTECTED = [(ELIG, "post", "/v1/eligibility", {"json": fresh_request()}),
             (BATCH, "post", "/v1/eligibility/batch", {"json": {"items": [fresh_request()]}}),
             (DECISION, "get", f"/v1/decisions/{HEX_ID}", {}),
             (RECORDS, "get", "/v1/decisions", {}),
             (ESI, "post", "/v1/esi/estimate", {"json": {"vessel": VESSEL}}),
             (PLAN, "post", "/v1/plans", {"json": fresh_plan()}),
             (PLAN_READ, "get", f"/v1/plans/{HEX_ID}", {}),
             (PROGRAMS, "get", "/v1/programs", {}),
             (PROGRAM, "get", "/v1/programs/polb-green-ship", {}),
             (RULESET, "get", "/v1/ruleset", {}),
             (RULES_READ, "get", f"/v1/rulesets/{HEX_REVISION}", {}),
             (RELOAD, "post", "/v1/admin/rules/reload", {}),
             (DRY_RUN, "post", "/v1/admin/rules/dry-run", {"json": REMOVE_WAIVER})]
for op, method, url, kwargs in PROTECTED:
    CASES.append(Case(op, 401, method, url, {**kwargs, **WRONG_KEY}, header="WWW-Authenticate"))
    CASES.append(Case(op, 429, method, url, kwargs, rules="limited", header="Retry-After"))
    if url.startswith(("/v1/admin/", "/v1/rulesets/")):
        CASES.append(Case(op, 403, method, url, {**kwargs, "headers": {"X-API-Key": CLIENT_KEY}}))


@pytest.fixture
def no_rules_client(make_client, tmp_path):
    """An app whose rules directory holds no rule file: nothing to decide with."""
    return make_client(state=RulesState(tmp_path))


@pytest.fixture
def limited_client(make_client, tmp_path):
    """An app whose keys may make one request a minute."""
    from incentive_api.config import Settings
    return make_client(settings=dataclasses.replace(Settings(), run_dir=tmp_path, cache_enabled=False,
                                                    rate_limit="1/minute", rate_limit_batch="1/minute"))


@pytest.fixture
def records_off_client(make_client, tmp_path):
    """An app that keeps no decision records (RECORDS=off)."""
    from incentive_api.config import Settings
    return make_client(settings=dataclasses.replace(Settings(), run_dir=tmp_path, records_enabled=False))


@pytest.fixture
def metrics_off_client(make_client, tmp_path):
    """An app with METRICS=off."""
    from incentive_api.config import Settings
    return make_client(settings=dataclasses.replace(Settings(), run_dir=tmp_path, metrics_enabled=False))


@pytest.fixture
def broken_rules_client(make_client, tmp_path):
    """An app whose rules directory holds a file that does not load."""
    (tmp_path / "broken.yaml").write_text("program: [\n")
    return make_client(state=RulesState(tmp_path))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_documented_error_status_is_produced(case, request, monkeypatch):
    client = request.getfixturevalue({"none": "no_rules_client", "broken": "broken_rules_client",
                                      "limited": "limited_client", "records-off": "records_off_client",
                                      "metrics-off": "metrics_off_client",
                                      "shipped": "api_client"}[case.rules])
    if case.breaker:
        case.breaker(monkeypatch)
    if case.rules == "limited":
        client.open(case.url, method=case.method.upper(), **case.kwargs)  # spends the budget
    response = client.open(case.url, method=case.method.upper(), **case.kwargs)  # validated against openapi.yaml
    assert response.status_code == case.status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    if case.pointers is not None:
        assert [e["pointer"] for e in problem["errors"]] == case.pointers
    if case.header:
        assert response.headers.get(case.header)


def test_unknown_field_is_named_by_its_pointer(api_client):
    response = api_client.post("/v1/eligibility", json={"vessel": VESSEL, "call": {**CALL, "berth": "Pier T"}})
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"pointer": "/call/berth", "message": "Unknown field: not part of the request contract."}]


def test_an_invalid_batch_item_is_answered_in_its_place(api_client):
    good = fresh_request()
    bad = {"vessel": {**VESSEL, "imo": "9619908"}, "call": {**CALL, "berth": "Pier T"}}
    response = api_client.post("/v1/eligibility/batch", json={"items": [good, bad]})
    assert response.status_code == 200
    answer = response.get_json()
    assert "decision_id" in answer["items"][0]
    assert answer["items"][1]["status"] == 422
    assert [e["pointer"] for e in answer["items"][1]["errors"]] == ["/items/1/call/berth", "/items/1/vessel/imo"]
    assert (answer["summary"]["decisions"], answer["summary"]["problems"]) == (1, 1)


def test_method_not_allowed_lists_the_allowed_methods(api_client):
    response = api_client.get("/v1/eligibility")
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["Allow"].split(",")} >= {"POST"}


def test_any_unlisted_path_is_a_404_problem(api_client):
    response = api_client.get("/v2/eligibility")
    assert response.status_code == 404
    assert response.get_json()["type"] == "urn:incentive-api:problem:not-found"


def test_liveness_does_not_need_rules(no_rules_client):
    assert no_rules_client.get("/healthz").status_code == 200


def test_the_cases_cover_every_documented_error_status():
    documented = set()
    for path, item in spec_dict()["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and "responses" in op:
                documented |= {(method, path, int(s)) for s in op["responses"] if s[0] in "45"}
    covered = {(*c.operation, c.status) for c in CASES}
    assert covered == documented
