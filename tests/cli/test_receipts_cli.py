"""receipts rotate and receipts verify, run as an operator or a customer runs them."""

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from incentive_api.adapters.receipts import ReceiptSigner
from support.helpers import ROOT

ANSWER = b'{"decision_id":"d1","total":{"amount":"1250.00","currency":"USD"}}'


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "incentive_api", "receipts", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=60, env={**os.environ, **(env or {})})


@pytest.fixture
def saved(tmp_path):
    """An answer saved as curl saves it (-o answer.json -D headers.txt), and the service's keys file."""
    keys = tmp_path / "receipt-keys.json"
    signer = ReceiptSigner.load_or_create(keys)
    receipt = signer.sign(ANSWER)
    (tmp_path / "answer.json").write_bytes(ANSWER)
    (tmp_path / "headers.txt").write_bytes(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nx-receipt: " + receipt.encode() + b"\r\n\r\n")
    return {"dir": tmp_path, "keys": keys, "receipt": receipt, "kid": signer.ring().current.kid,
            "jwks": signer.jwks()}


def test_verify_a_saved_answer_with_the_receipt_or_the_header_dump(saved):
    answer = str(saved["dir"] / "answer.json")
    by_receipt = cli("verify", answer, "--receipt", saved["receipt"], "--file", str(saved["keys"]))
    by_headers = cli("verify", answer, "--headers", str(saved["dir"] / "headers.txt"),
                     env={"RECEIPT_KEYS_FILE": str(saved["keys"])})
    for out in (by_receipt, by_headers):
        assert out.returncode == 0, out.stdout + out.stderr
        assert out.stdout.strip() == f"valid: signed by {saved['kid']}"


def test_verify_against_a_saved_jwks(saved):
    jwks = saved["dir"] / "keys.json"
    jwks.write_text(json.dumps(saved["jwks"]))
    out = cli("verify", str(saved["dir"] / "answer.json"), "--receipt", saved["receipt"], "--keys", str(jwks))
    assert out.returncode == 0, out.stdout + out.stderr


def test_verify_against_a_jwks_url(saved):
    body = json.dumps(saved["jwks"]).encode()

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Jwks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/v1/receipts/keys"
        out = cli("verify", str(saved["dir"] / "answer.json"), "--receipt", saved["receipt"], "--keys", url)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip() == f"valid: signed by {saved['kid']}"


def test_verify_refuses_a_tampered_answer(saved):
    tampered = saved["dir"] / "tampered.json"
    tampered.write_bytes(ANSWER.replace(b"1250.00", b"1350.00"))
    out = cli("verify", str(tampered), "--receipt", saved["receipt"], "--file", str(saved["keys"]))
    assert out.returncode == 1
    assert out.stdout.startswith("invalid: bad signature")


@pytest.mark.parametrize("receipt, why", [("kid=0123456789abcdef; alg=Ed25519; sig=" + "A" * 86, "unknown kid"),
                                          ("sig=whatever", "malformed receipt")])
def test_verify_says_why_a_receipt_is_refused(saved, receipt, why):
    out = cli("verify", str(saved["dir"] / "answer.json"), "--receipt", receipt, "--file", str(saved["keys"]))
    assert out.returncode == 1 and out.stdout.startswith(f"invalid: {why}"), out.stdout


def test_verify_an_answer_that_carries_no_receipt(saved):
    headers = saved["dir"] / "plain.txt"
    headers.write_text("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n")
    out = cli("verify", str(saved["dir"] / "answer.json"), "--headers", str(headers), "--file", str(saved["keys"]))
    assert out.returncode == 1 and "no X-Receipt header" in out.stdout


def test_rotate_makes_a_new_current_key_and_old_receipts_still_verify(saved):
    out = cli("rotate", "--file", str(saved["keys"]))
    assert out.returncode == 0, out.stderr
    assert "1 retired key(s)" in out.stdout
    new_kid = out.stdout.split()[2].rstrip(";")
    assert new_kid != saved["kid"]
    assert ReceiptSigner.load_or_create(saved["keys"]).sign(ANSWER).startswith(f"kid={new_kid};")
    old = cli("verify", str(saved["dir"] / "answer.json"), "--receipt", saved["receipt"], "--file", str(saved["keys"]))
    assert old.returncode == 0 and old.stdout.strip() == f"valid: signed by {saved['kid']}"


def test_verify_without_a_keys_file_is_a_usage_error(saved):
    out = cli("verify", str(saved["dir"] / "answer.json"), "--receipt", saved["receipt"],
              "--file", str(saved["dir"] / "missing.json"))
    assert out.returncode == 2 and "missing.json" in out.stderr and "Traceback" not in out.stderr
