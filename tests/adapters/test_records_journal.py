"""The records writer: group commit, the local journal while the database is away, and its replay."""

import datetime as dt
import threading

import pytest

from incentive_api.adapters.records import GroupCommit, NotRecorded, Record, RecordStore
from incentive_api.adapters.records.journal import Journal
from incentive_api.adapters.records.writer import COMMITTED, JOURNALED
from support.helpers import wait_for

AT = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.timezone.utc)


def record(n: int, key: str = "billing") -> Record:
    did = f"{n:032x}"
    answer = (b'{"decision_id":"' + did.encode() + b'","as_of":"2026-03-02","ruleset":{"revision":"r1"},'
              b'"vessel":{"imo":"9619907"},"programs":[{"program":"p","edition":"e","status":"eligible",'
              b'"level":"x","total":{"amount":"600.00","currency":"USD"}}]}')
    return Record(did, answer, '{"call":{"port":"USLGB"},"vessel":{"imo":"9619907"}}', key, AT)


@pytest.fixture
def store(tmp_path):
    s = RecordStore(f"sqlite:///{tmp_path / 'records.sqlite3'}")
    s.migrate()
    return s


def test_concurrent_requests_share_commits_and_every_one_is_readable(store, tmp_path):
    writer = GroupCommit(store, Journal(tmp_path / "journal"))
    outcomes = []
    threads = [threading.Thread(target=lambda n=n: outcomes.append(writer.record([record(n)]))) for n in range(64)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert outcomes == [COMMITTED] * 64
    assert all(store.get(f"{n:032x}") == record(n).answer for n in range(64))


def test_journaled_while_the_database_is_away_then_replayed(store, tmp_path):
    journal = Journal(tmp_path / "journal")
    away = GroupCommit(RecordStore("sqlite:////proc/no-such-folder/records.sqlite3"), journal, backoff_seconds=60)
    assert away.record([record(1), record(2)]) == JOURNALED
    assert away.record([record(3)]) == JOURNALED and away.degraded
    assert journal.pending() == 3 and store.get(record(1).decision_id) is None
    back = GroupCommit(store, journal)  # another process, or the same one once the database is back
    assert back.record([record(4)]) == COMMITTED  # then the writer replays what waits in the journal
    wait_for(lambda: journal.pending() == 0 and back.replayed == 3, 5, "the journal replayed")
    assert all(store.get(f"{n:032x}") == record(n).answer for n in (1, 2, 3, 4))


def test_a_full_journal_refuses_rather_than_losing(tmp_path):
    journal = Journal(tmp_path / "journal", max_bytes=600)
    away = GroupCommit(RecordStore("sqlite:////proc/no-such-folder/records.sqlite3"), journal, backoff_seconds=60)
    assert away.record([record(1)]) == JOURNALED
    with pytest.raises(NotRecorded):
        away.record([record(2), record(3)])
    assert journal.pending() == 1


def test_replay_is_idempotent(store, tmp_path):
    journal = Journal(tmp_path / "journal")
    journal.append([record(1), record(1, key="other"), record(2)])
    store.write([record(1)])  # written before the journal was replayed
    assert journal.replay(store.write) == 3
    assert store.count() == 2 and journal.pending() == 0


def test_a_torn_line_is_set_aside_and_the_rest_replayed(store, tmp_path):
    journal = Journal(tmp_path / "journal")
    journal.append([record(1), record(2)])
    with open(next((tmp_path / "journal").glob("*.jsonl")), "ab") as f:
        f.write(b'{"decision_id": "torn by a cras')  # a process killed mid-append
    assert journal.replay(store.write) == 2
    assert store.count() == 2 and journal.pending() == 0
    assert next((tmp_path / "journal").glob("*.unreadable")).read_bytes().startswith(b'{"decision_id": "torn')
