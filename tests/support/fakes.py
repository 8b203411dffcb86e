"""Fakes the service tests hand to the container: a shared store that stands where Redis would, and a records
store and writer that keep records in lists. What they replace is tested for real elsewhere (tests/live/)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from incentive_api.adapters.records import PlanRecord, Record
from incentive_api.adapters.redis.store import Unavailable
from incentive_api.config import Settings
from incentive_api.service.container import build_services
from incentive_api.service.recording import Recorder
from support.helpers import RULES


class FakeShared:
    """What the answer cache and the publication board ask of Redis, in a dict; `down` makes every call fail."""

    def __init__(self):
        self.data: dict = {}
        self.gets = self.mgets = 0
        self.down = False
        self.degraded = False

    def _check(self):
        if self.down:
            raise Unavailable("down")

    def get(self, key):
        self._check()
        self.gets += key.startswith("incentive:answer:")  # answers read, not the rules marker
        return self.data.get(key)

    def set(self, key, value):
        self._check()
        self.data[key] = value.encode() if isinstance(value, str) else value

    def expire(self, key, seconds):
        self._check()
        self.expiring = {**getattr(self, "expiring", {}), key: seconds}

    def mget(self, keys):
        self._check()
        self.mgets += 1
        return [self.data.get(k) for k in keys]

    def put_later(self, items):
        if not self.down:
            for key, value, _ttl in items:
                self.data[key] = value

    def ping(self):
        return not self.down


class FakeRecordStore:
    """What the recorder reads back, from what the fake writer was given."""

    kind = "fake"

    def __init__(self, writer: FakeWriter):
        self.writer = writer

    def get(self, decision_id, key_name=None):
        return None  # nothing reaches this database: what the writer was given is "in the journal"

    def get_plan(self, plan_id, key_name=None):
        found = [p.answer for p in self.writer.plans if p.plan_id == plan_id and key_name in (None, p.key_name)]
        return found[0] if found else None


class FakeWriter:
    """Group commit in a list: every batch of records it was given, and COMMITTED."""

    degraded = False
    committed = journaled = replayed = refused = 0

    class journal:  # noqa: N801  what a test puts in `held` is journaled, not yet in the database
        held: set = set()

        @classmethod
        def pending(cls):
            return len(cls.held)

        @classmethod
        def holds(cls, field, value, key_name):
            return value in cls.held

    def __init__(self):
        self.batches: list = []
        self.journal = type("journal", (FakeWriter.journal,), {"held": set()})

    def record(self, records):
        self.batches.append(list(records))
        return "committed"

    def ensure_running(self):
        pass

    @property
    def records(self) -> list:
        """The decisions' records given, in order."""
        return [r for batch in self.batches for r in batch if isinstance(r, Record)]

    @property
    def plans(self) -> list:
        return [r for batch in self.batches for r in batch if isinstance(r, PlanRecord)]


AT = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.timezone.utc)


def services(tmp_path, shared: FakeShared | None = None, **settings):
    """The container's services over the real rules, a fake Redis (when given) and fake records."""
    writer = FakeWriter()
    recorder = Recorder(FakeRecordStore(writer), writer, now=lambda: AT)
    config = dataclasses.replace(Settings(), **{"rules_dir": RULES, "run_dir": tmp_path, "redis_url": None,
                                                "receipt_keys_file": tmp_path / "receipt-keys.json", **settings})
    svc = build_services(config, recorder=recorder, shared_store=shared)
    svc.deciding.today = lambda: dt.date(2026, 6, 1)
    return svc, writer
