"""GET /v1/receipts/keys: the JWK Set that verifies receipts, public, and as openapi.yaml describes it."""

import dataclasses

import pytest

from incentive_api.adapters.receipts import ReceiptSigner, public_keys_from_jwks, rotate_keys_file, verify_receipt
from incentive_api.config import Settings
from support.contract import component_validator, ecma_regex, spec_dict
from support.helpers import wait_for

ANSWER = b'{"total":{"amount":"1250.00","currency":"USD"}}'


@pytest.fixture
def receipts_client(make_client, tmp_path):
    path = tmp_path / "receipt-keys.json"
    client = make_client(dataclasses.replace(Settings(), run_dir=tmp_path / "run", receipt_keys_file=path))
    return client, path


def test_the_app_creates_its_key_file_and_serves_its_public_keys_without_an_api_key(receipts_client):
    client, path = receipts_client
    assert path.exists()
    answer = client.get("/v1/receipts/keys", headers={"X-API-Key": ""})  # empty: the test client sends no key
    assert answer.status_code == 200
    assert answer.mimetype == "application/json"
    jwks = answer.get_json()
    assert list(component_validator("#/components/schemas/Jwks").iter_errors(jwks)) == []
    signer = ReceiptSigner.load_or_create(path)
    assert [k["kid"] for k in jwks["keys"]] == [signer.ring().current.kid]
    assert verify_receipt(ANSWER, signer.sign(ANSWER), public_keys_from_jwks(jwks))


def test_a_wrong_api_key_does_not_matter_either(receipts_client):
    client, _ = receipts_client
    assert client.get("/v1/receipts/keys", headers={"Authorization": "Bearer ia_not-a-real-key"}).status_code == 200


def test_retired_keys_stay_listed_after_a_rotation(receipts_client):
    client, path = receipts_client
    old_receipt = ReceiptSigner.load_or_create(path).sign(ANSWER)
    ring = rotate_keys_file(path)

    def served():
        jwks = client.get("/v1/receipts/keys").get_json()
        return jwks if [k["kid"] for k in jwks["keys"]] == [k.kid for k in ring.keys] else None

    jwks = wait_for(served, 3, "the rotation to be served")  # the file is looked at once a second
    verify_receipt(ANSWER, old_receipt, public_keys_from_jwks(jwks))


def test_other_methods_are_405(receipts_client):
    client, _ = receipts_client
    answer = client.post("/v1/receipts/keys")
    assert answer.status_code == 405 and "GET" in answer.headers["Allow"]


def test_openapi_describes_the_route_as_public_and_the_receipt_header_as_signed(tmp_path):
    spec = spec_dict()
    assert spec["paths"]["/v1/receipts/keys"]["get"]["security"] == []
    header = spec["components"]["headers"]["XReceipt"]
    pattern = ecma_regex(header["schema"]["pattern"])
    assert pattern.search(ReceiptSigner.load_or_create(tmp_path / "keys.json").sign(ANSWER))
    assert pattern.search(header["example"])
