"""Publishing a reload so every worker and every instance converges on it.

A reload (the admin endpoint in one worker, or SIGHUP in the gunicorn master)
validates the whole rules directory first; only a good ruleset replaces the
active one. The outcome is published as a marker, in Redis when there is one
(shared by instances) and in a file in the run directory (shared by the workers
of one host). Every process polls the marker twice a second and reloads when
its generation changes, so all converge within about a second.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from pathlib import Path

from ..cache.store import RedisStore, Unavailable
from .clock import utc_now_text
from .rules import RulesState

MARKER_KEY = "incentive:rules:marker"
log = logging.getLogger("incentive_api.rules")


class RulesSync:
    def __init__(self, state: RulesState, store: RedisStore | None, run_dir: Path, interval: float = 0.5):
        self.state, self.store, self.interval = state, store, interval
        self.marker_file = Path(run_dir) / "rules-marker.json"
        self.seen = None  # generation of the last marker acted on
        self.last_failed: dict | None = None
        self._pid = None
        self._lock = threading.Lock()
        current = self._read()
        if current:
            self.seen = current.get("generation")
            self.last_failed = current.get("failed")

    # -- publishing ---------------------------------------------------------
    def reload(self) -> tuple[bool, list]:
        """Load the directory now; publish the outcome. Returns (ok, errors as RuleError)."""
        before = self.state.active.ruleset.revision if self.state.active else None
        ok = self.state.load()
        errors = list(self.state.last_errors)
        failed = None if ok else {"at": utc_now_text(), "errors": [str(e) for e in errors]}
        marker = {"generation": time.time_ns(), "failed": failed,
                  "revision": self.state.active.ruleset.revision if self.state.active else None,
                  "previous": before}
        self.seen, self.last_failed = marker["generation"], failed
        self._write(marker)
        log.warning("rules reload %s: revision %s", "published" if ok else "refused", marker["revision"])
        return ok, errors

    def _write(self, marker: dict) -> None:
        text = json.dumps(marker)
        try:
            self.marker_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.marker_file.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(text)
            tmp.replace(self.marker_file)  # atomic: a reader sees the old marker or the new one
        except OSError as exc:
            log.warning("cannot write %s: %s", self.marker_file, exc)
        if self.store is not None:
            try:
                self.store.set(MARKER_KEY, text)
            except Unavailable:
                pass

    # -- following ----------------------------------------------------------
    def _read(self) -> dict | None:
        candidates = []
        if self.store is not None:
            try:
                raw = self.store.get(MARKER_KEY)
                if raw:
                    candidates.append(json.loads(raw))
            except (Unavailable, ValueError):
                pass
        try:
            candidates.append(json.loads(self.marker_file.read_text()))
        except (OSError, ValueError):
            pass
        return max(candidates, key=lambda m: m.get("generation") or 0, default=None)

    def poll(self) -> None:
        marker = self._read()
        if not marker or marker.get("generation") == self.seen:
            return
        self.seen = marker.get("generation")
        self.last_failed = marker.get("failed")
        active = self.state.active
        if marker.get("revision") and (active is None or active.ruleset.revision != marker["revision"]):
            self.state.load()

    def ensure_following(self) -> None:
        """Start this process's poller (threads do not survive gunicorn's fork)."""
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid != os.getpid():
                self._pid = os.getpid()
                threading.Thread(target=self._follow, name="rules-sync", daemon=True).start()

    def _follow(self) -> None:
        while True:
            time.sleep(self.interval)
            try:
                self.poll()
            except Exception:  # the poller must outlive any surprise
                log.exception("rules sync poll failed")
