"""A fee in another currency than the program in effect bills it in is a 422 at its field, alone or in a batch."""

BODY = {
    "vessel": {"imo": "9074729", "type": "container", "gross_tonnage": 90000},
    "call": {"port": "USLGB", "arrival": "2026-03-02",
             "operator_vsr_compliance": {"year": 2025, "zone_20nm_pct": 97, "zone_40nm_pct": 91},
             "fees": {"dockage": {"amount": "18500.00", "currency": "EUR"}}},
}
EXPECTED = {"pointer": "/call/fees/dockage/currency",
            "message": "expected USD, not EUR: polb-green-flag reads dockage in USD."}


def test_a_fee_in_the_wrong_currency_is_refused_at_its_pointer(api_client):
    r = api_client.post("/v1/eligibility", json=BODY)
    assert r.status_code == 422 and r.content_type == "application/problem+json"
    assert r.get_json()["errors"] == [EXPECTED]


def test_in_a_batch_only_that_item_is_refused(api_client):
    good = {**BODY, "call": {**BODY["call"], "fees": {"dockage": {"amount": "18500.00", "currency": "USD"}}}}
    r = api_client.post("/v1/eligibility/batch", json={"items": [good, BODY]})
    assert r.status_code == 200
    first, second = r.get_json()["items"]
    flag = next(p for p in first["programs"] if p["program"] == "polb-green-flag")
    assert flag["total"] == {"amount": "4625.00", "currency": "USD"} and flag["missing"] == []
    assert second["status"] == 422
    assert second["errors"] == [dict(EXPECTED, pointer="/items/1" + EXPECTED["pointer"])]
