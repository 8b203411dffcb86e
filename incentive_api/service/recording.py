"""Every answer served is recorded before it is sent: committed to the records database, or, while the
database is away, journaled locally and replayed when it is back. A repeat of a decision the same key
was already served (and that is committed) costs nothing."""

from __future__ import annotations

import datetime as dt

from ..adapters.lru import LRU
from ..adapters.records import (
    GroupCommit,
    NotRecorded,
    PlanRecord,
    Record,
    RecordQuery,
    RecordStore,
    RecordsUnavailable,
    RulesetRecord,
)
from ..adapters.records.writer import COMMITTED
from .clock import utc_now
from .served import Served

OFF = "off"
# The failures a caller of the records sees, named here so that adapters need not reach past this layer.
__all__ = ["OFF", "NotRecorded", "RecordPending", "Recorder", "RecordsOff", "RecordsUnavailable"]


class RecordsOff(Exception):
    """This service runs with RECORDS=off (benchmarks only): it keeps no decision records."""


class RecordPending(Exception):
    """The record was kept in this host's journal while the database was away, and is not in it yet."""


class Recorder:
    def __init__(self, store: RecordStore | None, writer: GroupCommit | None, known_size: int = 100_000,
                 known_seconds: float = 3600, now=utc_now):
        self.store, self.writer, self.now = store, writer, now
        self._known = LRU(known_size, known_seconds)  # (decision id, key) pairs committed by this process
        self._rules_kept: set[str] = set()  # revisions whose files this process has seen committed

    def start(self) -> None:
        if self.writer is not None:
            self.writer.ensure_running()

    def keep(self, served: list[Served], key_name: str, plan: tuple[str, bytes] | None = None,
             rules: tuple[str, tuple] | None = None) -> str:
        """Record what is about to be sent, with the plan (its id and answer) these are the calls of, all in
        one group: committed together, journaled together, or refused together (NotRecorded) leaving
        nothing. `rules` (revision, files): the ruleset they were decided under, whose files go in the same
        group until this process has seen them committed, so no record ever names rules that were not
        kept. Returns COMMITTED, JOURNALED or OFF."""
        if self.writer is None:
            return OFF
        now = self.now()
        fresh, seen = [], set()
        for s in served:
            pair = (s.decision_id, key_name)
            if pair not in seen and self._known.get(pair) is None:
                seen.add(pair)
                fresh.append(Record(s.decision_id, s.body, s.request.decode(), key_name, now, s.decision))
        if plan is not None:
            fresh.append(PlanRecord(plan[0], key_name, plan[1], now, rules[0] if rules else None))
        if not fresh:
            return COMMITTED  # nothing new of these answers to keep
        if rules is not None and rules[1] and rules[0] not in self._rules_kept:
            fresh.insert(0, RulesetRecord(rules[0], rules[1], now))  # before the records that name it
        outcome = self.writer.record(fresh)
        if outcome == COMMITTED:
            for pair in seen:
                self._known.put(pair, True)
            if rules is not None:
                self._rules_kept.add(rules[0])
        return outcome

    def rules(self, revision: str) -> list[tuple[str, str]] | None:
        """The files of a revision kept with the records, as published; None when none is kept."""
        return self._store().ruleset_files(revision)

    def plan(self, plan_id: str, key_name: str | None) -> bytes | None:
        """A plan's answer verbatim; `key_name` None for an operator, who reads every key's plans. Raises
        RecordPending for one still in the journal."""
        return self._kept_or_pending(self._store().get_plan, "plan_id", plan_id, key_name)

    def _kept_or_pending(self, read, field: str, value: str, key_name: str | None) -> bytes | None:
        found = read(value, key_name)
        if found is None and self.writer is not None and self.writer.journal.holds(field, value, key_name):
            raise RecordPending(value)
        return found

    def _store(self) -> RecordStore:
        if self.store is None:
            raise RecordsOff()
        return self.store

    def get(self, decision_id: str, key_name: str | None) -> bytes | None:
        """A past answer verbatim; `key_name` None for an operator, who sees every key's records. Raises
        RecordPending for one still in the journal."""
        return self._kept_or_pending(self._store().get, "decision_id", decision_id, key_name)

    def find(self, query: RecordQuery) -> list[dict]:
        return self._store().query(query)

    def sequence_of(self, decision_id: str, key_name: str) -> int | None:
        return self._store().sequence_of(decision_id, key_name)

    def requests(self, since: dt.datetime | None = None, limit: int = 100_000) -> list[str]:
        return self._store().requests(since, limit)

    def health(self) -> dict:
        if self.writer is None:
            return {"store": OFF}
        w = self.writer
        pending = w.journal.pending()  # in every process's file: what any worker of this host journaled
        return {"store": self.store.kind, "state": "journaling" if w.degraded or pending else "ok",
                "journal_pending": pending, "committed": w.committed, "journaled": w.journaled,
                "replayed": w.replayed, "refused": w.refused}
