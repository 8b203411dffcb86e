"""Voyage plans: decide every call of a schedule, record each decision, and keep the plan's answer.

Each call is decided by the deciding service as a batch item would be, so its decision id is the one
POST /v1/eligibility gives the same call, and it is readable at GET /v1/decisions/{id}.
"""

from __future__ import annotations

import time

import orjson

from ..core.jsonwire import loads
from ..core.plans import call_pointer, parse_plan, plan_id, summarise
from .deciding import Answer, DecisionService
from .recording import Recorder


class PlanService:
    def __init__(self, deciding: DecisionService, recorder: Recorder):
        self.deciding, self.recorder = deciding, recorder

    def plan(self, body: bytes, key_name: str = "") -> Answer:
        """A plan body as sent; raises MalformedJson or InvalidRequest (pointers into the plan: /calls/17/port),
        NotRecorded or RecordsUnavailable when its records cannot be kept."""
        started = time.perf_counter()
        self.deciding.ruleset()
        options, requests = parse_plan(loads(body))
        # A call that cannot be decided (a fee in the wrong currency, an unknown program id) refuses the plan,
        # every such call named at its place, and nothing is kept.
        active, served = self.deciding.decide_validated(requests, all_or_none=call_pointer)
        revision = active.ruleset.revision
        key = plan_id(revision, [s.decision_id for s in served], options)
        answer = orjson.dumps(summarise(key, requests, [s.decision for s in served], options))
        # The calls' records and the plan's in one group: kept together, or refused leaving nothing.
        kept = self.deciding.serve(served, key_name, started, active, plan=(key, answer))
        return Answer(answer, revision, None, kept)

    def get(self, plan_key: str, key_name: str | None) -> bytes | None:
        """A plan's answer verbatim; `key_name` None for an operator, who reads every key's plans."""
        return self.recorder.plan(plan_key, key_name)
