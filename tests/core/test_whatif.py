"""What-if on a known change: a raised band amount shows exactly the affected calls and the right totals."""

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal

import pytest

from incentive_api.core.engine import decide
from incentive_api.core.request import parse_request
from incentive_api.core.whatif import diff
from incentive_api.sampling.fleet import generate_requests
from incentive_api.service.rules import load_compiled as load_ruleset
from support.helpers import ROOT, RULES

TODAY = dt.date(2026, 1, 1)


@pytest.fixture(scope="module")
def raised(tmp_path_factory):
    new = tmp_path_factory.mktemp("rules") / "rules"
    shutil.copytree(RULES, new)
    path = new / "polb-green-ship.yaml"
    text = path.read_text()
    old = '- id: esi-intermediate\n            fixed: {amount: "3000.00", currency: USD}'
    assert old in text
    path.write_text(text.replace(old, old.replace("3000.00", "3500.00")))
    return new


def test_default_sample_is_large_deterministic_and_spread_over_ports(ruleset):
    bodies = generate_requests(600, ruleset=ruleset)
    assert bodies == generate_requests(600, ruleset=ruleset)
    ports = {(b.get("call") or {}).get("port") for b in bodies}
    assert {"USLGB", "USLAX", "CNYTN", "NLRTM", "SGSIN", "SEGOT"} <= ports


def test_raised_band_changes_exactly_the_intermediate_calls(ruleset, raised):
    bodies = generate_requests(600, ruleset=ruleset)
    expected = []
    for i, body in enumerate(bodies):
        for e in decide(ruleset, parse_request(body), today=TODAY).to_json()["programs"]:
            if e["program"] == "polb-green-ship" and e["level"] == "intermediate" and e["edition"] == "2021-esi":
                expected.append((i, Decimal(e["total"]["amount"])))
    assert expected, "the sample must reach the intermediate band"
    report = diff(ruleset, load_ruleset(raised), bodies, TODAY)
    changed = list(report["changes"])
    assert [c["request"] for c in changed] == [i for i, _ in expected]
    assert {c["program"] for c in changed} == {"polb-green-ship"}
    for c, (_, before) in zip(changed, expected):
        assert Decimal(c["before"]["amount"]) == before
        assert Decimal(c["after"]["amount"]) == min(before + 500, Decimal(9000))
    gsip = report["programs"]["polb-green-ship"]
    assert gsip["changed"] == len(expected)
    usd = gsip["money"]["USD"]
    assert Decimal(usd["delta"]) == sum(min(b + 500, Decimal(9000)) - b for _, b in expected)
    assert all(s["changed"] == 0 for pid, s in report["programs"].items() if pid != "polb-green-ship")


def test_cli_diff_with_a_requests_file(ruleset, raised, tmp_path):
    bodies = generate_requests(50, ruleset=ruleset, ports=["USLGB"])
    path = tmp_path / "calls.jsonl"
    path.write_text("\n".join(json.dumps(b, default=float) for b in bodies) + "\n")
    out = subprocess.run([sys.executable, "-m", "incentive_api", "rules", "diff", str(RULES), str(raised),
                          "--requests", str(path), "--today", "2026-01-01", "--json"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["requests"] == 50 and report["invalid_requests"] == 0
    path.write_text('{"vessel": {}}\n{not json\n')
    out = subprocess.run([sys.executable, "-m", "incentive_api", "rules", "diff", str(RULES), str(raised),
                          "--requests", str(path)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 2 and ":2: The body is not valid JSON" in out.stderr


def test_cli_diff_replays_recorded_requests(ruleset, raised, tmp_path):
    """`rules diff --records` decides the requests kept in decision records, and finds exactly the
    recorded calls that a raised amount changes."""
    import dataclasses

    from incentive_api.config import Settings
    from incentive_api.service.container import build_services
    settings = dataclasses.replace(Settings(), run_dir=tmp_path, cache_enabled=False)
    deciding = build_services(settings).deciding
    bodies = generate_requests(400, ruleset=ruleset, ports=["USLGB"])
    for body in bodies:
        deciding.decide(json.dumps(body, default=float).encode(), "billing")
    expected = diff(ruleset, load_ruleset(raised), bodies, dt.date(2026, 1, 1))
    out = subprocess.run([sys.executable, "-m", "incentive_api", "rules", "diff", str(RULES), str(raised),
                          "--records", "--since", "2000-01-01", "--today", "2026-01-01", "--json"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120, env={**os.environ,
                                                                                     "RUN_DIR": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    distinct = len({json.dumps(parse_request(b), default=str, sort_keys=True) for b in bodies})
    assert report["requests"] == distinct and report["invalid_requests"] == 0
    changed = {(c["imo"], c["as_of"], c["program"]) for c in report["changes"]}
    assert changed == {(c["imo"], c["as_of"], c["program"]) for c in expected["changes"]} and changed
