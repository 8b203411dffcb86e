"""A test process killed outright (a CI timeout, kill -9) takes the servers it started with it."""

import os
import signal
import subprocess
import sys
import textwrap

from support.helpers import ROOT, wait_for

SCRIPT = textwrap.dedent("""
    import os, sys, tempfile
    from pathlib import Path
    from incentive_api.testing.server import GunicornServer
    from incentive_api.adapters.redis.embedded import EmbeddedRedis
    work = Path(tempfile.mkdtemp())
    redis_server = EmbeddedRedis(work / "redis").start()
    server = GunicornServer({"CACHE": "off"}, workers=1, workdir=work / "srv").start()
    print(redis_server.proc.pid, server.proc.pid, flush=True)
    os.kill(os.getpid(), 9)  # no stop(), no atexit: as a killed test run ends
""")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie waits for its reaper: it is gone
        return stat.read().split(") ")[1][0] != "Z"


def test_a_killed_parent_takes_its_gunicorn_and_redis_server_with_it():
    child = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=60,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert child.returncode == -signal.SIGKILL, child.stderr[-2000:]
    redis_pid, master_pid = (int(p) for p in child.stdout.split())
    try:
        wait_for(lambda: not _alive(redis_pid) and not _alive(master_pid), timeout=20,
                 what="the orphaned redis-server and gunicorn master to end")
    finally:
        for pid in (redis_pid, master_pid):
            if _alive(pid):
                os.killpg(pid, signal.SIGKILL)
