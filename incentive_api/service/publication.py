"""Publishing rules so that every worker and every instance serves the same revision.

A publication (the admin route in one worker, SIGHUP or start-up in the gunicorn
master) validates and tests the whole rules directory first; only a good ruleset
is published. It carries its files: a snapshot named by its revision, kept in
Redis when there is one (shared by instances) and in the run directory (shared by
the workers of one host), then a marker naming the revision. Every process, the
master included, polls the marker twice a second and activates exactly the
published snapshot, never whatever the directory holds by then: a worker started
after someone edited a file without publishing still serves the published revision.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time

from ..adapters.published_rules import FileBoard, Unreachable
from .clock import generation, utc_now_text
from .rules import RulesState

log = logging.getLogger("incentive_api.rules")


class RulesSync:
    def __init__(self, state: RulesState, host: FileBoard, shared=None, interval: float = 0.5, clock=generation):
        """`host`: this host's board (the run directory); `shared`: every instance's (Redis), or None;
        `clock`: nanoseconds of the wall clock, which a publication's generation starts from."""
        self.state, self.host, self.shared, self.interval = state, host, shared, interval
        self.clock = clock
        self.seen = None  # generation of the last marker acted on
        self.last_failed: dict | None = None
        self._pid = None
        self._new_lock()
        os.register_at_fork(after_in_child=self._new_lock)
        current = self._read()
        if current:
            self.seen = current.get("generation")
            self.last_failed = current.get("failed")

    def _new_lock(self) -> None:
        self._lock = threading.Lock()
        self._publishing = threading.RLock()

    def _boards(self) -> tuple:
        return (self.host,) if self.shared is None else (self.host, self.shared)

    # -- publishing ---------------------------------------------------------
    def reload(self) -> tuple[bool, list]:
        """Load and test the directory now; publish the outcome. Returns (ok, errors as RuleError)."""
        with self._publishing:  # never interleaved with following another publication
            before = self.state.active.ruleset.revision if self.state.active else None
            ok = self.state.load()
            errors = list(self.state.last_errors)
            self._publish(ok, errors, before)
            return ok, errors

    def publish_active(self) -> None:
        """Publish what this process serves now (start-up in the master: the revision every worker forks with)."""
        with self._publishing:
            if self.state.active is not None:
                self._publish(True, [], None)

    def _publish(self, ok: bool, errors: list, before: str | None) -> None:
        active = self.state.active
        if ok:
            text = json.dumps({"revision": active.ruleset.revision, "files": [list(f) for f in active.files]})
            for board in self._boards():
                board.write_snapshot(active.ruleset.revision, text)
        failed = None if ok else {"at": utc_now_text(), "errors": [str(e) for e in errors]}
        marker = {"generation": self._next_generation(), "failed": failed,
                  "revision": active.ruleset.revision if active else None, "previous": before}
        self.seen, self.last_failed = marker["generation"], failed
        for board in self._boards():
            board.write_marker(json.dumps(marker))
        if ok:
            self._forget_others(active.ruleset.revision, before)
        log.warning("rules %s: revision %s", "published" if ok else "refused", marker["revision"])

    def _next_generation(self) -> int:
        """Later than every publication seen: the wall clock's nanoseconds, unless a publication from a host
        whose clock runs ahead is newer, then one past it; so clock skew between hosts never orders a
        publication before the one it follows."""
        newest = max(self.seen or 0, ((self._read() or {}).get("generation") or 0))
        return max(self.clock(), newest + 1)

    def _forget_others(self, revision: str, before: str | None) -> None:
        """Workers need only the published revision's files (the records database keeps every revision a
        record names): this host's other snapshots go now, the previous one in Redis after a grace period
        (an instance that read the old marker a moment ago may still be reading it)."""
        self.host.forget_snapshots(keep=revision)
        if self.shared is not None and before and before != revision:
            self.shared.forget_snapshot(before)

    # -- following ----------------------------------------------------------
    def _read(self) -> dict | None:
        shared = None
        reached = self.shared is None  # no shared board: this host's is the whole story
        if self.shared is not None:
            try:
                raw = self.shared.read_marker()
                reached = True
                shared = json.loads(raw) if raw else None
            except (Unreachable, ValueError):
                pass
        self._shared_reached = reached
        local = _parsed(self.host.read_marker())
        if self.shared is not None and reached and local and \
                (local.get("generation") or 0) > ((shared or {}).get("generation") or 0):
            self._share(local)  # published here while Redis was away: the other instances learn it now
        return max((m for m in (shared, local) if m), key=lambda m: m.get("generation") or 0, default=None)

    def _share(self, marker: dict) -> None:
        revision = marker.get("revision")
        if revision and not marker.get("failed"):
            snapshot = self.host.read_snapshot(revision)
            if snapshot is None:
                return
            self.shared.write_snapshot(revision, snapshot)
        self.shared.write_marker(json.dumps(marker))

    def _snapshot(self, revision: str) -> list | None:
        """The published files of a revision, from Redis or the run directory; None when neither has them."""
        texts = []
        for board in reversed(self._boards()):  # the shared board first
            try:
                texts.append(board.read_snapshot(revision))
            except Unreachable:
                pass
        for text in texts:
            snapshot = _parsed(text)
            if snapshot and snapshot.get("revision") == revision:
                return [tuple(f) for f in snapshot["files"]]
        return None
    def poll(self) -> None:
        marker = self._read()
        # Only a newer publication counts: a marker that cannot be read for a moment (Redis away, so only
        # this host's file is seen) must never take a process back to an older revision.
        if not marker or (marker.get("generation") or 0) <= (self.seen or 0):
            return
        with self._publishing:
            if (marker.get("generation") or 0) <= (self.seen or 0):  # a reload here published meanwhile
                return
            revision, active = marker.get("revision"), self.state.active
            if revision and (active is None or active.ruleset.revision != revision):
                files = self._snapshot(revision)
                if files is None or not self.state.activate(files, revision):
                    # Not acted on: the next poll tries again; meanwhile the last revision held keeps serving.
                    log.error("rules: the published revision %s cannot be had yet; still serving %s", revision,
                              active.ruleset.revision if active else None)
                    return
            self.seen = marker.get("generation")
            self.last_failed = marker.get("failed")

    def start(self, publish: bool = False) -> str:
        """At start (in the gunicorn master, before workers fork), then follow later publications; returns
        what it did. A revision already published is adopted, whatever the directory holds now: in a
        rolling update a new pod reading an edited but unpublished directory must not move every instance
        to it (only a reload publishes). The directory is published only when nothing is published yet,
        or with `publish` (RULES_AT_START=publish). While the shared board cannot be read, the directory is
        served here unpublished until the board says what is published."""
        with self._publishing:
            marker = self._read()
            revision = (marker or {}).get("revision")
            active = self.state.active
            if active is not None and (publish or (not revision and self._shared_reached)):
                self._publish(True, [], None)
                done = "published"
            elif not revision:
                done = "nothing to serve" if active is None else "serving the directory unpublished"
                if active is not None:
                    log.warning("rules: the shared board cannot be read; serving the directory's revision %s "
                                "unpublished until it can", active.ruleset.revision)
            else:
                self.seen = None
                self.poll()  # activates the published snapshot, or only notes it when it is what is active
                now = self.state.active
                done = "adopted" if now is not None and now.ruleset.revision == revision else \
                    "serving the directory unpublished"
                if done == "adopted" and active is not None and active.ruleset.revision != revision:
                    log.warning("rules: serving the published revision %s; the directory holds %s, which a "
                                "reload (POST /v1/admin/rules/reload or SIGHUP) publishes", revision,
                                active.ruleset.revision)
        self.ensure_following()
        return done

    def ensure_following(self) -> None:
        """Follow publications in this process (threads do not survive gunicorn's fork). The first call in
        a process polls at once, so a new worker's first answer already uses the published revision."""
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid != os.getpid():
                self._pid = os.getpid()
                self._poll_safely()
                threading.Thread(target=self._follow, name="rules-sync", daemon=True).start()

    def _poll_safely(self) -> None:
        try:
            self.poll()
        except Exception:  # the poller must outlive any surprise
            log.exception("rules sync poll failed")

    def _follow(self) -> None:
        while True:
            time.sleep(self.interval)
            self._poll_safely()


def _parsed(text: str | None) -> dict | None:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None
