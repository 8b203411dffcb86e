"""Fakes the service tests hand to the container: a shared store that stands where Redis would, and a records
store and writer that keep records in lists. What they replace is tested for real elsewhere (tests/live/)."""

from __future__ import annotations

import dataclasses
import datetime as dt

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
    kind = "fake"

    def __init__(self):
        self.plans: dict = {}

    def put_plan(self, plan_id, key_name, answer, at):
        self.plans[(plan_id, key_name)] = (answer, at)

    def get_plan(self, plan_id, key_name=None):
        found = [a for (p, k), (a, _at) in self.plans.items() if p == plan_id and key_name in (None, k)]
        return found[0] if found else None


class FakeWriter:
    """Group commit in a list: every batch of records it was given, and COMMITTED."""

    degraded = False
    committed = journaled = replayed = refused = 0

    class journal:  # noqa: N801  nothing is ever journaled here
        @staticmethod
        def pending():
            return 0

    def __init__(self):
        self.batches: list = []

    def record(self, records):
        self.batches.append(list(records))
        return "committed"

    def ensure_running(self):
        pass

    @property
    def records(self) -> list:
        return [r for batch in self.batches for r in batch]


AT = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.timezone.utc)


def services(tmp_path, shared: FakeShared | None = None, **settings):
    """The container's services over the real rules, a fake Redis (when given) and fake records."""
    writer = FakeWriter()
    recorder = Recorder(FakeRecordStore(), writer, now=lambda: AT)
    config = dataclasses.replace(Settings(), **{"rules_dir": RULES, "run_dir": tmp_path, "redis_url": None,
                                                "receipt_keys_file": tmp_path / "receipt-keys.json", **settings})
    svc = build_services(config, recorder=recorder, shared_store=shared)
    svc.deciding.today = lambda: dt.date(2026, 6, 1)
    return svc, writer
