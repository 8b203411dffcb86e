"""Hostile input: every limit on what a caller controls is a 413 or a 422 naming the field."""

import copy
import json

import pytest

from support.helpers import AUTH

BASE = {"vessel": {"imo": "9619907", "type": "container", "gross_tonnage": 194849},
        "call": {"port": "USLGB", "arrival": "2026-03-02"}}


def with_(path, value):
    body = copy.deepcopy(BASE)
    node = body
    *parents, last = path.strip("/").split("/")
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value
    return body


CASES = [
    ("/vessel/name", "x" * 201),
    ("/vessel/operator", "o" * 5000),
    ("/vessel/engines", [{"role": "main"}] * 33),
    ("/vessel/fuels", ["hfo"] * 12),
    ("/vessel/gross_tonnage", -1),
    ("/vessel/gross_tonnage", 0),
    ("/vessel/gross_tonnage", 10 ** 9),
    ("/vessel/year_built", 0),
    ("/vessel/keel_laid", "0000-01-01"),
    ("/vessel/keel_laid", "2026-02-30"),
    ("/vessel/esi/score", 100.5),
    ("/vessel/flag", "pa"),
    ("/vessel/imo", "96199070"),
    ("/call/port", "USLGB\n"),
    ("/call/arrival", "20260302"),
    ("/call/fees/dockage/amount", "1e400"),
    ("/call/fees/dockage/amount", -5),
    ("/call/fees/dockage/currency", "usd"),
    ("/call/terminal", "t" * 201),
    ("/vessel/type", "semi-container"),
    ("/vessel/solas_certificate", "yes"),
    ("/call/registered_for_incentive", 1),
    ("/call/operator_calls_per_year", -1),
    ("/call/operator_calls_per_year", 5.5),
    ("/call/operator_calls_per_year", 100_001),
    ("/call/berth_fuel_switch/hours_after_arrival", -0.5),
    ("/call/berth_fuel_switch/hours_before_departure", 8785),
    ("/call/berth_fuel_switch/minutes", 5),
    ("/call/fuel_switched_before_control_area", "true"),
    ("/call/china_deca_area", "yangtze"),
    ("/call/vsr/share_of_year_calls_pct", 100.1),
    ("/call/biofuel_bunkered_tonnes", -1),
    ("/call/biofuel_bunkered_tonnes", 1_000_001),
    ("/call/fees/port_entry_fee/currency", "yen"),
    ("/call/fees/light_dues", {"amount": "10.00", "currency": "HKD"}),
]


@pytest.mark.parametrize("pointer, value", CASES, ids=[f"{p}={str(v)[:20]!r}" for p, v in CASES])
def test_each_field_limit_is_a_422_at_its_field(api_client, pointer, value):
    body = with_(pointer, value)
    if pointer.startswith("/call/fees/") and pointer.count("/") == 4:  # one part of a fee: give the other
        fee = body["call"]["fees"][pointer.split("/")[3]]
        fee.setdefault("amount", "100.00")
        fee.setdefault("currency", "USD")
    r = api_client.post("/v1/eligibility", json=body)
    assert r.status_code == 422, r.get_data(as_text=True)
    assert pointer in [e["pointer"] for e in r.get_json()["errors"]]


def test_too_many_program_ids(api_client):
    r = api_client.post("/v1/eligibility", json={**BASE, "programs": ["polb-green-ship"] * 65})
    assert r.status_code == 422 and r.get_json()["errors"][0]["pointer"] == "/programs"


def test_a_body_past_the_size_limit_is_a_413(api_client):
    r = api_client.post("/v1/eligibility", data=b'{"vessel": "' + b"x" * (5 * 1024 * 1024) + b'"}',
                        content_type="application/json")
    assert r.status_code == 413


@pytest.mark.parametrize("raw", [b"[" * 5000 + b"]" * 5000, b'{"vessel": ' * 3000 + b"1" + b"}" * 3000])
def test_deep_nesting_is_a_422(raw):
    from incentive_api.config import Settings
    from incentive_api.http.app import create_app
    client = create_app(Settings(cache_enabled=False)).test_client()  # the checker cannot decode such bodies
    r = client.post("/v1/eligibility", data=raw, content_type="application/json", headers=AUTH)
    assert r.status_code == 422 and r.get_json()["errors"][0]["pointer"] == ""


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1" * 31, "1e99999"])
def test_non_finite_and_huge_numbers(api_client, literal):
    raw = json.dumps(BASE).replace('"gross_tonnage": 194849', f'"gross_tonnage": {literal}')
    r = api_client.post("/v1/eligibility", data=raw, content_type="application/json")
    assert r.status_code == 422
    assert r.get_json()["errors"][0]["pointer"] == "/vessel/gross_tonnage"
