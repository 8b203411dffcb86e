"""The embedded redis-server is supervised by the gunicorn master: killed outright, it comes back on the
same socket with its append-only file, the workers find it again, and no request fails meanwhile."""

import os
import signal
import time
from pathlib import Path

import httpx
import pytest
import redis

from incentive_api.adapters.redis.embedded import embedded_status, redis_dir
from incentive_api.testing import GunicornServer
from incentive_api.testing.server import children
from support.helpers import AUTH, wait_for

BODY = {
    "vessel": {"imo": "9619907", "type": "container", "gross_tonnage": 194849,
               "esi": {"score": 50, "nox_valid": True, "sox_valid": True, "valid_until": "2030-01-01"}},
    "call": {"port": "USLGB", "arrival": "2026-03-02"},
    "programs": ["polb-green-ship"],
}


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def decide(client: httpx.Client, score: float) -> httpx.Response:
    body = {**BODY, "vessel": {**BODY["vessel"], "esi": {**BODY["vessel"]["esi"], "score": score}}}
    return client.post("/v1/eligibility", json=body)


@pytest.fixture
def service(tmp_path):
    server = GunicornServer({"CACHE": "on"}, workers=2, workdir=tmp_path, unset=["REDIS_URL"])
    seen: set[int] = set()  # every redis-server the master started, checked gone at the end
    try:
        server.start(timeout=30)
        yield server, server.run_dir, seen
    finally:
        server.stop()
        for pid in seen:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_a_killed_embedded_redis_is_restarted_and_nothing_fails_meanwhile(service):
    server, run_dir, seen = service
    master = server.proc.pid
    socket = redis_dir(run_dir) / "redis.sock"
    first = wait_for(lambda: children(master, "redis-server"), 5, "the master's redis-server")
    assert len(first) == 1
    seen |= first
    (old_pid,) = first

    with httpx.Client(base_url=server.url, headers=AUTH, timeout=5) as client:
        before = decide(client, 50)
        assert before.status_code == 200, before.text
        kept = before.json()["decision_id"]
        wait_for(lambda: client.get(f"/v1/decisions/{kept}").status_code == 200, 5, "the decision record written")

        os.kill(old_pid, signal.SIGKILL)
        killed_at = time.monotonic()
        during, new_pid = [], None
        while time.monotonic() - killed_at < 10 and new_pid is None:
            during.append(decide(client, 40 + len(during) % 20).status_code)
            new_pid = next(iter(children(master, "redis-server") - first), None)
        assert new_pid is not None, "no new redis-server within 10 s of the kill"
        seen.add(new_pid)
        assert during and set(during) == {200}, during

        # A new server answers on the same socket, and it replayed its append-only file.
        fresh = redis.Redis(unix_socket_path=str(socket), socket_timeout=1)
        wait_for(fresh.ping, 5, "the restarted redis-server answering on its socket")
        assert any(fresh.scan_iter(match=f"*{kept}*")), "the record written before the kill was lost"
        fresh.close()
        restarted_in = time.monotonic() - killed_at

        # Every worker that saw the outage finds the server again by itself, and says so.
        def recovered() -> bool:
            ready = all(client.get("/readyz").json()["cache"] == "ok" for _ in range(4))
            text = server.log_path.read_text(errors="replace")
            return ready and text.count("redis reachable again") >= text.count("redis unavailable")
        wait_for(recovered, 10, "/readyz cache back to ok in every worker")
        assert wait_for(lambda: client.get(f"/v1/decisions/{kept}").status_code == 200, 5, "the record served again")

    status = embedded_status(run_dir)
    assert status["state"] == "running" and status["restarts"] == 1 and status["pid"] == new_pid, status
    assert status["last_exit"] in ("killed by SIGKILL", "exit status unknown"), status
    assert restarted_in < 5

    server.stop()
    text = server.log_path.read_text(errors="replace")
    assert f"embedded redis-server (pid {old_pid}) died" in text, text
    assert f"embedded redis-server restarted (pid {new_pid}, restart 1)" in text, text
    assert not any(alive(pid) for pid in seen), "a redis-server outlived the master"
    assert embedded_status(run_dir) is None
    assert not (redis_dir(run_dir) / "status.json").exists()
