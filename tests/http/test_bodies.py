"""Bodies the API refuses clearly: repeated keys, lone surrogates, and methods a route does not take."""

import subprocess
import sys

import pytest

from support.helpers import ROOT

VESSEL = b'"imo": "IMO 9619907", "type": "container", "gross_tonnage": 5000'
SURROGATE = b'{"vessel": {' + VESSEL + b', "name": "\\ud800"}}'


def post(api_client, path, data: bytes):
    return api_client.post(path, data=data, content_type="application/json")


def test_a_repeated_key_is_refused_naming_it(api_client):
    r = post(api_client, "/v1/eligibility", b'{"vessel": {' + VESSEL + b', "type": "oil_tanker"}}')
    assert r.status_code == 400 and r.content_type == "application/problem+json"
    assert "'type' twice" in r.get_json()["detail"]


def test_a_repeated_key_in_a_batch_item_refuses_the_body(api_client):
    r = post(api_client, "/v1/eligibility/batch", b'{"items": [{"vessel": {' + VESSEL + b'}, "vessel": {}}]}')
    assert r.status_code == 400 and "'vessel' twice" in r.get_json()["detail"]


def test_a_lone_surrogate_is_a_422_at_its_field(api_client):
    r = post(api_client, "/v1/eligibility", SURROGATE)
    assert r.status_code == 422
    assert [e["pointer"] for e in r.get_json()["errors"]] == ["/vessel/name"]


def test_a_lone_surrogate_in_a_batch_item_is_that_item_s_422(api_client):
    good = b'{"vessel": {' + VESSEL + b'}}'
    r = post(api_client, "/v1/eligibility/batch", b'{"items": [' + good + b", " + SURROGATE + b"]}")
    assert r.status_code == 200
    first, second = r.get_json()["items"]
    assert "decision_id" in first and second["status"] == 422
    assert [e["pointer"] for e in second["errors"]] == ["/items/1/vessel/name"]


def test_a_lone_surrogate_in_evaluate_is_the_same_refusal():
    out = subprocess.run([sys.executable, "-m", "incentive_api", "evaluate", "-"], input=SURROGATE, cwd=ROOT,
                         capture_output=True, timeout=60)
    assert out.returncode == 2 and "Traceback" not in out.stderr.decode()
    assert out.stderr.decode().startswith("error: /vessel/name: Not text: a lone surrogate")


@pytest.mark.parametrize("path", ["/v1/eligibility", "/v1/programs", "/healthz"])
def test_options_is_405_with_allow(api_client, path):
    r = api_client.open(path, method="OPTIONS")
    assert r.status_code == 405 and r.content_type == "application/problem+json"
    assert "OPTIONS" not in r.headers["Allow"] and r.headers["Allow"]
