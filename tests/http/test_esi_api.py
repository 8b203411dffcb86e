"""POST /v1/esi/estimate, and decisions answered on an estimate, through the contract-checked client."""

from incentive_api.core.request import ESTIMATE_SCHEMA, RequestSchema
from support.contract import spec_dict
from support.helpers import CLIENT_KEY

ROUTE = "/v1/esi/estimate"
VESSEL = {
    "imo": "IMO 9074729", "type": "ro_ro", "gross_tonnage": 30000,
    "engines": [{"role": "main", "rated_power_kw": 9480, "rated_speed_rpm": 80, "nox_g_per_kwh": 15},
                {"role": "auxiliary", "count": 3, "rated_power_kw": 970, "rated_speed_rpm": 920, "nox_g_per_kwh": 11}],
    "bunkers": [{"sulphur_pct": 2.0, "tonnes": 1200, "quarter": "2025-Q3"},
                {"category": "MID", "sulphur_pct": 0.4, "tonnes": 300, "quarter": "2025-Q4"},
                {"sulphur_pct": 0.05, "tonnes": 150, "quarter": "2025-Q4"}],
    "co2_reporting": True,
}
CALL = {"port": "SEGOT", "arrival": "2026-03-02"}


def test_the_worked_example_is_estimated_with_its_arithmetic(api_client):
    response = api_client.post(ROUTE, json={"vessel": VESSEL, "call": CALL})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["score"] == 25.42 and body["declared_score"] is None and body["vessel"] == {"imo": "9074729"}
    assert body["as_of"] == "2026-03-02" and body["baselines"]["sox"] == "2015"
    assert body["baselines"]["bunker_quarters"] == ["2025-Q3", "2025-Q4"]
    assert (body["parts"]["nox"]["subpoints"], body["parts"]["nox"]["points"]) == (10, 6.67)
    assert (body["parts"]["sox"]["subpoints"], body["parts"]["sox"]["points"]) == (41.25, 13.75)
    assert body["parts"]["sox"]["arithmetic"][-1] == "ESI_SOx = 41.25 / 3 = 13.75"


def test_a_client_key_may_estimate(api_client):
    response = api_client.post(ROUTE, json={"vessel": VESSEL, "call": CALL},
                               headers={"Authorization": f"Bearer {CLIENT_KEY}"})
    assert response.status_code == 200


def test_what_is_missing_is_named_and_a_declared_score_shown(api_client):
    vessel = {k: v for k, v in VESSEL.items() if k != "bunkers"} | {"esi": {"score": 41}}
    body = api_client.post(ROUTE, json={"vessel": vessel}).get_json()
    assert body["score"] is None and body["missing"] == ["vessel.bunkers"] and body["declared_score"] == 41


def test_invalid_bodies_are_problems_at_their_fields(api_client):
    bad = {**VESSEL, "bunkers": [{"tonnes": 5, "quarter": "2025-Q5"}, {"category": "ULTRA", "tonnes": 5,
                                                                       "quarter": "2025-Q4"}]}
    response = api_client.post(ROUTE, json={"vessel": bad, "programs": ["pola-esi"]})
    assert response.status_code == 422
    pointers = [e["pointer"] for e in response.get_json()["errors"]]
    assert pointers == ["/programs", "/vessel/bunkers/0/quarter", "/vessel/bunkers/1/category"]
    assert api_client.post(ROUTE, data=b'{"vessel": {', content_type="application/json").status_code == 400
    assert api_client.post(ROUTE, data=b"{}", content_type="text/plain").status_code == 415
    assert api_client.get(ROUTE).status_code == 405
    assert api_client.post(ROUTE, json={"vessel": VESSEL},
                           headers={"Authorization": "Bearer ia_not-a-key"}).status_code == 401


def test_a_failure_is_a_500_problem(api_client, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("injected failure")
    monkeypatch.setattr("incentive_api.service.esi.EsiService.estimate", fail)
    assert api_client.post(ROUTE, json={"vessel": VESSEL}).status_code == 500


def test_the_estimate_request_is_the_marshmallow_schema():
    node = spec_dict()["components"]["schemas"]["EsiEstimateRequest"]
    assert set(node["properties"]) == set(ESTIMATE_SCHEMA.fields) and node["required"] == ["vessel"]
    assert node["additionalProperties"] is False
    request = spec_dict()["components"]["schemas"]["EligibilityRequest"]["properties"]
    for name in ESTIMATE_SCHEMA.fields:  # the same Vessel and Call the eligibility test compares field by field
        assert node["properties"][name] == request[name]
        assert ESTIMATE_SCHEMA.fields[name].nested is RequestSchema._declared_fields[name].nested


def test_a_decision_on_an_estimate_is_marked_and_matches_the_document(api_client):
    vessel = VESSEL | {"co2_efficiency_gain_pct": 10}
    response = api_client.post("/v1/eligibility", json={"vessel": vessel, "call": CALL})
    assert response.status_code == 200
    got = next(p for p in response.get_json()["programs"] if p["program"] == "gothenburg-environmental")
    assert got["status"] == "eligible" and got["estimated"] is True and got["score"] is None
    assert any(c["path"] == "vessel.esi.score" and c["value"] == 35.42 for c in got["criteria"])
