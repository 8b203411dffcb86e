"""The published rules in Redis, shared by every instance: the marker and one snapshot per revision.

One hash tag: on a Redis Cluster the marker and its snapshots live in one slot, so on one primary whose
replica receives them in the order written: a marker that survives a failover has its snapshot with it.
"""

from __future__ import annotations

from ..published_rules import Unreachable
from .store import RedisStore, Unavailable

MARKER_KEY = "incentive:{rules}:marker"
SNAPSHOT_KEY = "incentive:{rules}:snapshot:"
GRACE_SECONDS = 60  # how long a revision's snapshot outlives the publication of the next


class RedisBoard:
    def __init__(self, store: RedisStore):
        self.store = store

    def read_marker(self) -> str | None:
        """The marker's text, None when none is published; Unreachable when Redis cannot say."""
        return self._get(MARKER_KEY)

    def write_marker(self, text: str) -> None:
        self._set(MARKER_KEY, text)

    def read_snapshot(self, revision: str) -> str | None:
        return self._get(SNAPSHOT_KEY + revision)

    def write_snapshot(self, revision: str, text: str) -> None:
        self._set(SNAPSHOT_KEY + revision, text)

    def forget_snapshot(self, revision: str, after_seconds: int = GRACE_SECONDS) -> None:
        try:
            self.store.expire(SNAPSHOT_KEY + revision, after_seconds)
        except Unavailable:
            pass  # left for good: harmless, and the records database is what keeps old rules

    def _get(self, key: str) -> str | None:
        try:
            raw = self.store.get(key)
        except Unavailable as exc:
            raise Unreachable(str(exc)) from None
        return raw.decode() if isinstance(raw, bytes) else raw

    def _set(self, key: str, text: str) -> None:
        try:
            self.store.set(key, text)
        except Unavailable:
            pass  # the next publication, or the host's own board shared once Redis is back, carries it
