"""Deciding: one request, a batch, and fetching a past decision.

Every adapter (HTTP, CLI, benchmarks) asks here; the cache, the records and the
decision log are behind it. A served answer is always recorded, alone or in a batch.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass

from marshmallow import ValidationError, fields, validate

from ..adapters import logs, metrics
from ..adapters.decision_log import DecisionLog
from ..cache.decisions import BYPASS, HIT_L1, HIT_L2, MISS, Decisions
from ..core.request import InvalidRequest, error_pointers, parse_request
from ..core.ruleset import Ruleset
from ..core.strict import StrictSchema
from .clock import utc_today
from .problems import NoRuleset, Problem, problem_body
from .recording import Recorder
from .rules import RulesState

log = logging.getLogger("incentive_api")


@dataclass(frozen=True)
class Answer:
    body: bytes
    revision: str
    cache: str | None = None  # hit-l1, hit-l2, miss or bypass; None for a batch
    record: str = "off"  # committed, journaled (the database is away; replayed later) or off


def batch_schema(max_items: int) -> StrictSchema:
    class BatchSchema(StrictSchema):
        items = fields.List(fields.Raw(), required=True, validate=validate.Length(
            min=1, max=max_items, error=f"A batch holds 1 to {max_items} items."))
    return BatchSchema()


class DecisionService:
    def __init__(self, rules: RulesState, decisions: Decisions, decision_log: DecisionLog, max_batch_items: int,
                 recorder: Recorder, today=utc_today):
        self.rules, self.decisions, self.decision_log = rules, decisions, decision_log
        self.recorder = recorder
        self.batch = batch_schema(max_batch_items)
        self.today = today

    def ruleset(self) -> Ruleset:
        active = self.rules.active
        if active is None:
            raise NoRuleset()
        return active.ruleset

    def decide(self, body: bytes, key_name: str = "") -> Answer:
        """One request body as sent; raises MalformedJson or InvalidRequest for a bad one, NotRecorded when
        the answer could be kept neither in the records database nor in the local journal."""
        started = time.perf_counter()
        ruleset = self.ruleset()
        served = self.decisions.answer(ruleset, self.today(), body)
        kept = self.serve([body], [served], key_name, started)
        return Answer(served.body, ruleset.revision, served.cache, kept)

    def serve(self, requests: list, served: list, key_name: str, started: float) -> str:
        """Record answers about to be sent (all of them, before any is sent), then log each; returns where
        the records are. `requests` are the bodies' bytes or the validated requests, one per answer."""
        kept = self.recorder.keep(served, key_name)
        for request, answer in zip(requests, served):
            self.decision_log.record(request, answer.body, time.perf_counter() - started, answer.cache)
        metrics.decisions_served(o for answer in served for o in answer.outcomes())
        logs.bind(decision_ids=[answer.decision_id for answer in served])
        return kept

    def decide_batch(self, envelope, request_id: str | None = None, key_name: str = "") -> Answer:
        """`{items: [...]}`: answers in order, each a decision or a problem whose pointers are
        relative to the whole body (/items/17/vessel/imo)."""
        started = time.perf_counter()
        ruleset = self.ruleset()
        items = self._items(envelope)
        parts: list = [None] * len(items)
        valid, where = [], []
        for i, item in enumerate(items):
            try:
                valid.append(parse_request(item))
                where.append(i)
            except InvalidRequest as bad:
                parts[i] = _item_problem(i, bad, request_id)
        cache = {HIT_L1: 0, HIT_L2: 0, MISS: 0, BYPASS: 0}
        served, logged = [], []
        for request, i, result in zip(valid, where, self.decisions.decide_many(ruleset, self.today(), valid)):
            if isinstance(result, Exception):
                if not isinstance(result, InvalidRequest):
                    log.error("batch item %d failed", i, exc_info=result)
                parts[i] = _item_problem(i, result, request_id)
                continue
            parts[i] = result.body
            cache[result.cache] += 1
            served.append(result)
            logged.append(request)
        kept = self.serve(logged, served, key_name, started)
        decided = sum(cache.values())
        summary = {"decisions": decided, "problems": len(items) - decided, "cache": cache}
        tail = json.dumps({"summary": summary, "ruleset": {"revision": ruleset.revision}}, separators=(",", ":"))
        return Answer(b'{"items":[' + b",".join(parts) + b"]," + tail[1:].encode(), ruleset.revision, None, kept)

    def _items(self, envelope) -> list:
        if not isinstance(envelope, dict):
            raise Problem(422, "The batch envelope is invalid; see errors.",
                          [{"pointer": "", "message": "The body must be a JSON object: {\"items\": [...]}."}])
        try:
            return self.batch.load(envelope)["items"]
        except ValidationError as exc:
            raise Problem(422, "The batch envelope is invalid; see errors.", error_pointers(exc.messages)) from None



def _item_problem(i: int, failure: Exception, request_id: str | None) -> bytes:
    if isinstance(failure, InvalidRequest):
        errors = [{"pointer": f"/items/{i}{e['pointer']}", "message": e["message"]} for e in failure.errors]
        body = problem_body(422, f"Item {i} has invalid fields; see errors.", errors, request_id=request_id)
    else:
        body = problem_body(500, f"Item {i} could not be evaluated.", request_id=request_id)
    return json.dumps(body).encode()
