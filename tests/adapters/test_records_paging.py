"""Reconciliation pages follow the order records were committed: a record journaled while the database was
away, replayed late with an earlier served time, is on a later page, never behind a cursor already passed;
and a database from before that order (schema 2) is numbered in served order and pages on from old cursors."""

import base64
import datetime as dt
import sqlite3
import uuid

import orjson
import pytest
import sqlalchemy as sa

from incentive_api.adapters.records import GroupCommit, Record, RecordStore
from incentive_api.adapters.records.journal import Journal
from incentive_api.adapters.records.schema import MIGRATIONS
from incentive_api.service.reconciling import Reconciling
from incentive_api.service.recording import Recorder

AT = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.timezone.utc)


def record(n: int, at: dt.datetime, key: str = "billing") -> Record:
    did = f"{n:032x}"
    answer = (b'{"decision_id":"' + did.encode() + b'","as_of":"2026-03-02","ruleset":{"revision":"r1"},'
              b'"vessel":{"imo":"9619907"},"programs":[]}')
    return Record(did, answer, '{"call":{"port":"USLGB"},"vessel":{"imo":"9619907"}}', key, at)


def pages(reconciling: Reconciling, key: str, limit: int = 2):
    cursor, seen = None, []
    while True:
        rows, cursor = reconciling.find({"limit": str(limit), **({"cursor": cursor} if cursor else {})}, key)
        seen += [r["decision_id"] for r in rows]
        yield rows, cursor
        if cursor is None:
            return


def _paging_sees_a_late_replay(store: RecordStore, tmp_path) -> None:
    key = f"paging-{uuid.uuid4().hex[:8]}"  # this test's records only, in a database others may share
    store.write([record(n, AT + dt.timedelta(minutes=n), key) for n in range(1, 6)])
    journal = Journal(tmp_path / "journal")
    late = record(99, AT - dt.timedelta(hours=1), key)  # served first, while the database was away
    journal.append([late])
    reconciling = Reconciling(Recorder(store, GroupCommit(store, journal)))
    walk = pages(reconciling, key)
    first, cursor = next(walk)
    assert [r["decision_id"] for r in first] == [f"{n:032x}" for n in (1, 2)] and cursor
    assert journal.replay(store.write) == 1  # the database is back: the journal is replayed mid-paging
    rest = [r["decision_id"] for rows, _ in walk for r in rows]
    assert rest == [f"{n:032x}" for n in (3, 4, 5, 99)]


def test_a_record_replayed_during_paging_is_on_a_later_page_sqlite(tmp_path):
    store = RecordStore(f"sqlite:///{tmp_path / 'records.sqlite3'}")
    store.migrate()
    _paging_sees_a_late_replay(store, tmp_path)


@pytest.mark.live
def test_a_record_replayed_during_paging_is_on_a_later_page_postgresql(postgres_url, tmp_path):
    store = RecordStore(postgres_url)
    store.migrate()
    _paging_sees_a_late_replay(store, tmp_path)


def test_a_database_of_schema_2_is_numbered_in_served_order_and_old_cursors_page_on(tmp_path):
    path = tmp_path / "records.sqlite3"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:  # as the service left it before records were numbered
        conn.execute(sa.text("CREATE TABLE schema_version (version INTEGER NOT NULL)"))
        conn.execute(sa.text("INSERT INTO schema_version VALUES (0)"))
    engine.dispose()
    old = RecordStore(f"sqlite:///{path}")
    with old.engine().begin() as conn:
        for steps in MIGRATIONS[:2]:
            for step in steps:
                step(conn)
        conn.execute(sa.text("UPDATE schema_version SET version = 2"))
        conn.execute(sa.text("ALTER TABLE decision_keys DROP COLUMN seq"))  # migration 1 makes today's shape
        for n in (3, 1, 2):
            conn.execute(sa.text("INSERT INTO decisions VALUES (:d, :at, 'r1', '2026-03-02', '9619907', 'USLGB', "
                                 "'{}', :a)"), {"d": f"{n:032x}", "at": AT.replace(tzinfo=None), "a": b"{}"})
            conn.execute(sa.text("INSERT INTO decision_keys (decision_id, key_name, first_at) VALUES (:d, 'k', :at)"),
                         {"d": f"{n:032x}", "at": (AT + dt.timedelta(minutes=n)).replace(tzinfo=None)})
    old.engine().dispose()
    store = RecordStore(f"sqlite:///{path}")
    assert store.migrate() == len(MIGRATIONS)
    numbered = sqlite3.connect(path).execute("SELECT decision_id, seq FROM decision_keys ORDER BY seq").fetchall()
    assert [d for d, _ in numbered] == [f"{n:032x}" for n in (1, 2, 3)]  # in the order they were served
    store.write([record(4, AT)])  # a new record comes after every old one
    reconciling = Reconciling(Recorder(store, None))
    old_cursor = base64.urlsafe_b64encode(orjson.dumps([(AT + dt.timedelta(minutes=1)).isoformat(),
                                                        f"{1:032x}", "k"])).decode().rstrip("=")
    rows, _ = reconciling.find({"cursor": old_cursor}, None)
    assert [r["decision_id"] for r in rows] == [f"{n:032x}" for n in (2, 3, 4)]
