"""`evaluate` reads JSON with the API's own parser, so both refuse the same numbers at the same field."""

import subprocess
import sys

import pytest

from incentive_api.config import Settings
from incentive_api.http.app import create_app
from support.helpers import ROOT, keyed

NAN = b'{"vessel": {"imo": "IMO 9619907", "type": "container", "gross_tonnage": NaN}}'
HUGE = b'{"vessel": {"imo": "IMO 9619907", "type": "container", "gross_tonnage": 1234567890123456789012345678901}}'


EXPONENT = b'{"vessel": {"imo": "IMO 9619907", "type": "container", "gross_tonnage": 1e-99999999999999999999}}'


@pytest.mark.parametrize("body", [NAN, HUGE, EXPONENT], ids=["NaN", "31 digits", "an exponent past decimal's"])
def test_evaluate_and_the_api_refuse_alike(body):
    cli = subprocess.run([sys.executable, "-m", "incentive_api", "evaluate", "-"], input=body, cwd=ROOT,
                         capture_output=True, timeout=60)
    api = keyed(create_app(Settings(cache_enabled=False))).test_client().post(
        "/v1/eligibility", data=body, content_type="application/json")
    assert api.status_code == 422 and cli.returncode == 2
    [error] = api.get_json()["errors"]
    assert cli.stderr.decode().strip() == f"error: {error['pointer']}: {error['message']}"
