"""python -m incentive_api esi FILE, run as an operator runs it."""

import json
import subprocess
import sys

from support.helpers import ROOT

BODY = {
    "vessel": {
        "imo": "9074729", "type": "ro_ro", "gross_tonnage": 30000,
        "engines": [{"role": "main", "rated_power_kw": 9480, "rated_speed_rpm": 80, "nox_g_per_kwh": 15},
                    {"role": "auxiliary", "count": 3, "rated_power_kw": 970, "rated_speed_rpm": 920,
                     "nox_g_per_kwh": 11}],
        "bunkers": [{"sulphur_pct": 2.0, "tonnes": 1200, "quarter": "2025-Q3"},
                    {"sulphur_pct": 0.4, "tonnes": 300, "quarter": "2025-Q4"},
                    {"sulphur_pct": 0.05, "tonnes": 150, "quarter": "2025-Q4"}],
        "co2_reporting": True, "shore_power": {"fitted": True, "class_approved": True},
    },
    "call": {"port": "SEGOT", "arrival": "2026-03-02"},
}


def esi(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "incentive_api", "esi", *args], capture_output=True, text=True,
                          input=stdin, cwd=ROOT, timeout=60)


def test_the_estimate_is_shown_with_its_arithmetic(tmp_path):
    path = tmp_path / "vessel.json"
    path.write_text(json.dumps(BODY))
    out = esi(str(path))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "ESI estimate (programs.md §5, Variant A, published rounding) on 2026-03-02: 35.42"
    assert "  ESI_NOx = 2 x 10.0 / 3 = 6.67" in lines
    assert "  SOx sub-points = 15 + 8.75 + 17.5 = 41.25" in lines
    assert "ops: 10" in lines


def test_json_from_stdin_is_the_api_answer():
    out = esi("-", "--json", stdin=json.dumps(BODY))
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["score"] == 35.42 and answer["missing"] == [] and answer["parts"]["ops"]["points"] == 10


def test_a_bad_body_names_its_fields_and_exits_2():
    body = {"vessel": {**BODY["vessel"], "bunkers": [{"tonnes": 5, "quarter": "2025-Q4"}]}}
    out = esi("-", stdin=json.dumps(body))
    assert out.returncode == 2
    assert out.stderr.startswith("error: /vessel/bunkers/0: Give category or sulphur_pct")
    assert esi("-", stdin="{").returncode == 2
    missing = esi(str(ROOT / "no-such-file.json"))
    assert missing.returncode == 2 and missing.stderr.startswith("error: cannot read ")
