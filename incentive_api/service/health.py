"""Readiness: the rules are loaded, and what the cache, the records and the decision log are doing."""

from __future__ import annotations

from pathlib import Path

from ..adapters.answer_cache import AnswerCache
from ..adapters.decision_log import DecisionLog
from ..adapters.redis.embedded import embedded_status
from .problems import Problem
from .recording import Recorder
from .rules import RulesState

# What a caller loses while Redis is away; answers themselves go on, computed afresh.
DEGRADED = ["answers are computed without the shared cache (X-Cache: bypass)",
            "rate limits are counted per process",
            "rate limits on wrong keys are counted per process too"]


class Health:
    def __init__(self, rules: RulesState, cache: AnswerCache, recorder: Recorder, decision_log: DecisionLog,
                 run_dir: Path):
        self.rules, self.cache, self.recorder, self.decision_log = rules, cache, recorder, decision_log
        self.run_dir = run_dir

    def readiness(self) -> dict:
        """What /readyz answers; a 503 Problem (with the load's errors) while no rules are loaded."""
        active = self.rules.active
        if active is None:
            raise Problem(503, "Rules are not loaded.",
                          [{"pointer": "", "message": e} for e in (self.rules.last_error or [])][:50],
                          retry_after=5)
        cache = self.cache.health()
        body = {"status": "ready", "revision": active.ruleset.revision, "cache": cache}
        if cache == "degraded":
            body["degraded"] = DEGRADED
        embedded = embedded_status(self.run_dir)
        if embedded:
            body["embedded_redis"] = embedded
        body["records"] = self.recorder.health()
        log = self.decision_log
        body["decision_log"] = {"sink": log.sink, "written": log.written, "dropped": log.dropped}
        return body
