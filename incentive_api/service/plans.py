"""Voyage plans: decide every call of a schedule, record each decision, and keep the plan's answer.

Each call goes through the decision cache and the recorder as a single decision would, so its decision id
is the one POST /v1/eligibility gives the same call, and it is readable at GET /v1/decisions/{id}.
"""

from __future__ import annotations

import datetime as dt
import time

import orjson

from ..core.jsonwire import loads
from ..core.plans import parse_plan, plan_id, summarise
from .deciding import Answer, DecisionService
from .recording import OFF, RecordsOff


class PlanService:
    def __init__(self, deciding: DecisionService):
        self.deciding = deciding

    def plan(self, body: bytes, key_name: str = "") -> Answer:
        """A plan body as sent; raises MalformedJson or InvalidRequest (pointers into the plan: /calls/17/port),
        NotRecorded or RecordsUnavailable when its records cannot be kept."""
        started = time.perf_counter()
        deciding = self.deciding
        ruleset = deciding.ruleset()
        options, requests = parse_plan(loads(body))
        served = deciding.decisions.decide_many(ruleset, deciding.today(), requests)
        for failure in served:
            if isinstance(failure, Exception):  # an unknown program id (InvalidRequest), alike for every call
                raise failure
        kept = deciding.serve(requests, served, key_name, started)  # recorded before the plan is sent
        key = plan_id(ruleset.revision, [s.decision_id for s in served], options)
        answer = orjson.dumps(summarise(key, requests, [orjson.loads(s.body) for s in served], options))
        store = deciding.recorder.store
        if store is not None and kept != OFF:
            store.put_plan(key, key_name, answer, dt.datetime.now(dt.timezone.utc))
        return Answer(answer, ruleset.revision, None, kept)

    def get(self, plan_key: str, key_name: str | None) -> bytes | None:
        """A plan's answer verbatim; `key_name` None for an operator, who reads every key's plans."""
        store = self.deciding.recorder.store
        if store is None:
            raise RecordsOff()
        return store.get_plan(plan_key, key_name)
