"""The contract through gunicorn (gunicorn.conf.py, two workers, the embedded Redis): what only a real
server shows. Every exchange here is also checked against openapi.yaml by live_api."""

from __future__ import annotations

import time
import uuid

import httpx

from support.contract import GENERATED_REQUEST_ID, spec_dict
from support.helpers import AUTH


def _request(name: str) -> dict:
    media = spec_dict()["paths"]["/v1/eligibility"]["post"]["requestBody"]["content"]["application/json"]
    return media["examples"][name]["value"]


def _fresh(name="polb-premier") -> dict:
    body = _request(name)
    return {**body, "vessel": {**body["vessel"], "name": f"CONTRACT {uuid.uuid4().hex}"}}


def test_every_route_answers(live_api):
    ready = live_api.get("/readyz").json()
    assert ready["status"] == "ready"
    assert live_api.get("/healthz").status_code == 200
    revision = live_api.get("/v1/ruleset").json()["revision"]
    assert revision == ready["revision"]
    catalogue = live_api.get("/v1/programs", params={"port": "USLGB", "as_of": "2026-03-02"}).json()
    assert catalogue["port"] == "USLGB" and catalogue["programs"]
    for entry in catalogue["programs"]:
        assert live_api.get(f"/v1/programs/{entry['program']}").status_code == 200
    assert live_api.get("/openapi.yaml").status_code == 200
    for name in ("polb-premier", "pola-named-programs", "polb-dockage-waiver-2016", "carb-tanker"):
        response = live_api.post("/v1/eligibility", json=_request(name))
        assert response.status_code == 200 and response.headers["X-Ruleset-Revision"] == revision


def test_request_ids_are_echoed_or_replaced(live_api):
    assert live_api.get("/healthz", headers={"X-Request-ID": "billing:7f3a.2026-03-02_1"}).headers[
        "X-Request-ID"] == "billing:7f3a.2026-03-02_1"
    for sent in ("has a space", "x" * 129, "naïve"):
        got = live_api.get("/healthz", headers={"X-Request-ID": sent.encode()}).headers["X-Request-ID"]
        assert GENERATED_REQUEST_ID.match(got)
    response = live_api.post("/v1/eligibility", json={"vessel": {}}, headers={"X-Request-ID": "bad id"})
    assert response.json()["request_id"] == response.headers["X-Request-ID"] != "bad id"


def test_a_decision_is_kept_and_a_repeat_comes_from_the_cache(live_api):
    body = _fresh()
    first = live_api.post("/v1/eligibility", json=body)
    assert first.headers["X-Cache"] in ("miss", "bypass")
    decision_id = first.json()["decision_id"]
    for _ in range(50):  # records are written behind the answer
        kept = live_api.get(f"/v1/decisions/{decision_id}")
        if kept.status_code != 404:
            break
        time.sleep(0.1)
    assert kept.status_code == 200 and kept.content == first.content
    again = live_api.post("/v1/eligibility", json=body)
    # Either worker may answer, from its L1, from Redis, or (a worker sampling its Redis reads) anew:
    # the answer, decision_id included, is the same bytes whichever it is.
    assert again.headers["X-Cache"] in ("hit-l1", "hit-l2", "miss")
    assert again.content == first.content
    assert live_api.get("/readyz").json()["cache"] == "ok"


def test_an_unknown_decision_is_404(live_api):
    assert live_api.get(f"/v1/decisions/{uuid.uuid4().hex}").status_code == 404


def test_a_body_past_the_limit_is_413(live_api):
    too_big = b'{"items": ["' + b"x" * (4 * 1024 * 1024) + b'"]}'
    response = live_api.post("/v1/eligibility/batch", content=too_big, headers={"Content-Type": "application/json"})
    assert response.status_code == 413


def test_a_batch_is_answered_in_order(live_api):
    items = [_fresh("pola-named-programs"), {"vessel": {"imo": "9619908", "type": "container", "gross_tonnage": 1}},
             _fresh("carb-tanker")]
    answer = live_api.post("/v1/eligibility/batch", json={"items": items}).json()
    assert ["decision_id" in it for it in answer["items"]] == [True, False, True]
    assert answer["items"][2]["programs"][0]["program"] == "carb-at-berth"
    assert answer["summary"]["cache"]["miss"] == 2


def test_plain_httpx_without_the_hook_sees_the_same(live_url):
    with httpx.Client(base_url=live_url, headers=AUTH) as plain:
        assert plain.get("/v1/programs/nope").headers["Content-Type"] == "application/problem+json"
