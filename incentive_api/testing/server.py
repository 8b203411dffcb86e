"""A real gunicorn, started from the repository's gunicorn.conf.py on 127.0.0.1, for tests and benchmarks.

    with GunicornServer({"CACHE": "off"}, workers=2, workdir=tmp) as server:
        status, headers, body = server.request("GET", "/v1/ruleset")

Each server gets a free port, a RUN_DIR of its own (the embedded redis-server, reload markers) unless the
environment given names one, and its output (stdout and stderr) in a log file. start() returns once
/readyz answers 200; stop() sends SIGTERM (gunicorn's graceful shutdown) and, when that has not ended the
master in time, SIGKILLs its process group; either way it returns within a bounded time. A test process
killed outright takes its servers with it (die_with_parent). The package imports nothing else from
incentive_api but that helper: what it starts is tested from outside, as a client sees it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Self

from ..adapters.processes import die_with_parent

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "gunicorn.conf.py"
HOST = "127.0.0.1"
KILL_WAIT_SECONDS = 5.0
# Requests to 127.0.0.1 go straight there, whatever proxy the environment names.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ServerError(RuntimeError):
    """gunicorn could not be started or did not become ready; the message ends with the tail of its log."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def gunicorn_command() -> list[str]:
    if importlib.util.find_spec("gunicorn") is not None:
        return [sys.executable, "-m", "gunicorn"]
    venv = ROOT / ".venv" / "bin" / "gunicorn"
    if venv.exists():
        return [str(venv)]
    raise ServerError(f"gunicorn is installed neither for {sys.executable} nor at {venv}: run `make venv`")


class GunicornServer:
    """One gunicorn master and its workers.

    env: variables set on top of this process's environment (less the names in `unset`); HOST and PORT
    are always 127.0.0.1 and the free port. workdir: where the log (<name>.log) and the default RUN_DIR
    go; without one, a temporary directory that stop() removes.
    """

    def __init__(self, env: Mapping[str, str] | None = None, *, workers: int = 2, workdir: Path | None = None,
                 name: str = "gunicorn", unset: Iterable[str] = (), ready_timeout: float = 30.0,
                 stop_timeout: float = 20.0):
        self.name = name
        self.workers = workers
        self.overrides = dict(env or {})
        self.unset = frozenset(unset)
        self.ready_timeout, self.stop_timeout = ready_timeout, stop_timeout
        self._owns_workdir = workdir is None
        self.workdir = Path(workdir) if workdir is not None else Path(tempfile.mkdtemp(prefix=f"{name}-"))
        self.log_path = self.workdir / f"{name}.log"
        self.run_dir = Path(self.overrides.get("RUN_DIR") or self.workdir / "run")
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.ready: dict = {}  # what /readyz answered when the server became ready
        self.forced = False  # stop() had to SIGKILL

    def environment(self) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in self.unset}
        env.update(WEB_CONCURRENCY=str(self.workers), RUN_DIR=str(self.run_dir), PYTHONUNBUFFERED="1")
        env.update(self.overrides)
        env.update(HOST=HOST, PORT=str(self.port))
        return env

    def start(self, timeout: float | None = None) -> GunicornServer:
        if self.proc is not None:
            raise ServerError(f"{self.name} is already running (pid {self.proc.pid})")
        timeout = self.ready_timeout if timeout is None else timeout
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:  # the child keeps its own descriptor
            self.proc = subprocess.Popen([*gunicorn_command(), "--config", str(CONFIG)], cwd=ROOT,
                                         env=self.environment(), stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True,
                                         preexec_fn=die_with_parent)
        deadline = time.monotonic() + timeout
        last = "no answer"
        while True:
            if self.proc.poll() is not None:
                self._fail(f"{self.name} exited with {self.proc.returncode} before it was ready")
            try:
                status, _headers, body = self.request("GET", "/readyz", timeout=1.0)
                if status == 200:
                    with contextlib.suppress(ValueError):
                        self.ready = json.loads(body)
                    return self
                last = f"{status} {body[:300]!r}"
            except OSError as exc:  # refused while gunicorn binds, or a timeout
                last = repr(exc)
            if time.monotonic() > deadline:
                self._fail(f"{self.name} on {self.url} was not ready within {timeout:g} s ({last})")
            time.sleep(0.1)

    def _fail(self, message: str):
        tail = self.log_tail()
        self.stop()
        raise ServerError(f"{message}:\n{tail}")

    def request(self, method: str, path: str, body: bytes | None = None, headers: Mapping[str, str] | None = None,
                timeout: float = 5.0):
        """(status, headers, body) of one HTTP exchange; an error status is an answer, not an exception."""
        req = urllib.request.Request(self.url + path, data=body, method=method, headers=dict(headers or {}))
        try:
            with _OPENER.open(req, timeout=timeout) as resp:
                return resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, exc.headers, exc.read()

    def hup(self) -> None:
        """SIGHUP to the master: gunicorn reloads (gunicorn.conf.py's on_reload) and replaces its workers."""
        if self.proc is None or self.proc.poll() is not None:
            raise ServerError(f"{self.name} is not running")
        os.kill(self.proc.pid, signal.SIGHUP)

    def stop(self) -> None:
        """SIGTERM; after stop_timeout, SIGKILL to the process group. Safe to call twice."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                self.forced = True
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)  # the master and its workers: its own session
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=KILL_WAIT_SECONDS)
                _kill_left_in(self.run_dir)
        if self._owns_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def worker_pids(self, settle: float = 10) -> set[int]:
        """The master's gunicorn workers, once as many as configured are up (or `settle` seconds passed)."""
        deadline = time.monotonic() + settle
        while True:
            workers = children(self.proc.pid, "gunicorn")
            if len(workers) >= self.workers or time.monotonic() > deadline:
                return workers
            time.sleep(0.1)

    def redis_pids(self) -> set[int]:
        """The embedded redis-server the master started, if any."""
        return children(self.proc.pid, "redis-server")

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "\n".join("    | " + line for line in text[-lines:])

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def living(match) -> set[int]:
    """Pids of live (not zombie) processes, other than this one, for which match(stat_fields, command_line)
    holds; stat_fields are /proc/<pid>/stat after the name (state, ppid, pgrp, ...)."""
    found = set()
    for proc_dir in Path("/proc").glob("[0-9]*"):
        if int(proc_dir.name) == os.getpid():
            continue
        try:
            stat = (proc_dir / "stat").read_text()
            command = (proc_dir / "cmdline").read_bytes().decode(errors="replace").replace("\0", " ")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z" and match(fields, command):
            found.add(int(proc_dir.name))
    return found


def children(parent: int, program: str) -> set[int]:
    """Live children of `parent` running `program` (gunicorn workers: "python -m gunicorn"; redis-server)."""
    def runs(command: str) -> bool:
        return program in (os.path.basename(word) for word in command.split()[:3])
    return living(lambda fields, command: int(fields[1]) == parent and runs(command))


def _kill_left_in(run_dir: Path) -> None:
    """After a SIGKILLed master: what it started in a session of its own (the embedded redis-server) is
    out of reach of the process group. Such a process names a path below the server's own RUN_DIR on its
    command line (redis-server rewrites its title to one string: "redis-server unixsocket:<path>")."""
    inside = str(run_dir.resolve()) + os.sep
    for pid in living(lambda _fields, command: inside in command):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
