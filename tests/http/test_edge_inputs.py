"""Edge inputs the contract settles, each once found answered otherwise: kept as regression tests.

The document's patterns are ECMA-262 ('$' is the end of the string; [0-9] ASCII digits only), money is
never a negative zero, and item-by-item lists never turn one bad item into a 500.
"""

from __future__ import annotations

import pytest

VESSEL = {"imo": "9619907", "type": "container", "gross_tonnage": 194849}
WAIVER_CALL = {"port": "USLGB", "arrival": "2016-05-10", "vsr": {"within_40nm": True}, "shore_power_used": True}


def _waiver(api_client, dockage: dict):
    return api_client.post("/v1/eligibility", json={
        "vessel": VESSEL, "call": {**WAIVER_CALL, "fees": {"dockage": dockage}}, "programs": ["polb-dockage-waiver"]})


def _pointers(response):
    return [e["pointer"] for e in response.get_json()["errors"]]


@pytest.mark.parametrize("where,body,pointer", [
    ("port", {"vessel": VESSEL, "call": {"port": "USLGB\n"}}, "/call/port"),
    ("flag", {"vessel": {**VESSEL, "flag": "PA\n"}}, "/vessel/flag"),
    ("program id", {"vessel": VESSEL, "programs": ["polb-green-ship\n"]}, "/programs/0"),
    ("imo", {"vessel": {**VESSEL, "imo": "IMO ٩٦١٩٩٠٧"}}, "/vessel/imo"),
])
def test_a_trailing_newline_or_a_non_ascii_digit_is_refused(api_client, where, body, pointer):
    response = api_client.post("/v1/eligibility", json=body)
    assert response.status_code == 422
    assert _pointers(response) == [pointer]


@pytest.mark.parametrize("dockage,pointer", [
    ({"amount": "100.00", "currency": "USD\n"}, "/call/fees/dockage/currency"),
    ({"amount": "100.00\n", "currency": "USD"}, "/call/fees/dockage/amount"),
    ({"amount": "١٠٠", "currency": "USD"}, "/call/fees/dockage/amount"),
])
def test_money_is_refused_unless_plain(api_client, dockage, pointer):
    response = _waiver(api_client, dockage)
    assert response.status_code == 422
    assert _pointers(response) == [pointer]


def test_a_query_port_with_a_trailing_newline_is_refused(api_client):
    response = api_client.get("/v1/programs?port=USLGB%0A")
    assert response.status_code == 422
    assert _pointers(response) == ["/port"]


@pytest.mark.parametrize("amount", ["-0.00", -0.0, "0", 0])
def test_money_is_never_a_negative_zero(api_client, amount):
    response = _waiver(api_client, {"amount": amount, "currency": "USD"})
    assert response.status_code == 200
    waiver = response.get_json()["programs"][0]
    assert waiver["total"] == {"amount": "0.00", "currency": "USD"}
    assert waiver["benefits"][0]["amount"] == "0.00"


def test_a_dry_run_request_naming_a_program_the_candidate_removes_is_counted_invalid(make_client):
    response = make_client().post("/v1/admin/rules/dry-run", json={
        "files": {"polb-dockage-waiver.yaml": None},
        "requests": [{"vessel": VESSEL, "call": WAIVER_CALL, "programs": ["polb-dockage-waiver"]},
                     {"vessel": VESSEL, "call": WAIVER_CALL}]})
    assert response.status_code == 200
    report = response.get_json()
    assert (report["requests"], report["invalid_requests"]) == (2, 1)


@pytest.mark.parametrize("raw", [b'[{"vessel": {}}]', b'"items"', b"1", b"null"])
def test_a_batch_that_is_not_an_object_is_named_by_the_empty_pointer(api_client, raw):
    response = api_client.post("/v1/eligibility/batch", data=raw, content_type="application/json")
    assert response.status_code == 422
    assert _pointers(response) == [""]


@pytest.mark.parametrize("raw,pointer", [
    (b'{"vessel": {"imo": "9619907", "type": "container", "gross_tonnage": NaN}}', "/vessel/gross_tonnage"),
    (b'{"vessel": {"imo": "9619907", "type": "container", "gross_tonnage": Infinity}}', "/vessel/gross_tonnage"),
    (b'{"vessel": {"imo": "9619907", "type": "container", "gross_tonnage": 1' + b"0" * 40 + b'}}',
     "/vessel/gross_tonnage"),
])
def test_numbers_json_cannot_mean_are_422s_that_name_the_field(api_client, raw, pointer):
    response = api_client.post("/v1/eligibility", data=raw, content_type="application/json")
    assert response.status_code == 422
    assert _pointers(response) == [pointer]


def test_an_invalid_batch_item_does_not_fail_its_neighbours(api_client):
    raw = b'{"items": [NaN, {"vessel": {"imo": "9619907", "type": "container", "gross_tonnage": 1}}]}'
    response = api_client.post("/v1/eligibility/batch", data=raw, content_type="application/json")
    assert response.status_code == 200
    first, second = response.get_json()["items"]
    assert first["status"] == 422 and [e["pointer"] for e in first["errors"]] == ["/items/0"]
    assert "decision_id" in second


def test_a_too_deeply_nested_body_is_a_422_naming_the_body():
    # A plain test client: the contract checker's own JSON decoder cannot read such a body either.
    from incentive_api.config import Settings
    from incentive_api.http.app import create_app
    client = create_app(Settings(cache_enabled=False, auth_enabled=False)).test_client()
    deep = b"[" * 100_000 + b"]" * 100_000
    response = client.post("/v1/eligibility", data=deep, content_type="application/json")
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert response.get_json()["errors"] == [
        {"pointer": "", "message": "Nested too deeply; no request needs more than a few levels."}]


@pytest.mark.parametrize("literal", ["1e-99999999999999999999", "1E+99999999999999999999"])
@pytest.mark.parametrize("route,template,pointer", [
    ("/v1/eligibility", '{"vessel": {"imo": "9619907", "type": "container", "gross_tonnage": %s}}',
     "/vessel/gross_tonnage"),
    ("/v1/eligibility/batch", '{"items": [{"vessel": {"imo": "9619907", "type": "container", "gross_tonnage": %s}}]}',
     "/items/0/vessel/gross_tonnage"),
    ("/v1/plans", '{"vessel": {"imo": "9619907", "type": "container", "gross_tonnage": %s},'
                  ' "calls": [{"port": "USLGB", "arrival": "2026-03-02"}]}', "/vessel/gross_tonnage"),
    ("/v1/esi/estimate", '{"vessel": {"imo": "9619907", "type": "container", "gross_tonnage": %s}}',
     "/vessel/gross_tonnage"),
])
def test_an_exponent_no_arithmetic_holds_is_a_422_at_its_field_on_every_route(api_client, literal, route, template,
                                                                                pointer):
    r = api_client.post(route, data=template % literal, content_type="application/json")
    problem = r.get_json() if r.status_code != 200 else r.get_json()["items"][0]
    assert problem["status"] == 422
    assert {"pointer": pointer, "message": "Must be a finite number within range."} in problem["errors"]
