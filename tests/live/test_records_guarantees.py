"""What the decision records promise, checked on real gunicorns over SQLite and a real PostgreSQL: an
answer is readable on any instance as soon as it is sent, a crash of the whole service loses none, Redis
holds no record, an unreachable database costs no answer, and only the purge job removes records."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import uuid

import httpx
import pytest
import redis
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from incentive_api.adapters.records import Record, RecordStore
from incentive_api.adapters.records.store import database_url
from incentive_api.adapters.redis.embedded import redis_dir
from incentive_api.testing import GunicornServer
from support.helpers import AUTH, CLIENT_KEY, ROOT, wait_for
from support.records import (
    bodies,
    crash,
    mismatches,
    post_all,
    read_back,
    records_health,
)

CLIENT = {"Authorization": f"Bearer {CLIENT_KEY}"}
STORES = ["sqlite", "postgresql"]


@pytest.fixture(params=STORES)
def store_url(request, tmp_path) -> str:
    """One records database for every instance a test starts."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'records.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def instances(tmp_path):
    """start(name, env): a real gunicorn (2 workers, its own embedded redis-server, no rate limit) in a
    directory of its own; every one started is stopped at the end, whatever happened."""
    started: list[GunicornServer] = []

    def start(name: str, env: dict) -> GunicornServer:
        server = GunicornServer({"LOG_LEVEL": "warning", "RATE_LIMIT": "off", **env}, workers=2,
                                workdir=tmp_path / name, name=name, unset=["REDIS_URL", "DATABASE_URL"])
        started.append(server)
        return server.start(timeout=30)

    yield start
    for server in started:
        server.stop()


def answered(results) -> dict[str, bytes]:
    return {r.decision_id: r.answer for r in results}


def assert_all_recorded(results, how: str = "committed") -> None:
    wrong = [(r.status, r.record, r.answer[:200]) for r in results if r.status != 200 or r.record != how]
    assert not wrong, f"{len(wrong)} of {len(results)} not 200 with X-Record: {how}, e.g. {wrong[:3]}"
    assert len({r.decision_id for r in results}) == len(results), "the bodies were meant to be distinct decisions"


def test_a_decision_answered_by_one_instance_is_readable_at_once_on_another(store_url, instances):
    a = instances("a", {"DATABASE_URL": store_url})
    b = instances("b", {"DATABASE_URL": store_url})
    assert a.redis_pids() and b.redis_pids() and a.redis_pids() != b.redis_pids()  # no shared Redis
    reads: dict[str, tuple[int, bytes]] = {}

    def read_on_b(client):
        def then(one):
            if one.decision_id:
                r = client.get(f"{b.url}/v1/decisions/{one.decision_id}")
                reads[one.decision_id] = (r.status_code, r.content)
        return then

    with httpx.Client(headers=CLIENT, timeout=15) as reader:
        started = time.monotonic()
        results = post_all(a.url, CLIENT, bodies(1000, seed=101), threads=6, then=read_on_b(reader))
        took = time.monotonic() - started
    assert_all_recorded(results)
    missing = mismatches(answered(results), reads)
    assert not missing, f"{len(missing)} of 1000 not read back on B at once, e.g. {missing[:3]}"
    print(f"{store_url.split(':')[0].split('+')[0]}: 1000 POST on A + GET on B in {took:.1f} s")


def test_nothing_answered_is_lost_when_the_whole_service_is_killed(store_url, instances):
    first = instances("first", {"DATABASE_URL": store_url})
    results = post_all(first.url, CLIENT, bodies(300, seed=202), threads=4)
    crash(first)  # right after the last answer: master, workers and redis-server at once
    assert_all_recorded(results)

    # A new instance on the same database, with a run directory (and a redis-server) of its own.
    second = instances("second", {"DATABASE_URL": store_url})
    missing = mismatches(answered(results), read_back(second.url, CLIENT, [r.decision_id for r in results]))
    assert not missing, f"{len(missing)} of 300 lost in the crash, e.g. {missing[:3]}"


def test_redis_holds_no_record_killed_or_flushed_mid_run(store_url, instances):
    server = instances("service", {"DATABASE_URL": store_url})
    (redis_pid,) = server.redis_pids()
    requests = bodies(300, seed=303)
    results = post_all(server.url, CLIENT, requests[:100], threads=4)
    os.kill(redis_pid, signal.SIGKILL)
    results += post_all(server.url, CLIENT, requests[100:200], threads=4)
    wait_for(lambda: server.redis_pids() - {redis_pid}, 10, "the embedded redis-server restarted")
    flush = redis.Redis(unix_socket_path=str(redis_dir(server.run_dir) / "redis.sock"), socket_timeout=2)
    wait_for(lambda: _flushed(flush), 10, "FLUSHALL on the restarted redis-server")
    results += post_all(server.url, CLIENT, requests[200:], threads=4)
    assert_all_recorded(results)

    assert _flushed(flush)
    flush.close()
    missing = mismatches(answered(results), read_back(server.url, CLIENT, [r.decision_id for r in results]))
    assert not missing, f"{len(missing)} of 300 unreadable once Redis was emptied, e.g. {missing[:3]}"


def _flushed(client: redis.Redis) -> bool:
    try:
        return bool(client.flushall())
    except redis.RedisError:
        return False


def test_while_postgresql_is_down_answers_are_journaled_then_replayed(postgres_server, postgres_url, instances):
    server = instances("service", {"DATABASE_URL": postgres_url})
    requests = bodies(260, seed=404)
    before = post_all(server.url, CLIENT, requests[:60], threads=4)
    assert_all_recorded(before)

    postgres_server.kill()
    try:
        started = time.monotonic()
        during = post_all(server.url, CLIENT, requests[60:], threads=4)
        answering = time.monotonic() - started
        assert_all_recorded(during, "journaled")
        health = wait_for(lambda: _journaling(server), 5, "/readyz saying journaling")
        assert health["journal_pending"] == len(during), health
    finally:
        postgres_server.start()
    restarted = time.monotonic()
    wait_for(lambda: records_health(server)["journal_pending"] == 0, 20, "the journal replayed")
    replay = time.monotonic() - restarted

    journaled = answered(during)
    missing = mismatches(journaled, read_back(server.url, CLIENT, list(journaled)))
    assert not missing, f"{len(missing)} of {len(journaled)} journaled answers not read back, e.g. {missing[:3]}"
    engine = sa.create_engine(postgres_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            rows = dict(conn.execute(sa.text("SELECT decision_id, answer FROM decisions WHERE decision_id IN :ids")
                                     .bindparams(sa.bindparam("ids", expanding=True)), {"ids": list(journaled)}).all())
    finally:
        engine.dispose()
    assert {did: bytes(answer) for did, answer in rows.items()} == journaled
    print(f"postgresql down: {len(during)} answers journaled in {answering:.1f} s; replayed {replay:.1f} s after "
          f"the restart")
    # Once the database is back and nothing is pending, /readyz says so without waiting for new traffic.
    wait_for(lambda: all(records_health(server)["state"] == "ok" for _ in range(4)), 5,
             "/readyz back to records state ok after the replay")


def _journaling(server) -> dict | None:
    health = records_health(server)
    return health if health["state"] == "journaling" and health["journal_pending"] > 0 else None


def test_only_the_purge_job_removes_records_and_only_those_past_the_days_kept(store_url, instances):
    server = instances("service", {"DATABASE_URL": store_url})
    fresh = post_all(server.url, CLIENT, bodies(20, seed=505), threads=2)
    assert_all_recorded(fresh)
    now = dt.datetime.now(dt.UTC)
    template = json.loads(fresh[0].answer)

    def old(days: float, key: str = "test-client", did: str | None = None) -> Record:
        did = did or uuid.uuid4().hex
        answer = json.dumps({**template, "decision_id": did}, separators=(",", ":")).encode()
        return Record(did, answer, "{}", key, now - dt.timedelta(days=days))

    expired = [old(40) for _ in range(10)]
    kept = [old(20) for _ in range(10)]
    # One decision served to the client 40 days ago and to the operator yesterday: the client's record
    # goes, the operator's stays.
    shared = old(40)
    store = RecordStore(database_url(store_url, server.run_dir))
    try:
        store.write([*expired, *kept, shared, old(1, "test-operator", shared.decision_id)])
    finally:
        store.engine().dispose()
    everything = {**answered(fresh), **{r.decision_id: r.answer for r in [*expired, *kept, shared]}}
    assert not mismatches(everything, read_back(server.url, AUTH, list(everything)))

    # Nothing but the purge removes a record: an emptied Redis does not.
    socket = str(redis_dir(server.run_dir) / "redis.sock")
    with redis.Redis(unix_socket_path=socket, socket_timeout=2) as cache:
        assert cache.flushall()
    assert not mismatches(everything, read_back(server.url, AUTH, list(everything)))

    out = _purge(server, store_url, days=30)
    assert out.startswith("removed 10 decision record(s)"), out
    after = read_back(server.url, AUTH, list(everything))
    assert {did for did, (status, _) in after.items() if status == 404} == {r.decision_id for r in expired}
    survivors = {did: answer for did, answer in everything.items() if did not in {r.decision_id for r in expired}}
    assert not mismatches(survivors, after)
    assert server.request("GET", f"/v1/decisions/{shared.decision_id}", headers=CLIENT)[0] == 404
    assert _purge(server, store_url, days=30).startswith("removed 0 decision record(s)")


def _purge(server, store_url: str, days: int) -> str:
    env = {**os.environ, "DATABASE_URL": store_url, "RUN_DIR": str(server.run_dir)}
    done = subprocess.run([sys.executable, "-m", "incentive_api", "records", "purge", "--days", str(days)],
                          check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout


PLAN_VESSEL = {"type": "container", "gross_tonnage": 194849, "engines": [{"role": "main", "imo_nox_tier": 3}],
               "esi": {"score": 56, "nox_valid": True, "sox_valid": True, "valid_until": "2027-12-31"}}
PLAN_CALLS = [{"port": "USLGB", "arrival": f"2026-0{m}-02"} for m in (3, 4, 5)]


def _fresh_imo() -> str:
    from incentive_api.core.imo import imo_check_digit
    first_six = f"{uuid.uuid4().int % 900_000 + 100_000}"
    return first_six + str(imo_check_digit(first_six))


class _DatabaseAway:
    """The records database unreachable (PostgreSQL killed) or refusing writes (SQLite locked by another
    connection), until `back()`."""

    def __init__(self, store_url: str, request):
        self.store_url, self.request = store_url, request
        self.lock = None
        if store_url.startswith("sqlite"):
            import sqlite3
            self.lock = sqlite3.connect(store_url.removeprefix("sqlite:///"), isolation_level=None)
            self.lock.execute("BEGIN EXCLUSIVE")
        else:
            request.getfixturevalue("postgres_server").kill()

    def back(self) -> None:
        if self.lock is not None:
            self.lock.rollback()
            self.lock.close()
        else:
            self.request.getfixturevalue("postgres_server").start()


def test_a_plan_is_kept_whole_or_refused_leaving_nothing(store_url, instances, request):
    """While the database is away, a plan's calls and the plan are journaled together and answered; where not
    even the journal can take them, the plan is refused and no record of its calls ever appears, not after the
    database is back and the journal replayed either."""
    kept = instances("kept", {"DATABASE_URL": store_url})
    full = instances("full", {"DATABASE_URL": store_url, "RECORDS_JOURNAL_MB": "0"})
    for server in (kept, full):  # the schema is made while the database is there
        assert server.request("GET", "/readyz")[0] == 200
    kept_imo, refused_imo = _fresh_imo(), _fresh_imo()  # the database may be shared with other tests
    away = _DatabaseAway(store_url, request)
    try:
        with httpx.Client(timeout=30, headers={**CLIENT, "Content-Type": "application/json"}) as client:
            answered = client.post(kept.url + "/v1/plans", json={"vessel": {**PLAN_VESSEL, "imo": kept_imo},
                                                                "calls": PLAN_CALLS})
            refused = client.post(full.url + "/v1/plans", json={"vessel": {**PLAN_VESSEL, "imo": refused_imo},
                                                                "calls": PLAN_CALLS})
            # A journaled record read back before it reaches the database: pending (503), never "unknown".
            early = client.get(kept.url + f"/v1/decisions/{answered.json()['calls'][0]['decision_id']}")
            assert early.status_code == 503 and early.headers["Retry-After"], early.text
    finally:
        away.back()
    assert answered.status_code == 200 and answered.headers["X-Record"] == "journaled", answered.text[:300]
    assert refused.status_code == 503 and refused.headers["Retry-After"]
    wait_for(lambda: records_health(kept)["journal_pending"] == 0, 30, "the journal replayed")
    plan = answered.json()
    with httpx.Client(base_url=kept.url, headers=AUTH, timeout=10) as client:
        assert client.get(f"/v1/plans/{plan['plan_id']}").content == answered.content
        for call in plan["calls"]:
            assert client.get(f"/v1/decisions/{call['decision_id']}").status_code == 200
        assert client.get("/v1/decisions", params={"imo": refused_imo}).json()["records"] == []
        assert len(client.get("/v1/decisions", params={"imo": kept_imo}).json()["records"]) == len(PLAN_CALLS)
