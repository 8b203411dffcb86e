"""Receipts: Ed25519 signatures over an answer's exact bytes, the keys file, rotation and verification."""

import json
import stat
import subprocess
import sys
import time

import pytest

from incentive_api.adapters.receipts import (
    ReceiptError,
    ReceiptKeyError,
    ReceiptSigner,
    parse_receipt,
    public_keys_from_jwks,
    read_keys_file,
    rotate_keys_file,
    verify_receipt,
)
from support.helpers import ROOT

ANSWER = b'{"decision_id":"d1","programs":[{"program":"polb-green-ship","total":{"amount":"1250.00","currency":"USD"}}]}'


@pytest.fixture
def signer(tmp_path):
    return ReceiptSigner.load_or_create(tmp_path / "run" / "receipt-keys.json")


def test_a_receipt_verifies_and_names_its_key(signer):
    receipt = signer.sign(ANSWER)
    kid = signer.ring().current.kid
    assert receipt.startswith(f"kid={kid}; alg=Ed25519; sig=")
    assert verify_receipt(ANSWER, receipt, signer.ring().public_keys()) == kid


def test_changing_any_byte_of_the_answer_fails(signer):
    receipt = signer.sign(ANSWER)
    keys = signer.ring().public_keys()
    for tampered in (ANSWER.replace(b"1250.00", b"1250.01"), ANSWER.replace(b"1250.00", b"9250.00"),
                     ANSWER + b"\n", ANSWER[:-1], b" " + ANSWER):
        with pytest.raises(ReceiptError, match="bad signature"):
            verify_receipt(tampered, receipt, keys)


def test_another_key_id_fails(signer, tmp_path):
    other = ReceiptSigner.load_or_create(tmp_path / "other.json")
    receipt = other.sign(ANSWER)
    with pytest.raises(ReceiptError, match="unknown kid"):
        verify_receipt(ANSWER, receipt, signer.ring().public_keys())
    # The right signature presented under this service's kid is still refused.
    forged = receipt.replace(other.ring().current.kid, signer.ring().current.kid)
    with pytest.raises(ReceiptError, match="bad signature"):
        verify_receipt(ANSWER, forged, signer.ring().public_keys())


@pytest.mark.parametrize("receipt", ["", "kid=abc; alg=Ed25519; sig=xyz", "sig=AAAA",
                                     "kid=0123456789abcdef; alg=RS256; sig=" + "A" * 86,
                                     "kid=0123456789abcdef; alg=Ed25519; sig=" + "A" * 85 + "=",
                                     "kid=0123456789abcdef; alg=Ed25519; sig=" + "A" * 86 + "; extra=1"])
def test_a_malformed_receipt_is_refused_as_such(receipt):
    with pytest.raises(ReceiptError, match="malformed receipt"):
        parse_receipt(receipt)


def test_a_rotated_key_still_verifies_old_receipts_and_loses_its_private_half(signer):
    old_kid = signer.ring().current.kid
    old_receipt = signer.sign(ANSWER)
    ring = rotate_keys_file(signer.path)
    assert ring.current.kid != old_kid
    assert [k.kid for k in ring.keys] == [ring.current.kid, old_kid]
    stored = json.loads(signer.path.read_text())
    assert stored["current"] == ring.current.kid
    assert [("d" in k) for k in stored["keys"]] == [True, False]  # a retired key can sign nothing more
    reloaded = ReceiptSigner.load_or_create(signer.path)
    assert verify_receipt(ANSWER, old_receipt, reloaded.ring().public_keys()) == old_kid
    assert verify_receipt(ANSWER, reloaded.sign(ANSWER), reloaded.ring().public_keys()) == ring.current.kid


def test_a_running_signer_picks_up_a_rotation_within_a_second(signer):
    old_kid = signer.ring().current.kid
    new_kid = rotate_keys_file(signer.path).current.kid
    deadline = time.monotonic() + 3
    while signer.ring().current.kid == old_kid and time.monotonic() < deadline:
        time.sleep(0.05)
    assert signer.sign(ANSWER).startswith(f"kid={new_kid};")
    assert [k["kid"] for k in signer.jwks()["keys"]] == [new_kid, old_kid]


def test_the_key_file_is_0600_and_load_or_create_is_idempotent(signer):
    assert stat.S_IMODE(signer.path.stat().st_mode) == 0o600
    again = ReceiptSigner.load_or_create(signer.path)
    assert again.ring().current.kid == signer.ring().current.kid
    rotate_keys_file(signer.path)
    assert stat.S_IMODE(signer.path.stat().st_mode) == 0o600
    assert [p.name for p in signer.path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_a_damaged_key_file_is_refused_not_replaced(tmp_path):
    path = tmp_path / "receipt-keys.json"
    path.write_text('{"current": "nope", "keys": []}')
    with pytest.raises(ReceiptKeyError, match="not a receipt keys file"):
        ReceiptSigner.load_or_create(path)
    assert path.read_text() == '{"current": "nope", "keys": []}'


RACE = """
import sys, time
from incentive_api.adapters.receipts import ReceiptSigner
start = float(sys.argv[2])
time.sleep(max(0.0, start - time.time()))
print(ReceiptSigner.load_or_create(sys.argv[1]).ring().current.kid)
"""


def test_processes_creating_the_key_file_at_once_end_with_one_current_key(tmp_path):
    path = tmp_path / "run" / "receipt-keys.json"
    start = time.time() + 1.5  # every process imported and waiting when the moment comes
    procs = [subprocess.Popen([sys.executable, "-c", RACE, str(path), str(start)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(6)]
    try:
        outs = [p.communicate(timeout=30) for p in procs]
    finally:
        for p in procs:
            p.kill()
    assert all(p.returncode == 0 for p in procs), [err for _, err in outs]
    kids = {out.strip() for out, _ in outs}
    ring = read_keys_file(path)
    assert kids == {ring.current.kid} and len(ring.keys) == 1
    assert sorted(p.name for p in path.parent.iterdir()) == ["receipt-keys.json"]


def test_the_jwks_is_rfc_8037_and_verifies_what_the_signer_signs(signer):
    rotate_keys_file(signer.path)
    jwks = ReceiptSigner.load_or_create(signer.path).jwks()
    assert len(jwks["keys"]) == 2
    for jwk in jwks["keys"]:
        assert {k: jwk[k] for k in ("kty", "crv", "use", "alg")} == {"kty": "OKP", "crv": "Ed25519",
                                                                     "use": "sig", "alg": "EdDSA"}
        assert len(jwk["x"]) == 43 and "=" not in jwk["x"]
    keys = public_keys_from_jwks(json.loads(json.dumps(jwks)))
    current = ReceiptSigner.load_or_create(signer.path)
    assert verify_receipt(ANSWER, current.sign(ANSWER), keys) == jwks["keys"][0]["kid"]


def test_signing_a_4_kb_answer_is_fast(signer):
    body = (ANSWER * 40)[:4096]
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(200):
            signer.sign(body)
        best = min(best, (time.perf_counter() - started) / 200)
    assert best < 1e-3, f"{best * 1e6:.0f} us per receipt"
