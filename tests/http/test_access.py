"""Access control: every route under each role, the keys file, and rate limits."""

import json
import subprocess
import sys
import time

import pytest

from incentive_api.adapters.api_keys import KeyFile
from incentive_api.config import Settings
from incentive_api.http.app import create_app
from support.helpers import ROOT

BODY = {"vessel": {"imo": "9619907", "type": "container", "gross_tonnage": 194849},
        "call": {"port": "USLGB", "arrival": "2026-03-02"}}

# (method, path, json body or None, who may call it)
ROUTES = [
    ("GET", "/healthz", None, "public"),
    ("GET", "/readyz", None, "public"),
    ("GET", "/openapi.yaml", None, "public"),
    ("POST", "/v1/eligibility", BODY, "any"),
    ("POST", "/v1/eligibility/batch", {"items": [BODY]}, "any"),
    ("GET", "/v1/programs?port=USLGB", None, "any"),
    ("GET", "/v1/programs/polb-green-ship", None, "any"),
    ("GET", "/v1/ruleset", None, "any"),
    ("GET", "/v1/decisions/" + "0" * 32, None, "any"),
    ("POST", "/v1/admin/rules/reload", None, "operator"),
    ("POST", "/v1/admin/rules/dry-run", {"files": {"x.yaml": None}, "sample": 5}, "operator"),
]


@pytest.fixture(scope="module")
def keyed(tmp_path_factory):
    path = tmp_path_factory.mktemp("keys") / "api-keys.json"
    keys = KeyFile(path)
    client_key, operator_key = keys.add("billing", "client"), keys.add("ops", "operator")
    app = create_app(Settings(api_keys_file=path, cache_enabled=False, rate_limit="100000/minute",
                              rate_limit_batch="100000/minute"))
    return {"client": app.test_client(), "path": path, "client_key": client_key, "operator_key": operator_key}


def call(client, method, path, body, headers):
    if body is None:
        return client.open(path, method=method, headers=headers)
    return client.open(path, method=method, json=body, headers=headers)


@pytest.mark.parametrize("method, path, body, who", ROUTES)
def test_every_route_under_each_role(keyed, method, path, body, who):
    c = keyed["client"]
    as_client = {"Authorization": f"Bearer {keyed['client_key']}"}
    as_operator = {"X-API-Key": keyed["operator_key"]}
    none = call(c, method, path, body, {})
    wrong = call(c, method, path, body, {"Authorization": "Bearer ia_not-a-real-key"})
    client = call(c, method, path, body, as_client)
    operator = call(c, method, path, body, as_operator)
    if who == "public":
        assert {none.status_code, wrong.status_code, client.status_code, operator.status_code} == {200}
        return
    for r in (none, wrong):
        assert r.status_code == 401 and r.mimetype == "application/problem+json"
        assert r.headers["WWW-Authenticate"].startswith("Bearer")
    if who == "operator":
        assert client.status_code == 403 and client.mimetype == "application/problem+json"
    else:
        assert client.status_code not in (401, 403)
    assert operator.status_code not in (401, 403)


def test_problems_and_answers_never_leak_keys_or_hashes(keyed):
    c = keyed["client"]
    stored = json.loads(keyed["path"].read_text())["keys"]
    for headers in ({"Authorization": "Bearer " + keyed["client_key"]}, {"X-API-Key": "ia_wrong"}, {}):
        for r in (c.post("/v1/eligibility", json=BODY, headers=headers),
                  c.post("/v1/admin/rules/reload", headers=headers)):
            text = r.get_data(as_text=True)
            assert keyed["client_key"] not in text and "ia_wrong" not in text
            assert not any(k["sha256"] in text for k in stored)
            assert r.headers["X-Content-Type-Options"] == "nosniff"
            assert r.headers["Cache-Control"] == "no-store"


def test_keys_file_holds_hashes_only_and_revoke_takes_effect(tmp_path):
    path = tmp_path / "keys.json"
    run = [sys.executable, "-m", "incentive_api", "keys"]
    made = subprocess.run(run + ["new", "line-a", "--role", "client", "--file", str(path)], capture_output=True,
                          text=True, cwd=ROOT, check=True)
    key = made.stdout.strip()
    assert key.startswith("ia_") and len(key) > 40
    assert key not in path.read_text() and oct(path.stat().st_mode & 0o777) == "0o600"
    listed = subprocess.run(run + ["list", "--file", str(path)], capture_output=True, text=True, cwd=ROOT, check=True)
    assert listed.stdout.startswith("line-a\tclient\t")
    app = create_app(Settings(api_keys_file=path, cache_enabled=False))
    c = app.test_client()
    assert c.get("/v1/ruleset", headers={"X-API-Key": key}).status_code == 200
    subprocess.run(run + ["revoke", "line-a", "--file", str(path)], check=True, cwd=ROOT, capture_output=True)
    time.sleep(1.1)  # the file is re-read at most once a second
    assert c.get("/v1/ruleset", headers={"X-API-Key": key}).status_code == 401
    again = subprocess.run(run + ["revoke", "line-a", "--file", str(path)], cwd=ROOT, capture_output=True, text=True)
    assert again.returncode == 1


def test_rate_limit_gives_429_with_retry_after(tmp_path):
    path = tmp_path / "keys.json"
    keys = KeyFile(path)
    a, b = keys.add("a", "client"), keys.add("b", "client")
    app = create_app(Settings(api_keys_file=path, cache_enabled=False, rate_limit="5/minute"))
    c = app.test_client()
    codes = [c.get("/v1/ruleset", headers={"X-API-Key": a}).status_code for _ in range(7)]
    assert codes == [200] * 5 + [429] * 2
    r = c.get("/v1/ruleset", headers={"X-API-Key": a})
    assert r.mimetype == "application/problem+json" and int(r.headers["Retry-After"]) > 0
    assert c.get("/v1/ruleset", headers={"X-API-Key": b}).status_code == 200  # per key
    assert c.get("/healthz").status_code == 200  # public routes are not limited


def test_batches_and_plans_each_have_the_batch_budget_as_documented(tmp_path):
    path = tmp_path / "keys.json"
    key = KeyFile(path).add("line", "client")
    app = create_app(Settings(api_keys_file=path, cache_enabled=False, records_enabled=False, run_dir=tmp_path,
                              rate_limit_batch="2/minute"))
    c = app.test_client()
    headers = {"X-API-Key": key}
    plan = {"vessel": BODY["vessel"], "calls": [{"port": "USLGB", "arrival": "2026-03-02"}]}
    plans = [c.post("/v1/plans", json=plan, headers=headers).status_code for _ in range(3)]
    batches = [c.post("/v1/eligibility/batch", json={"items": [BODY]}, headers=headers).status_code
               for _ in range(3)]
    assert plans == batches == [200, 200, 429]
    assert "batches, and voyage plans apart, `RATE_LIMIT_BATCH`" in (ROOT / "openapi.yaml").read_text()


def test_auth_off_is_explicit_and_loud(tmp_path, caplog):
    app = create_app(Settings(api_keys_file=tmp_path / "none.json", auth_enabled=False, cache_enabled=False))
    assert app.test_client().get("/v1/ruleset").status_code == 200
    assert any("AUTH=off" in r.getMessage() for r in caplog.records)
    closed = create_app(Settings(api_keys_file=tmp_path / "none.json", cache_enabled=False))
    assert closed.test_client().get("/v1/ruleset").status_code == 401
