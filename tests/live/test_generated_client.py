"""A client generated from openapi.yaml (openapi-python-client, offline, at test time) talks to the live
service: one decision and one batch, read through the generated models (status, level, total)."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from support.contract import SPEC_PATH, _httpx_hook, spec_dict
from support.helpers import AUTH, OPERATOR_KEY

PACKAGE = "incentive_api_contract_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The generated package, imported; removed from sys.modules and sys.path afterwards."""
    root = tmp_path_factory.mktemp("generated-client")
    config = root / "openapi-python-client.yaml"
    config.write_text("post_hooks: []\n")  # no formatter run: nothing outside the venv is needed
    cli = Path(sys.executable).parent / "openapi-python-client"
    done = subprocess.run(
        [str(cli), "generate", "--path", str(SPEC_PATH), "--output-path", str(root / PACKAGE),
         "--meta", "none", "--config", str(config)],
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    # The one warning allowed: a YAML response (GET /openapi.yaml) is beyond what the generator parses.
    warnings = [line for line in done.stdout.splitlines() if line.startswith("WARNING")]
    assert all("GET /openapi.yaml" in w for w in warnings), done.stdout
    assert "Unable to process schema" not in done.stdout, done.stdout
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


@pytest.fixture
def client(generated, live_url):
    # The generated client's httpx exchanges go through the same openapi-core check as live_api's.
    return generated.AuthenticatedClient(base_url=live_url, token=OPERATOR_KEY, raise_on_unexpected_status=True,
                                         httpx_args={"event_hooks": {"response": [_httpx_hook]}})


def _example(op_path: str, name: str) -> dict:
    media = spec_dict()["paths"][op_path]["post"]["requestBody"]["content"]["application/json"]
    return media["examples"][name]["value"]


def test_one_decision_through_the_generated_client(generated, client, live_url):
    from incentive_api_contract_client.api.eligibility import evaluate_eligibility
    from incentive_api_contract_client.models import Decision, EligibilityRequest, Money

    body = _example("/v1/eligibility", "polb-premier")
    response = evaluate_eligibility.sync_detailed(client=client, body=EligibilityRequest.from_dict(body),
                                                  x_request_id="contract-client-1")
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "contract-client-1"
    decision = response.parsed
    assert isinstance(decision, Decision)
    assert decision.vessel.imo == "9619907"

    raw = httpx.post(live_url + "/v1/eligibility", json=body, headers=AUTH).json()  # the same call, read as plain JSON
    read = [(p.program, p.status.value, p.level, p.total.amount if isinstance(p.total, Money) else None)
            for p in decision.programs]
    assert read == [(p["program"], p["status"], p["level"], p["total"] and p["total"]["amount"])
                    for p in raw["programs"]]
    green_ship = next(p for p in decision.programs if p.program == "polb-green-ship")
    assert (green_ship.status.value, green_ship.level) == ("eligible", "premier")
    assert (green_ship.total.amount, green_ship.total.currency) == ("9000.00", "USD")


def test_one_batch_through_the_generated_client(generated, client):
    from incentive_api_contract_client.api.eligibility import evaluate_eligibility_batch
    from incentive_api_contract_client.models import (
        BatchRequest,
        BatchResponse,
        Decision,
        ValidationProblem,
    )

    body = _example("/v1/eligibility/batch", "two-calls")
    response = evaluate_eligibility_batch.sync_detailed(client=client, body=BatchRequest.from_dict(body))
    assert response.status_code == 200
    batch = response.parsed
    assert isinstance(batch, BatchResponse)
    decided, refused = batch.items
    assert isinstance(decided, Decision) and isinstance(refused, ValidationProblem)
    esi = next(p for p in decided.programs if p.program == "pola-esi")
    assert (esi.status.value, esi.level, esi.total.amount, esi.total.currency) == ("eligible", "esi-40", "6500.00", "USD")
    assert esi.next_level.level == "esi-50"
    assert [e.pointer for e in refused.errors] == ["/items/1/vessel/imo"]
    assert (batch.summary.decisions, batch.summary.problems) == (1, 1)
    assert batch.ruleset.revision == decided.ruleset.revision


def test_a_problem_is_read_as_a_problem(generated, client):
    from incentive_api_contract_client.api.catalogue import get_program
    from incentive_api_contract_client.models import Problem

    response = get_program.sync_detailed("polb-green-shop", client=client)
    assert response.status_code == 404
    assert isinstance(response.parsed, Problem)
    assert response.parsed.type_ == "urn:incentive-api:problem:not-found"
    assert json.loads(response.content)["status"] == 404
