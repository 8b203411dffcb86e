"""python -m incentive_api plan FILE, run as an operator runs it: offline, no database, the API's answer."""

import dataclasses
import json
import os
import subprocess
import sys

from incentive_api.config import Settings
from support.helpers import ROOT

VESSEL = {"imo": "IMO 9619907", "type": "container", "gross_tonnage": 194849, "fuels": ["lng"], "scrubber": "none",
          "engines": [{"role": "main", "imo_nox_tier": 3}],
          "esi": {"score": 51.2, "nox_valid": True, "sox_valid": True, "valid_until": "2027-12-31"}}
SCHEDULE = [("USLGB", "2026-03-02", "2026-03-04"), ("SGSIN", "2026-03-16", "2026-03-17"),
            ("USLGB", "2026-04-13", "2026-04-15"), ("NLRTM", "2026-05-04", "2026-05-06")]
PLAN = {"vessel": VESSEL, "advice": True,
        "calls": [{"port": port, "arrival": day, "departure": leaving, "fuel_at_berth": "lng", "methane_slip_addressed": True,
                   **({"fees": {"port_dues": {"amount": "10000.00", "currency": "SGD"}}} if port == "SGSIN" else {})}
                  for port, day, leaving in SCHEDULE]}


def plan(tmp_path, *args, body=PLAN):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(body))
    run_dir = tmp_path / "run"
    run_dir.mkdir(exist_ok=True)
    # a database that cannot be reached: the command line must not need one
    env = {**os.environ, "RUN_DIR": str(run_dir), "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"}
    return subprocess.run([sys.executable, "-m", "incentive_api", "plan", str(path), *args], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=60)


def test_the_table_shows_calls_programs_money_obligations_and_advice(tmp_path):
    out = plan(tmp_path)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert text.startswith("plan ") and "4 call(s), vessel 9619907" in text.splitlines()[0]
    for heading in ("calls:", "programs:", "ports:", "obligations:"):
        assert heading in text.splitlines()
    assert any(line.startswith("money: ") and "SGD" in line and "USD" in line for line in text.splitlines())
    assert "top advice (" in text
    assert "vessel.esi.score 51.2 -> 54" in text
    assert list((tmp_path / "run").iterdir()) == []  # nothing recorded


def test_json_is_the_apis_answer(tmp_path, make_client):
    out = plan(tmp_path, "--json")
    assert out.returncode == 0, out.stderr
    client = make_client(settings=dataclasses.replace(Settings(), run_dir=tmp_path / "api", cache_enabled=False))
    api = client.post("/v1/plans", json=PLAN)
    assert api.status_code == 200
    assert json.loads(out.stdout) == api.get_json()


def test_the_same_plan_has_the_same_id(tmp_path):
    first = json.loads(plan(tmp_path, "--json").stdout)["plan_id"]
    reordered = {"calls": [dict(reversed(list(c.items()))) for c in PLAN["calls"]], "advice": True,
                 "vessel": dict(reversed(list(VESSEL.items())))}
    assert json.loads(plan(tmp_path, "--json", body=reordered).stdout)["plan_id"] == first
    fewer = {**PLAN, "calls": PLAN["calls"][:3]}
    assert json.loads(plan(tmp_path, "--json", body=fewer).stdout)["plan_id"] != first


def test_a_bad_call_is_named_by_its_place_in_the_plan(tmp_path):
    calls = [dict(c) for c in PLAN["calls"]]
    calls[2]["arrival"] = "2026-02-30"
    out = plan(tmp_path, body={**PLAN, "calls": calls})
    assert out.returncode == 2
    assert out.stdout == ""
    assert out.stderr.startswith("error: /calls/2/arrival: ")


def test_a_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text("{not json")
    out = subprocess.run([sys.executable, "-m", "incentive_api", "plan", str(path)], capture_output=True, text=True,
                         cwd=ROOT, timeout=60)
    assert out.returncode == 2
    assert out.stderr.startswith(f"error: {path}: ")
