"""The gunicorn launcher of the tests and benchmarks: ready on /readyz, logged to a file, and gone after stop()."""

import time
from pathlib import Path

import pytest

from incentive_api.testing import GunicornServer, ServerError


def _living(match) -> set[int]:
    """Pids of live (not zombie) processes whose /proc entry satisfies match(stat_fields, argv)."""
    found = set()
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
            argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # state, ppid, pgrp, ...
        if fields[0] != "Z" and match(fields, argv):
            found.add(int(entry.name))
    return found


def _group(pgid: int) -> set[int]:
    return _living(lambda fields, _argv: int(fields[2]) == pgid)


def _naming(directory: Path) -> set[int]:
    inside = str(directory.resolve()) + "/"
    return _living(lambda _fields, argv: inside in " ".join(argv))


def _eventually(predicate, timeout: float = 10):
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.05)
    return predicate()


def test_serves_logs_hups_and_leaves_nothing_behind(tmp_path):
    with GunicornServer({"CACHE": "off"}, workers=2, workdir=tmp_path, ready_timeout=30) as server:
        master = server.proc.pid
        assert server.ready["status"] == "ready"  # what /readyz answered
        assert server.request("GET", "/healthz")[0] == 200
        assert _eventually(lambda: len(_group(master)) == 3)  # the master and its two workers
        server.hup()
        assert server.request("GET", "/healthz", timeout=10)[0] == 200
    assert _eventually(lambda: not _group(master))
    assert server.log_path.read_text().strip(), "gunicorn's output is in the log file"


def test_a_server_that_stays_unready_is_stopped_and_its_log_shown(tmp_path):
    (tmp_path / "rules").mkdir()  # no rule files: the rules never load, so /readyz answers 503
    server = GunicornServer({"RULES_DIR": str(tmp_path / "rules"), "CACHE": "off"}, workers=1,
                            workdir=tmp_path / "srv", ready_timeout=8)
    started = time.monotonic()
    with pytest.raises(ServerError, match="not ready within 8 s|exited with") as failed:
        server.start()
    assert time.monotonic() - started < 8 + server.stop_timeout + 5
    assert "    | " in str(failed.value)  # the tail of the log
    assert server.proc is None


def test_a_forced_stop_kills_the_group_and_what_it_left_in_its_run_dir(tmp_path):
    server = GunicornServer({"CACHE": "on", "REDIS_URL": ""}, workers=1, workdir=tmp_path, stop_timeout=0.001)
    try:
        server.start()
        master = server.proc.pid
        assert _eventually(lambda: _naming(server.run_dir)), "the embedded redis-server runs under RUN_DIR"
        started = time.monotonic()
    finally:
        server.stop()
    assert server.forced and time.monotonic() - started < 10
    assert _eventually(lambda: not _group(master) and not _naming(server.run_dir))


def test_two_instances_on_one_host_share_no_control_socket(tmp_path):
    """gunicorn's control socket is one path per user: the second master would take it over, and stopping
    either would delete the other's. The service runs without one."""
    home = tmp_path / "home"
    home.mkdir()
    servers = [GunicornServer({"HOME": str(home), "XDG_RUNTIME_DIR": ""}, workers=1, workdir=tmp_path / name,
                              name=name) for name in ("one", "two")]
    try:
        for server in servers:
            server.start()
        for server in servers:
            assert server.request("GET", "/healthz")[0] == 200
            assert "Control socket" not in server.log_path.read_text()
        assert not list(home.rglob("*.ctl"))
    finally:
        for server in servers:
            server.stop()
