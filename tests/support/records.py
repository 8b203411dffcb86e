"""Live tests of the decision records: distinct request bodies, many decisions sent at once through real
gunicorns, and the whole service killed as a crash would."""

from __future__ import annotations

import contextlib
import json
import os
import signal
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache

import httpx

from incentive_api.sampling import generate_requests
from incentive_api.service.rules import load_compiled as load_ruleset

from .helpers import RULES

CLIENT_TIMEOUT = 15.0


@cache
def _ruleset():
    return load_ruleset(RULES)


def bodies(n: int, seed: int) -> list[bytes]:
    """`n` distinct, realistic request bodies; a seed per test keeps each test's decisions its own."""
    return [json.dumps(body, default=float).encode() for body in generate_requests(n, ruleset=_ruleset(), seed=seed)]


@dataclass(frozen=True)
class Sent:
    status: int
    decision_id: str | None
    answer: bytes
    record: str | None  # the X-Record header


def sent(response: httpx.Response) -> Sent:
    did = response.json().get("decision_id") if response.status_code == 200 else None
    return Sent(response.status_code, did, response.content, response.headers.get("X-Record"))


def post_all(url: str, headers: dict, requests: list[bytes], threads: int = 4, then=None) -> list[Sent]:
    """POST each body to url's /v1/eligibility from `threads` keep-alive clients, in order per client;
    `then(sent)` runs right after each answer, in the same thread."""
    def run(share: list[bytes]) -> list[Sent]:
        out = []
        with httpx.Client(base_url=url, headers={**headers, "Content-Type": "application/json"},
                          timeout=CLIENT_TIMEOUT) as client:
            for body in share:
                one = sent(client.post("/v1/eligibility", content=body))
                if then is not None:
                    then(one)
                out.append(one)
        return out
    shares = [requests[i::threads] for i in range(threads)]
    with ThreadPoolExecutor(threads) as pool:
        return [one for part in pool.map(run, shares) for one in part]


def read_back(url: str, headers: dict, ids: list[str], threads: int = 4) -> dict[str, tuple[int, bytes]]:
    """GET /v1/decisions/{id} for each id: {id: (status, body)}."""
    def run(share: list[str]) -> dict:
        with httpx.Client(base_url=url, headers=headers, timeout=CLIENT_TIMEOUT) as client:
            return {did: (r.status_code, r.content) for did in share for r in [client.get(f"/v1/decisions/{did}")]}
    found: dict = {}
    with ThreadPoolExecutor(threads) as pool:
        for part in pool.map(run, [ids[i::threads] for i in range(threads)]):
            found.update(part)
    return found


def mismatches(expected: dict[str, bytes], found: dict[str, tuple[int, bytes]]) -> list[str]:
    """The ids not read back as 200 with the bytes first sent, each with what came instead."""
    return [f"{did}: {found[did][0]} {found[did][1][:200]!r}" for did, answer in expected.items()
            if found[did] != (200, answer)]


def records_health(server) -> dict:
    """/readyz's "records" part, from whichever worker answers."""
    _status, _headers, body = server.request("GET", "/readyz", timeout=5.0)
    return json.loads(body)["records"]


def crash(server) -> None:
    """SIGKILL, at once, the gunicorn master's whole process group and its embedded redis-server (a session
    of its own), as a power cut of the host would; returns once the master is gone."""
    proc, redis = server.proc, server.redis_pids()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    for pid in redis:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    proc.wait(timeout=5)
