"""Voyage plans through the API: 52 weekly calls decided, recorded and summed; read back verbatim by its key."""

import dataclasses
import datetime as dt
import os
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from incentive_api.adapters.api_keys import KeyFile
from incentive_api.config import Settings
from support.helpers import CLIENT_KEY

VESSEL = {"imo": "IMO 9619907", "type": "container", "fuels": ["lng"], "scrubber": "none", "gross_tonnage": 194849, "green_award": True,
          "engines": [{"role": "main", "imo_nox_tier": 3}],
          "esi": {"score": 51.2, "nox_valid": True, "sox_valid": True, "valid_until": "2027-12-31"}}
PORTS = ["USLGB", "USLAX", "CNYTN", "SGSIN", "NLRTM"]
FEES = {"SGSIN": {"port_dues": {"amount": "10000.00", "currency": "SGD"}}}


def weekly_calls(n=52):
    start = dt.date(2026, 1, 5)
    return [{"port": PORTS[i % 5], "arrival": (start + dt.timedelta(weeks=i)).isoformat(),
             "departure": (start + dt.timedelta(weeks=i, days=2)).isoformat(),
             "fuel_at_berth": "lng", "methane_slip_addressed": True, **({"fees": FEES[PORTS[i % 5]]}
                                                                        if PORTS[i % 5] in FEES else {})}
            for i in range(n)]


@pytest.fixture
def client(make_client, tmp_path):
    return make_client(settings=dataclasses.replace(Settings(), run_dir=tmp_path, cache_enabled=False))


def test_a_year_of_calls_sums_its_decisions(client):
    plan = client.post("/v1/plans", json={"vessel": VESSEL, "calls": weekly_calls()})
    assert plan.status_code == 200, plan.get_data(as_text=True)[:500]
    answer = plan.get_json()
    assert len(answer["calls"]) == 52
    expected: dict[str, Decimal] = {}
    for call in answer["calls"]:
        got = client.get(f"/v1/decisions/{call['decision_id']}")
        assert got.status_code == 200
        for entry in got.get_json()["programs"]:
            if entry["total"]:
                cur = entry["total"]["currency"]
                expected[cur] = expected.get(cur, Decimal(0)) + Decimal(entry["total"]["amount"])
    assert {m["currency"]: Decimal(m["amount"]) for m in answer["totals"]["by_currency"]} == expected
    assert len(expected) >= 2  # currencies stay apart
    assert answer["totals"]["converted"] is None
    assert sum(p["calls"] for p in answer["totals"]["by_port"]) == 52


def test_a_call_is_decided_as_a_single_request_is(client):
    call = weekly_calls(1)[0]
    plan = client.post("/v1/plans", json={"vessel": VESSEL, "calls": [call]}).get_json()
    single = client.post("/v1/eligibility", json={"vessel": VESSEL, "call": call}).get_json()
    assert plan["calls"][0]["decision_id"] == single["decision_id"]


def test_rates_give_a_converted_total_beside_the_currencies(client):
    body = {"vessel": VESSEL, "calls": weekly_calls(10), "rates": {"SGD": "0.75", "EUR": "1.1"},
            "report_currency": "USD"}
    totals = client.post("/v1/plans", json=body).get_json()["totals"]
    want = sum(Decimal(m["amount"]) * {"USD": Decimal(1), "SGD": Decimal("0.75"), "EUR": Decimal("1.1")}[m["currency"]]
               for m in totals["by_currency"])
    assert len(totals["by_currency"]) >= 2
    assert Decimal(totals["converted"]["total"]["amount"]) == want.quantize(Decimal("0.01"))


def test_one_bad_call_is_named_by_its_place(client):
    calls = weekly_calls()
    calls[17] = {**calls[17], "arrival": "2026-02-30"}
    refused = client.post("/v1/plans", json={"vessel": VESSEL, "calls": calls})
    assert refused.status_code == 422
    assert [e["pointer"] for e in refused.get_json()["errors"]] == ["/calls/17/arrival"]


def test_a_plan_reads_back_verbatim_and_only_by_its_key(client):
    other = KeyFile(Path(os.environ["API_KEYS_FILE"])).add(f"other-{uuid.uuid4().hex[:8]}", "client")
    made = client.post("/v1/plans", json={"vessel": VESSEL, "calls": weekly_calls(3)},
                       headers={"X-API-Key": CLIENT_KEY})
    plan_id = made.get_json()["plan_id"]
    again = client.get(f"/v1/plans/{plan_id}", headers={"X-API-Key": CLIENT_KEY})
    assert again.status_code == 200 and again.data == made.data
    assert client.get(f"/v1/plans/{plan_id}", headers={"X-API-Key": other}).status_code == 404
    assert client.get(f"/v1/plans/{plan_id}").status_code == 200  # the operator reads every plan


def test_a_rate_for_the_report_currency_other_than_1_is_refused_at_its_place(client):
    body = {"vessel": VESSEL, "calls": weekly_calls(2), "rates": {"SGD": "0.74", "USD": "2"}, "report_currency": "USD"}
    r = client.post("/v1/plans", json=body)
    assert r.status_code == 422
    assert r.get_json()["errors"] == [{"pointer": "/rates/USD",
                                       "message": "The rate of the report currency USD is 1; leave it out or send 1."}]
    one = client.post("/v1/plans", json={**body, "rates": {"SGD": "0.74", "USD": "1.00"}})
    assert one.status_code == 200 and one.get_json()["totals"]["converted"]["rates"]["USD"] == "1"


def test_a_rate_as_fine_as_a_bank_quotes_is_read_as_a_string_or_a_number(client):
    for rate in ("0.10452117", 0.10452117):
        r = client.post("/v1/plans", json={"vessel": VESSEL, "calls": weekly_calls(1), "rates": {"KRW": rate},
                                           "report_currency": "JPY"})
        assert r.status_code == 200, r.get_data(as_text=True)
        assert r.get_json()["totals"]["converted"]["rates"] == {"KRW": "0.10452117"}


def test_each_call_with_a_fee_in_the_wrong_currency_is_named_at_its_place(client):
    calls = weekly_calls(20)
    wrong = {"port_dues": {"amount": "10000.00", "currency": "USD"}}  # Singapore bills port dues in SGD
    for i in (13, 18):
        assert calls[i]["port"] == "SGSIN"
        calls[i] = {**calls[i], "fees": wrong}
    r = client.post("/v1/plans", json={"vessel": VESSEL, "calls": calls})
    assert r.status_code == 422
    assert [e["pointer"] for e in r.get_json()["errors"]] == ["/calls/13/fees/port_dues/currency",
                                                              "/calls/18/fees/port_dues/currency"]
