"""A trans-Pacific container loop through the API: a program or requirement named at every call, money in each
port's own currency to its minor unit, and the Hong Kong catalogue of 2016."""

import dataclasses
import datetime as dt

import pytest

from incentive_api.config import Settings

VESSEL = {"imo": "9619907", "type": "container", "gross_tonnage": 194849, "fuels": ["vlsfo", "mgo"],
          "scrubber": "none", "solas_certificate": True, "shore_power": {"fitted": True, "commissioned": True},
          "esi": {"score": 51.2, "nox_valid": True, "sox_valid": True, "valid_until": "2027-12-31"}}
LOOP = ["CNSHA", "CNNGB", "CNYTN", "HKHKG", "KRPUS", "JPTYO", "JPYOK", "CAVAN", "USSEA", "USOAK", "USLAX", "USLGB"]
FEES = {"JPTYO": {"port_entry_fee": {"amount": "1234567", "currency": "JPY"}},
        "JPYOK": {"port_entry_fee": {"amount": "1234567", "currency": "JPY"}},
        "KRPUS": {"vessel_entry_exit_dues": {"amount": "11100000", "currency": "KRW"}},
        "HKHKG": {"port_facilities_and_light_dues": {"amount": "8601.25", "currency": "HKD"}}}


def loop_calls():
    start = dt.date(2026, 3, 2)
    calls = []
    for i, port in enumerate(LOOP):
        arrival = start + dt.timedelta(days=3 * i)
        call = {"port": port, "arrival": arrival.isoformat(), "departure": (arrival + dt.timedelta(days=1)).isoformat(),
                "fuel_at_berth": "mgo", "fuel_sulphur_pct": 0.08, "berth_has_shore_power": True,
                "shore_power_used": True, "international_voyage": True,
                "berth_fuel_switch": {"hours_after_arrival": 0.5, "hours_before_departure": 0.5},
                "fuel_switched_before_control_area": True}
        if port.startswith("CN"):
            call["china_deca_area"] = "coastal"
        if port == "KRPUS":
            call["vsr"] = {"within_20nm": True, "share_of_year_calls_pct": 75}
        if port in FEES:
            call["fees"] = FEES[port]
        calls.append(call)
    return calls


@pytest.fixture
def client(make_client, tmp_path):
    return make_client(settings=dataclasses.replace(Settings(), run_dir=tmp_path, cache_enabled=False))


def test_a_twelve_call_loop_names_a_program_at_every_call(client):
    r = client.post("/v1/plans", json={"vessel": VESSEL, "calls": loop_calls()})
    assert r.status_code == 200, r.get_data(as_text=True)
    plan = r.get_json()
    assert [c["port"] for c in plan["calls"]] == LOOP
    named = {c["port"]: {p["program"] for p in c["programs"] if p["status"] != "absent"} for c in plan["calls"]}
    assert all(named.values()), {p: n for p, n in named.items() if not n}
    assert {"china-deca-2018", "marpol-annex-vi-sulphur"} <= named["CNYTN"]
    assert {"hk-fuel-for-vessels"} <= named["HKHKG"]
    assert {"korea-vsr", "korea-port-seca"} <= named["KRPUS"]
    assert {"tokyo-green-ship"} <= named["JPTYO"] and {"yokohama-eco-ship"} <= named["JPYOK"]
    assert {"carb-at-berth", "polb-green-ship"} <= named["USLGB"]
    totals = {m["currency"]: m["amount"] for m in plan["totals"]["by_currency"]}
    # Tokyo: 50% of 1,234,567 yen is 617,283.5, half-even 617,284; Yokohama: 15% is 185,185.05, so 185,185
    assert totals["JPY"] == "802469"
    assert totals["KRW"] == "3330000"  # 30% of 11,100,000 won
    assert "." in totals["USD"]


def test_hong_kong_in_2016_lists_the_fuel_at_berth_requirement_and_the_incentive(client):
    r = client.get("/v1/programs?port=HKHKG&as_of=2016-01-01")
    assert r.status_code == 200, r.get_data(as_text=True)
    listed = {p["program"] if "program" in p else p["id"]: p for p in r.get_json()["programs"]}
    assert {"hk-fuel-at-berth", "hk-light-dues-incentive"} <= set(listed)
    assert "hk-fuel-for-vessels" not in listed  # Cap. 311AB begins in 2019
