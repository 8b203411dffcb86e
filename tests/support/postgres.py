"""A real PostgreSQL server for tests: its own cluster in a temporary directory, on 127.0.0.1.

    with PostgresServer() as server:
        engine = sqlalchemy.create_engine(server.url)   # postgresql+psycopg://incentive:...@127.0.0.1:PORT/incentive

As a pytest plugin (tests/conftest.py lists "support.postgres") it gives the session-scoped fixtures
``postgres_server`` and ``postgres_url``. A test that kill()s the shared server must start() it again.

The cluster is made once (initdb), with a login role and a database of the same name for the tests; the
role connects over TCP with its password (scram-sha-256), the superuser only over the unix socket in the
temporary directory (trust). initdb and postgres refuse to run as root: run by root, the server runs as
the `postgres` system user (else `nobody`), which owns the directory. fsync stays on, whatever the speed
cost: tests check what survives kill(). start() returns once the server accepts connections; stop() is
`pg_ctl stop -m fast` and, if that does not end it in time, kill(); both are bounded in time.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Self

import psycopg
import pytest
from psycopg import sql

from incentive_api.testing.server import HOST, GunicornServer, free_port, living

SUPERUSER = "postgres"
KILL_WAIT_SECONDS = 5.0
# Binaries the distribution installs outside PATH (Debian and Ubuntu: /usr/lib/postgresql/<major>/bin).
VERSIONED_BINS = "/usr/lib/postgresql/*/bin"
# Ours to set; a PGDATA, PGPORT or PGHOST of the calling shell would point the tools at another server.
_LIBPQ_PREFIX = "PG"


class PostgresError(RuntimeError):
    """The server could not be made, started or stopped; the message ends with the tail of its log."""


def postgres_bin_dir() -> Path:
    """The directory holding initdb, pg_ctl and postgres: initdb's on PATH, else the newest versioned one."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    installed = [Path(d) for d in glob.glob(VERSIONED_BINS) if (Path(d) / "initdb").exists()]
    if installed:
        return max(installed, key=lambda d: int(d.parent.name) if d.parent.name.isdigit() else 0)
    raise PostgresError("PostgreSQL is not installed (no initdb on PATH or under /usr/lib/postgresql): "
                        "run `make test-deps` or install Debian's postgresql package")


def server_user() -> str | None:
    """Who runs the server: None for this process's own user, unless that is root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise PostgresError("running as root and neither a `postgres` nor a `nobody` user exists to run PostgreSQL")


class PostgresServer:
    """One PostgreSQL cluster and its postmaster; start() after stop() or kill() reuses data dir and port."""

    def __init__(self, *, database: str = "incentive", user: str = "incentive", start_timeout: float = 60.0,
                 stop_timeout: float = 15.0):
        self.database, self.user = database, user
        self.password = secrets.token_urlsafe(18)
        self.start_timeout, self.stop_timeout = start_timeout, stop_timeout
        self.bin_dir = postgres_bin_dir()
        self.os_user = server_user()
        self.workdir = Path(tempfile.mkdtemp(prefix="postgres-"))
        self.data_dir = self.workdir / "data"
        self.log_path = self.workdir / "postgres.log"
        self.port = free_port()
        self.url = f"postgresql+psycopg://{self.user}:{self.password}@{HOST}:{self.port}/{self.database}"
        self.proc: subprocess.Popen | None = None
        self.forced = False  # the last stop() had to kill

    @property
    def pid(self) -> int | None:
        """The postmaster's pid while it runs."""
        return self.proc.pid if self.proc is not None and self.proc.poll() is None else None

    def start(self) -> PostgresServer:
        if self.pid is not None:
            raise PostgresError(f"PostgreSQL is already running (pid {self.pid})")
        deadline = time.monotonic() + self.start_timeout
        fresh = not self.data_dir.exists()
        if fresh:
            self._initdb(deadline)
        with open(self.log_path, "ab") as log:  # the child keeps its own descriptor
            # setpriv execs (runuser would fork): the pid is the postmaster's, for kill() to aim at.
            self.proc = subprocess.Popen(self._as_owner(self.bin_dir / "postgres", "-D", self.data_dir),
                                         env=self._environment(), stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_ready(deadline)
        if fresh:
            self._create_role_and_database()
        return self

    def stop(self) -> None:
        """Fast shutdown (open sessions are rolled back); kill() when it has not ended in time. Keeps the
        data: start() brings the same cluster back. Safe to call twice."""
        if self.pid is None:
            self.proc = None
            return
        self.forced = False
        with contextlib.suppress(subprocess.TimeoutExpired):
            subprocess.run(self._as_owner(self.bin_dir / "pg_ctl", "stop", "-D", self.data_dir, "-m", "fast",
                                          "-w", "-t", str(int(self.stop_timeout))),
                           check=False, env=self._environment(), stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=self.stop_timeout + 5)
        try:
            self.proc.wait(timeout=1.0)
            self.proc = None
        except subprocess.TimeoutExpired:
            self.forced = True
            self.kill()

    def kill(self) -> None:
        """SIGKILL to the postmaster and every process it started, as in a crash: what was committed must
        come back on start(), through crash recovery. Returns once they are all gone."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        # Each backend is a session of its own, out of reach of a process-group kill: stopped, the
        # postmaster forks no more while its children are collected.
        os.kill(proc.pid, signal.SIGSTOP)
        server = {proc.pid} | self.children(proc.pid)
        for pid in server:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=KILL_WAIT_SECONDS)
        deadline = time.monotonic() + KILL_WAIT_SECONDS
        while time.monotonic() < deadline:
            if not server & living(lambda _fields, _command: True):
                return
            time.sleep(0.02)
        raise PostgresError(f"PostgreSQL processes {sorted(server)} still run {KILL_WAIT_SECONDS:g} s after SIGKILL")

    def close(self) -> None:
        """stop(), then remove the cluster."""
        try:
            self.stop()
        finally:
            shutil.rmtree(self.workdir, ignore_errors=True)

    @staticmethod
    def children(pid: int) -> set[int]:
        """The live processes `pid` started: the server's backends and auxiliary processes."""
        return living(lambda fields, _command: int(fields[1]) == pid)

    # The last lines of log_path, indented, as gunicorn's failures quote its log.
    log_tail = GunicornServer.log_tail

    def _initdb(self, deadline: float) -> None:
        self.data_dir.mkdir(mode=0o700)
        if self.os_user is not None:
            entry = pwd.getpwnam(self.os_user)
            for path in (self.workdir, self.data_dir):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        settings = {
            "listen_addresses": f"'{HOST}'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.workdir}'",
            "max_connections": "100",
            "shared_buffers": "16MB",
            "fsync": "on",
            "synchronous_commit": "on",
            "full_page_writes": "on",
            # Less WAL for bulk loads and no JIT compile of short queries; neither weakens durability.
            "wal_level": "minimal",
            "max_wal_senders": "0",
            "jit": "off",
            # Containers seldom grant huge pages; "try" would log a warning at every start.
            "huge_pages": "off",
            "timezone": "'UTC'",
        }
        # --no-sync spares initdb's own flush of the template files only; the server then runs with fsync.
        result = subprocess.run(
            self._as_owner(self.bin_dir / "initdb", "-D", self.data_dir, "-U", SUPERUSER, "--encoding=UTF8",
                           "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync",
                           "--no-instructions"),
            check=False, env=self._environment(), stdin=subprocess.DEVNULL, capture_output=True, text=True,
            timeout=max(deadline - time.monotonic(), 1.0))
        if result.returncode != 0:
            raise PostgresError(f"initdb failed with {result.returncode}:\n{result.stdout}{result.stderr}")
        with open(self.data_dir / "postgresql.conf", "a") as conf:  # later lines win over initdb's
            conf.write("".join(f"{name} = {value}\n" for name, value in settings.items()))

    def _wait_ready(self, deadline: float) -> None:
        """Until postmaster.pid says "ready": the state pg_ctl -w waits for."""
        pid_file = self.data_dir / "postmaster.pid"
        while True:
            if self.proc.poll() is not None:
                self._fail(f"postgres exited with {self.proc.returncode} before it was ready")
            with contextlib.suppress(OSError):
                lines = pid_file.read_text().splitlines()
                if len(lines) >= 8 and lines[0].strip() == str(self.proc.pid) and lines[7].strip() == "ready":
                    return
            if time.monotonic() > deadline:
                self._fail(f"PostgreSQL on {HOST}:{self.port} was not ready within {self.start_timeout:g} s")
            time.sleep(0.02)

    def _create_role_and_database(self) -> None:
        with psycopg.connect(host=str(self.workdir), port=self.port, user=SUPERUSER, dbname="postgres",
                             autocommit=True, connect_timeout=10) as admin:
            admin.execute(sql.SQL("CREATE ROLE {} LOGIN CREATEDB PASSWORD {}").format(
                sql.Identifier(self.user), sql.Literal(self.password)))
            admin.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(
                sql.Identifier(self.database), sql.Identifier(self.user)))

    def _as_owner(self, *command) -> list[str]:
        words = [str(word) for word in command]
        if self.os_user is None:
            return words
        return ["setpriv", f"--reuid={self.os_user}", f"--regid={self.os_user}", "--init-groups", "--", *words]

    def _environment(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(_LIBPQ_PREFIX)}
        env.update(LC_ALL="C", TZ="UTC")
        return env

    def _fail(self, message: str):
        tail = self.log_tail()
        self.kill()
        raise PostgresError(f"{message}:\n{tail}")

    def __enter__(self) -> Self:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc_info) -> None:
        self.close()


@pytest.fixture(scope="session")
def postgres_server():
    """One PostgreSQL for the session, removed at its end whatever happened."""
    with PostgresServer() as server:
        yield server


@pytest.fixture(scope="session")
def postgres_url(postgres_server) -> str:
    """postgresql+psycopg://incentive:<password>@127.0.0.1:<port>/incentive"""
    return postgres_server.url
