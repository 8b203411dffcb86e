"""Group commit: a request waits until its record is committed (or journaled), and one transaction
commits every record waiting at that moment, so throughput holds while each answer is durable when sent."""

from __future__ import annotations

import logging
import os
import queue
import threading
import time

from .. import metrics
from .journal import Journal, JournalFull
from .model import Record
from .store import RecordStore, RecordsUnavailable

COMMITTED, JOURNALED = "committed", "journaled"
log = logging.getLogger("incentive_api.records")


class NotRecorded(Exception):
    """Neither the database nor the local journal could keep a record: its answer must not be sent."""


class _Pending:
    __slots__ = ("records", "done", "outcome")

    def __init__(self, records: list[Record]):
        self.records, self.done, self.outcome = records, threading.Event(), None


class GroupCommit:
    def __init__(self, store: RecordStore, journal: Journal, *, max_batch: int = 1000, wait_seconds: float = 10.0,
                 backoff_seconds: float = 1.0):
        self.store, self.journal = store, journal
        self.max_batch, self.wait_seconds, self.backoff = max_batch, wait_seconds, backoff_seconds
        self.committed = self.journaled = self.replayed = self.refused = 0
        self._queue: queue.Queue = queue.Queue()
        self._down_until = 0.0
        self._next_look = 0.0
        self._outage = False
        self._pid = None
        self._start_lock = threading.Lock()

    @property
    def degraded(self) -> bool:
        return self._outage

    def record(self, records: list[Record]) -> str:
        """Block until these records are committed (COMMITTED) or safe in the journal (JOURNALED)."""
        if not records:
            return COMMITTED
        self.ensure_running()
        pending = _Pending(records)
        self._queue.put(pending)
        if not pending.done.wait(self.wait_seconds) or pending.outcome is None:
            raise NotRecorded("the records writer did not answer in time")
        if isinstance(pending.outcome, Exception):
            raise NotRecorded(str(pending.outcome))
        return pending.outcome

    # -- the writer thread, one per process ----------------------------------------------------------
    def ensure_running(self) -> None:
        """Start this process's writer (threads do not survive a fork); it also replays a journal left
        by a process that died while the database was away."""
        if self._pid == os.getpid():
            return
        with self._start_lock:
            if self._pid != os.getpid():
                self._queue = queue.Queue()  # a queue inherited through fork may hold a dead thread's lock
                self._pid = os.getpid()  # only now: a request that sees this pid puts into the new queue
                threading.Thread(target=self._run, name="records-writer", daemon=True).start()

    def _run(self) -> None:
        while True:
            try:
                self._turn()
            except Exception:  # noqa: BLE001  the writer must outlive any surprise, or every answer waits
                log.exception("records writer turn failed")
                time.sleep(0.1)

    def _turn(self) -> None:
        try:
            first = self._queue.get(timeout=1.0)
        except queue.Empty:
            self._replay_if_due()
            return
        group = [first]
        count = len(first.records)
        while count < self.max_batch:
            try:
                more = self._queue.get_nowait()
            except queue.Empty:
                break
            group.append(more)
            count += len(more.records)
        try:
            self._keep(group)
        except Exception as exc:  # noqa: BLE001  never leave a request waiting on a dead thread
            log.exception("records writer failed")
            self._finish(group, exc)
        if not self._outage and time.monotonic() >= self._next_look:  # a journal left by a process that died
            self._next_look = time.monotonic() + 1.0
            self._replay_if_due()

    def _keep(self, group: list[_Pending]) -> None:
        records = [r for p in group for r in p.records]
        decisions = sum(isinstance(r, Record) for r in records)  # what the counts count: not plans or rules
        if time.monotonic() >= self._down_until:
            try:
                self.store.write(records)
            except RecordsUnavailable as exc:
                self._went_down(exc)
            else:
                self.committed += decisions
                metrics.records("committed", decisions)
                self._finish(group, COMMITTED)
                self._came_back()
                return
        try:
            self.journal.append(records)
        except (JournalFull, OSError) as exc:
            self.refused += decisions
            metrics.records("refused", decisions)
            log.error("records: %d cannot be kept, the database is away and %s", len(records), exc)
            self._finish(group, exc)
            return
        self.journaled += decisions
        metrics.records("journaled", decisions)
        self._finish(group, JOURNALED)

    @staticmethod
    def _finish(group: list[_Pending], outcome) -> None:
        for pending in group:
            if not pending.done.is_set():  # an outcome once given is never taken back
                pending.outcome = outcome
                pending.done.set()

    def _went_down(self, exc: Exception) -> None:
        self._down_until = time.monotonic() + self.backoff
        if not self._outage:
            self._outage = True
            log.warning("records database unavailable (%s); journaling locally, retrying every %.1fs",
                        exc, self.backoff)

    def _came_back(self) -> None:
        if self._outage:
            self._outage = False
            log.warning("records database reachable again; replaying the journal")
            self._replay_if_due()

    def _replay_if_due(self) -> None:
        """On an idle tick or after a commit: replay what the journal holds; while in an outage with
        nothing journaled, ask the database whether it is back, so the outage ends without new traffic."""
        if time.monotonic() < self._down_until:
            return
        if not any(self.journal.directory.glob("*.jsonl")):
            if self._outage and self.store.ping():
                self._came_back()
            return
        try:
            replayed = self.journal.replay(self.store.write)
        except RecordsUnavailable as exc:
            self._went_down(exc)
            return
        except OSError as exc:
            log.error("records journal replay failed: %s", exc)
            return
        if replayed:
            self.replayed += replayed
            metrics.records("replayed", replayed)
            log.warning("records: replayed %d from the journal", replayed)
        self._came_back()
