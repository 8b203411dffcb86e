"""Slow and stalled clients against a real gunicorn: other clients stay answered, nothing restarts, no HTML.

Fifty sockets send their request one byte a second (half dripping the headers, half the body) while a
normal client measures /healthz and POST /v1/eligibility; a body that stops short is dropped within a
few seconds; gunicorn's own refusals (bad request line, long URI, long headers) are problem+json.
"""

import json
import socket
import threading
import time
from http import HTTPStatus

import httpx
import pytest

from incentive_api.testing import GunicornServer

SLOW_SOCKETS = 50
MEASURE_SECONDS = 15
P99_LIMIT_MS = 100
STALL_DROPPED_WITHIN = 8  # seconds: the stall timeout plus a margin for a loaded machine
BODY = json.dumps({
    "vessel": {"imo": "IMO 9619907", "type": "container", "gross_tonnage": 194849,
               "engines": [{"role": "main", "imo_nox_tier": 3}],
               "esi": {"score": 56, "nox_valid": True, "sox_valid": True, "valid_until": "2026-12-31"}},
    "call": {"port": "USLGB", "arrival": "2026-03-02"},
}).encode()


def post_head(length: int) -> bytes:
    return (f"POST /v1/eligibility HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {length}\r\n\r\n").encode()


def read_until_closed(sock: socket.socket, within: float) -> tuple[bytes, float]:
    """What the server sent until it closed the connection or `within` seconds passed, and when it stopped."""
    started, received = time.monotonic(), b""
    deadline = started + within
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            break
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            return received, time.monotonic() - started
        received += chunk
    return received, time.monotonic() - started


class Drip:
    """Sockets that send their request one byte a second, from one thread, until stopped."""

    def __init__(self, port: int, count: int):
        self.sockets, self.pending = [], []
        for i in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            if i % 2:  # a slow body: the headers whole, then the body a byte at a time
                sock.sendall(post_head(len(BODY)))
                self.pending.append(BODY)
            else:      # slow headers: the request line, then a header a byte at a time
                self.pending.append(b"POST /v1/eligibility HTTP/1.1\r\nX-Slow: " + b"s" * 200)
            self.sockets.append(sock)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        sent = 0
        while not self.stopped.wait(0 if sent == 0 else 1):
            for sock, data in zip(self.sockets, self.pending):
                try:
                    sock.send(data[sent:sent + 1])
                except OSError:
                    pass
            sent += 1

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.thread.join(5)
        self.received = []
        for sock in self.sockets:
            sock.setblocking(False)
            try:
                self.received.append(sock.recv(65536))
            except OSError:
                self.received.append(b"")
            sock.close()


@pytest.fixture(scope="module")
def server():
    # Rate limits would refuse the measuring client; the cache stays on, so the Redis writer threads run too.
    with GunicornServer({"AUTH": "off", "RATE_LIMIT": "off", "RATE_LIMIT_BATCH": "off", "LOG_LEVEL": "warning"},
                        workers=2, name="slow-clients") as running:
        yield running


def test_slow_clients_leave_others_answered_and_nothing_restarts(server):
    workers_before = server.worker_pids()
    latencies, failures = [], []
    with Drip(server.port, SLOW_SOCKETS) as drip, httpx.Client(base_url=server.url, timeout=5) as client:
        time.sleep(2)  # every slow socket accepted and holding whatever it holds
        deadline = time.monotonic() + MEASURE_SECONDS
        while time.monotonic() < deadline:
            for method, path, body in (("GET", "/healthz", None), ("POST", "/v1/eligibility", BODY)):
                started = time.perf_counter()
                try:
                    answer = client.request(method, path, content=body,
                                            headers={"Content-Type": "application/json"} if body else {})
                    if "html" in answer.headers.get("content-type", "") or answer.status_code != 200:
                        failures.append((path, answer.status_code, answer.text[:200]))
                except httpx.HTTPError as exc:
                    failures.append((path, "no answer", repr(exc)))
                latencies.append(time.perf_counter() - started)
    latencies.sort()
    p99_ms = latencies[int(len(latencies) * 0.99)] * 1000
    print(f"{len(latencies)} requests beside {SLOW_SOCKETS} slow sockets: "
          f"p50 {latencies[len(latencies) // 2] * 1000:.1f} ms, p99 {p99_ms:.1f} ms")
    assert not failures, failures[:5]
    assert p99_ms < P99_LIMIT_MS
    assert not [r for r in drip.received if b"<html" in r.lower()]
    assert server.worker_pids() == workers_before


def test_a_stalled_body_is_dropped_within_seconds_without_a_restart(server):
    workers_before = server.worker_pids()
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(post_head(len(BODY) + 100) + BODY)  # 100 bytes promised and never sent
        received, after = read_until_closed(sock, STALL_DROPPED_WITHIN + 2)
    print(f"stalled body: {after:.1f} s, answered {received[:200]!r}")
    assert after < STALL_DROPPED_WITHIN
    assert b"<html" not in received.lower()
    if received:  # an answer before closing must be a problem
        head, _, body = received.partition(b"\r\n\r\n")
        assert head.split()[1] in (b"400", b"408"), head
        assert b"content-type: application/problem+json" in head.lower()
        assert json.loads(body)["status"] in (400, 408)
    assert server.worker_pids() == workers_before


@pytest.mark.parametrize("request_bytes, status", [
    (b"NOT A REQUEST LINE\r\n\r\n", 400),
    (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(200)) + b"\r\n", 431),
    (b"POST /v1/eligibility HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: snappy, chunked\r\n\r\n0\r\n\r\n", 501),
])
def test_gunicorns_own_refusals_are_problems(server, request_bytes, status):
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(request_bytes)
        received, _ = read_until_closed(sock, 5)
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.split()[1] == str(status).encode(), received[:300]
    assert b"content-type: application/problem+json" in head.lower()
    problem = json.loads(body)
    assert problem["status"] == status and problem["type"].startswith("urn:incentive-api:problem:")
    reason = head.split(b"\r\n")[0].split(b" ", 2)[2].decode()
    assert reason == problem["title"] == HTTPStatus(status).phrase  # never "501 Bad Request"
    assert b"cache-control: no-store" in head.lower()
