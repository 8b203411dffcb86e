"""The rule files a record names are kept with it, in the same group, and purged with the last record or plan
that names their revision, never before."""

import datetime as dt

import pytest

from incentive_api.adapters.records import PlanRecord, Record, RecordStore, RulesetRecord

AT = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.timezone.utc)
FILES = (("a.yaml", "program: a\n"), ("sources.yaml", "sources: []\n"))


def decision(n: int, revision: str, at: dt.datetime) -> Record:
    did = f"{n:032x}"
    answer = (b'{"decision_id":"' + did.encode() + b'","as_of":"2026-03-02","ruleset":{"revision":"'
              + revision.encode() + b'"},"vessel":{"imo":"9619907"},"programs":[]}')
    return Record(did, answer, '{"vessel":{"imo":"9619907"}}', "k", at)


def test_rules_outlive_no_record_and_every_record_keeps_its_rules(tmp_path):
    store = RecordStore(f"sqlite:///{tmp_path / 'records.sqlite3'}")
    store.migrate()
    old, planned, recent = "1" * 16, "2" * 16, "3" * 16
    store.write([RulesetRecord(old, FILES, AT), decision(1, old, AT)])
    store.write([RulesetRecord(planned, FILES, AT), PlanRecord("p" * 32, "k", b"{}", AT + dt.timedelta(days=2),
                                                               planned)])
    store.write([RulesetRecord(recent, FILES, AT), decision(2, recent, AT + dt.timedelta(days=2))])
    store.write([RulesetRecord(old, (("other.yaml", "x"),), AT)])  # kept as first kept: a revision is its files
    assert store.ruleset_files(old) == sorted(FILES)
    assert store.purge(AT + dt.timedelta(days=1)) == 1  # the old decision goes, and its rules with it
    assert store.ruleset_files(old) is None
    assert store.ruleset_files(planned) == sorted(FILES)  # a kept plan names it
    assert store.ruleset_files(recent) == sorted(FILES)
    store.purge(AT + dt.timedelta(days=3))
    assert store.ruleset_files(planned) is None and store.ruleset_files(recent) is None


def test_a_journaled_ruleset_replays_with_its_records(tmp_path):
    from incentive_api.adapters.records.journal import Journal
    journal = Journal(tmp_path / "journal")
    journal.append([RulesetRecord("4" * 16, FILES, AT), decision(3, "4" * 16, AT)])
    store = RecordStore(f"sqlite:///{tmp_path / 'records.sqlite3'}")
    store.migrate()
    assert journal.replay(store.write) == 1  # one decision's record (its rules came with it)
    assert store.ruleset_files("4" * 16) == sorted(FILES)


def _race_purge_against_a_re_serve(store: RecordStore, rounds: int = 40) -> None:
    import threading

    import sqlalchemy as sa
    for n in range(rounds):
        did = 10_000 + n
        store.write([decision(did, "5" * 16, AT)])  # served long ago to "k": past its retention
        again = Record(f"{did:032x}", decision(did, "5" * 16, AT).answer, '{"vessel":{"imo":"9619907"}}', "k2",
                       dt.datetime.now(dt.timezone.utc))
        threads = [threading.Thread(target=store.purge, args=(AT + dt.timedelta(days=1),)),
                   threading.Thread(target=store.write, args=([again],))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with store.engine().connect() as conn:
            dangling = conn.execute(sa.text(
                "SELECT COUNT(*) FROM decision_keys k WHERE NOT EXISTS "
                "(SELECT 1 FROM decisions d WHERE d.decision_id = k.decision_id)")).scalar()
        assert dangling == 0, f"round {n}: a record of a re-served decision lost its answer to the purge"
        assert store.get(f"{did:032x}", "k2") is not None


def test_a_purge_never_takes_the_answer_of_a_decision_served_again_meanwhile_sqlite(tmp_path):
    store = RecordStore(f"sqlite:///{tmp_path / 'records.sqlite3'}")
    store.migrate()
    _race_purge_against_a_re_serve(store)


@pytest.mark.live
def test_a_purge_never_takes_the_answer_of_a_decision_served_again_meanwhile_postgresql(postgres_url):
    store = RecordStore(postgres_url)
    store.migrate()
    _race_purge_against_a_re_serve(store)
