"""Faults to inject into a live gunicorn, and the answers a single process would give, for chaos tests.

Processes are found through /proc; answers are judged against the core itself (decide on the request
as the service parses it), so "the same answer" means the same bytes, decision id included.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import threading
from pathlib import Path
from typing import Self

import orjson

from incentive_api.adapters.redis.embedded import embedded_status
from incentive_api.core.engine import decide
from incentive_api.core.jsonwire import loads
from incentive_api.core.request import parse_request
from incentive_api.core.ruleset import Ruleset
from incentive_api.testing import GunicornServer
from support.helpers import wait_for


def wire(body) -> bytes:
    """A body as a caller sends it (the sampler's Decimals as JSON numbers)."""
    return json.dumps(body, default=float, separators=(",", ":")).encode()


# ---------------------------------------------------------------------------------------------- processes


def kill_worker(server: GunicornServer, timeout: float = 10.0) -> tuple[int, int]:
    """SIGKILL one of the server's workers; (killed pid, its replacement) once the master has forked one."""
    workers = server.worker_pids(settle=timeout)
    assert len(workers) == server.workers, f"{len(workers)} workers, not {server.workers}"
    victim = min(workers)
    os.kill(victim, signal.SIGKILL)
    fresh = wait_for(lambda: server.worker_pids(settle=0) - workers, timeout, f"a worker replacing {victim}")
    return victim, min(fresh)


def kill_embedded_redis(run_dir: Path, timeout: float = 10.0) -> tuple[int, int]:
    """SIGKILL the supervised redis-server of the service in RUN_DIR; (old pid, new pid) once it runs again."""
    status = wait_for(lambda: (s := embedded_status(run_dir)) and s.get("state") == "running" and s, timeout,
                   "the embedded redis-server running")
    old = status["pid"]
    os.kill(old, signal.SIGKILL)

    def back():
        now = embedded_status(run_dir) or {}
        return now.get("state") == "running" and now.get("pid") not in (None, old) and now["pid"]
    return old, wait_for(back, timeout, f"the embedded redis-server restarted after killing {old}")


def kill_if_alive(pid: int) -> None:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return
    if state != "Z":
        os.kill(pid, signal.SIGKILL)


class SlowSockets:
    """`count` connections to 127.0.0.1:port, each sending a POST one byte a second until closed.

    Half stall in the headers, half in a body their headers promised; the server may drop any of them.
    """

    def __init__(self, port: int, count: int, body: bytes):
        head = (f"POST /v1/eligibility HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        self.port, self.count = port, count
        self.streams = [head + body if i % 2 else head for i in range(count)]
        self.connections: list[socket.socket] = []
        self._closing = threading.Event()
        self._dripper = threading.Thread(target=self._drip, name="slow-sockets", daemon=True)

    def __enter__(self) -> Self:
        try:
            for i, stream in enumerate(self.streams):
                conn = socket.create_connection(("127.0.0.1", self.port), timeout=5)
                self.connections.append(conn)
                if i % 2:  # the slow body: headers at once
                    conn.sendall(stream[:stream.index(b"\r\n\r\n") + 4])
                    self.streams[i] = stream[stream.index(b"\r\n\r\n") + 4:]
        except OSError:
            self.__exit__()
            raise
        self._dripper.start()
        return self

    def _drip(self) -> None:
        offset = 0
        while not self._closing.wait(0 if offset == 0 else 1.0):
            for conn, stream in zip(self.connections, self.streams):
                try:
                    conn.send(stream[offset:offset + 1])
                except OSError:  # dropped by the server: nothing more to send on it
                    pass
            offset += 1

    def __exit__(self, *exc_info) -> None:
        self._closing.set()
        if self._dripper.is_alive():
            self._dripper.join(5)
        for conn in self.connections:
            conn.close()


# ---------------------------------------------------------------------------------------------- answers


class Oracle:
    """The answer one process gives, from the rulesets an answer may name; computed once per (body, revision, day).

    For a batch, the bytes up to its summary: every item exactly the decision a single request gets.
    """

    def __init__(self, rulesets: list[Ruleset]):
        self.rulesets = {rs.revision: rs for rs in rulesets}
        self._known: dict[tuple, bytes] = {}
        self._lock = threading.Lock()

    def expected(self, body: bytes, batch: bool, revision: str, today: dt.date) -> bytes:
        key = (body, batch, revision, today)
        with self._lock:
            found = self._known.get(key)
        if found is None:
            sent = loads(body)
            decisions = [orjson.dumps(decide(self.rulesets[revision], parse_request(request), today=today).to_json())
                         for request in (sent["items"] if batch else [sent])]
            found = b'{"items":[' + b",".join(decisions) + b'],"summary":' if batch else decisions[0]
            with self._lock:
                self._known[key] = found
        return found
