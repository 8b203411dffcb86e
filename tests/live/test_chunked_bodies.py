"""A body sent without Content-Length (chunked) is held to the same limit as one with it."""

import json

import httpx

from support.helpers import AUTH

LIMIT = 4 * 1024 * 1024  # the default MAX_BODY_BYTES
VALID = {"vessel": {"imo": "IMO 9619907", "type": "container", "gross_tonnage": 194849},
         "call": {"port": "USLGB", "arrival": "2026-03-02"}}


def chunks(data: bytes, size: int = 65536):
    for start in range(0, len(data), size):
        yield data[start:start + size]


def test_a_chunked_body_past_the_limit_is_413_not_cut(live_url):
    # 5.2 MB: a valid request followed by white space, so a body cut at the limit would still parse
    big = json.dumps(VALID).encode() + b" " * int(5.2 * 1024 * 1024)
    headers = {**AUTH, "Content-Type": "application/json"}
    with httpx.Client(base_url=live_url, timeout=30) as c:
        chunked = c.post("/v1/eligibility", content=chunks(big), headers=headers)
        sized = c.post("/v1/eligibility", content=big, headers=headers)
        small = c.post("/v1/eligibility", content=chunks(json.dumps(VALID).encode()), headers=headers)
    assert chunked.status_code == 413 and chunked.headers["content-type"] == "application/problem+json"
    assert sized.status_code == 413
    assert small.status_code == 200 and small.json()["vessel"]["imo"] == "9619907"


def test_a_chunked_body_at_the_limit_is_read_whole(live_url):
    body = json.dumps(VALID).encode()
    body += b" " * (LIMIT - len(body))
    with httpx.Client(base_url=live_url, timeout=30) as c:
        r = c.post("/v1/eligibility", content=chunks(body), headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 200


def test_a_chunk_declaring_more_than_the_limit_is_413_at_once(live_url):
    """The chunk header says 1e9 bytes: refused as it is read, not after waiting for bytes that never come."""
    import socket
    import time
    from urllib.parse import urlsplit

    url = urlsplit(live_url)
    head = (f"POST /v1/eligibility HTTP/1.1\r\nHost: {url.hostname}\r\nAuthorization: {AUTH['Authorization']}\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n3B9ACA00\r\n{\"vessel\": ").encode()
    started = time.monotonic()
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(head)
        received = b""
        while b"\r\n\r\n" not in received:
            part = sock.recv(65536)
            if not part:
                break
            received += part
    waited = time.monotonic() - started
    assert received.split(b" ", 2)[1] == b"413", received[:200]
    assert b"application/problem+json" in received.lower()
    assert waited < 2, f"answered after {waited:.1f} s"
