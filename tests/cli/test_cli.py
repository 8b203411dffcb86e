"""The command line, run as an operator runs it."""

import json
import subprocess
import sys

from support.helpers import ROOT, RULES


def cli(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "incentive_api", *args], capture_output=True, text=True,
                          input=stdin, cwd=ROOT, timeout=60)


def test_rules_check_passes_on_the_shipped_rules():
    out = cli("rules", "check", str(RULES))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ok: ")


def test_rules_check_reports_every_error_with_location(tmp_path):
    (tmp_path / "a.yaml").write_text("program: a\nname: A\nsponsor: S\nkind: incentiv\nsources: [S1]\neditions: []\n")
    (tmp_path / "b.yaml").write_text("program: [unclosed\n")
    out = cli("rules", "check", str(tmp_path))
    assert out.returncode == 1
    lines = out.stderr.splitlines()
    assert any(line.startswith("a.yaml:4:7: ") for line in lines)
    assert any(line.startswith("a.yaml:6:11: ") for line in lines)
    assert any(line.startswith("b.yaml:2:1: YAML syntax") for line in lines)
    assert "Traceback" not in out.stderr


def test_rules_test_shows_expected_against_actual(tmp_path):
    text = (RULES / "polb-green-ship.yaml").read_text().replace('total: "9000.00 USD"', 'total: "9001.00 USD"', 1)
    (tmp_path / "polb-green-ship.yaml").write_text(text)
    out = cli("rules", "test", str(tmp_path))
    assert out.returncode == 1
    assert "FAIL polb-green-ship: premier with Tier III" in out.stdout
    assert "total: expected '9001.00 USD', got '9000.00 USD'" in out.stdout
    assert out.stdout.strip().endswith("1 failed")


def test_evaluate_prints_the_decision():
    body = {"vessel": {"imo": "IMO 9619907", "type": "container", "gross_tonnage": 194849,
                       "esi": {"score": 55, "nox_valid": True, "sox_valid": True, "valid_until": "2027-01-01"}},
            "call": {"port": "USLGB", "arrival": "2026-03-02"}, "programs": ["polb-green-ship"]}
    out = cli("evaluate", "-", stdin=json.dumps(body))
    assert out.returncode == 0, out.stderr
    decision = json.loads(out.stdout)
    assert decision["vessel"]["imo"] == "9619907"
    assert decision["programs"][0]["level"] == "premier"


def test_evaluate_bad_request_names_the_field_and_exits_2():
    body = {"vessel": {"imo": "9074728", "type": "container", "gross_tonnage": 1}}
    out = cli("evaluate", "-", stdin=json.dumps(body))
    assert out.returncode == 2
    assert out.stderr.startswith("error: /vessel/imo: IMO check digit is wrong")
    assert "Traceback" not in out.stderr


def test_evaluate_invalid_json_and_missing_file_exit_2(tmp_path):
    out = cli("evaluate", "-", stdin="{not json")
    assert out.returncode == 2 and "not valid JSON" in out.stderr and "Traceback" not in out.stderr
    out = cli("evaluate", str(tmp_path / "nope.json"))
    assert out.returncode == 2 and "cannot read" in out.stderr


def test_evaluate_gives_the_same_decision_as_the_api(api_client):
    body = {"vessel": {"imo": "9074729", "type": "reefer", "gross_tonnage": 30000,
                       "esi": {"score": 49.5, "nox_valid": True, "sox_valid": True, "valid_until": "2027-01-01"}},
            "call": {"port": "USLAX", "arrival": "2026-04-01"}}
    out = cli("evaluate", "-", stdin=json.dumps(body))
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == api_client.post("/v1/eligibility", json=body).get_json()
