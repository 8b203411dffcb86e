"""Deciding: one request, a batch, or the calls of a plan, read top to bottom.

For one request body: a byte-identical repeat is answered from this process's cache before anything is
parsed; otherwise parse, name the decision (its id hashes revision, as-of date and normalised request),
look in the cache (this process's, then Redis's), evaluate what neither holds, store it in the cache,
then record every answer before it is sent, log it and count it. A batch does the same for every item,
reading Redis once for all of them.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass

import orjson
from marshmallow import ValidationError, fields, validate

from ..adapters import logs, metrics
from ..adapters.answer_cache import BYPASS, HIT_L1, HIT_L2, MISS, AnswerCache
from ..adapters.decision_log import DecisionLog
from ..adapters.lru import LRU
from ..core.advice import attach as attach_advice
from ..core.engine import decide
from ..core.identity import canonical, decision_id, request_key
from ..core.jsonwire import loads
from ..core.request import InvalidRequest, error_pointers, parse_request
from ..core.ruleset import Ruleset
from ..core.strict import StrictSchema
from .clock import utc_today
from .problems import NoRuleset, Problem, problem_body
from .recording import Recorder
from .rules import Active, RulesState
from .served import Served

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
    def __init__(self, rules: RulesState, cache: AnswerCache, recorder: Recorder, decision_log: DecisionLog,
                 max_batch_items: int, today=utc_today, served_pairs: int = 100_000):
        self.rules, self.cache, self.recorder, self.decision_log = rules, cache, recorder, decision_log
        self.batch = batch_schema(max_batch_items)
        self.today = today
        # (decision id, key) pairs this process has answered: what a key may be told came from the cache.
        self._served_to = LRU(served_pairs, cache.policy.ttl_seconds)

    def ruleset(self) -> Ruleset:
        return self._active().ruleset

    def _active(self) -> Active:
        active = self.rules.active
        if active is None:
            raise NoRuleset()
        return active

    # -- one request ----------------------------------------------------------------------------------
    def decide(self, body: bytes, key_name: str = "", whole_cache: bool = True) -> Answer:
        """One request body as sent; raises MalformedJson or InvalidRequest for a bad one, NotRecorded when
        the answer could be kept neither in the records database nor in the local journal. `whole_cache`:
        the asker may be told of every cache hit (an operator), not only of its own repeats."""
        started = time.perf_counter()
        active, today = self._active(), self.today()
        ruleset = active.ruleset
        key = request_key(ruleset.revision, today, body) if self.cache.enabled else None
        repeat = self.cache.get(key, count_miss=False) if key is not None else None
        if repeat is not None:
            served = repeat.via(HIT_L1)
        else:
            request = parse_request(loads(body))
            served = self._decided(ruleset, today, request)
            self.cache.put(key, served.kept())
        kept = self.serve([served], key_name, started, active)
        return Answer(served.body, ruleset.revision, self._as_seen_by(served, key_name, whole_cache), kept)

    def _decided(self, ruleset: Ruleset, today, request: dict) -> Served:
        text = canonical(request)
        did = decision_id(ruleset.revision, request, today, text)
        found = self.cache.get(did)
        if found is not None:
            return found.via(HIT_L1)
        body, status = self.cache.get_shared(did)
        if body is not None:
            served = Served(body, did, text, HIT_L2, _port(request))
        else:
            served = self._evaluated(ruleset, today, request, did, text, status)
            if status == MISS:
                self.cache.share([(did, served.body)])
        self.cache.put(did, served.kept())
        return served

    def _evaluated(self, ruleset: Ruleset, today, request: dict, did: str, text: bytes, cache: str) -> Served:
        decision = decide(ruleset, request, today=today, decision_id=did)
        if request.get("advice"):
            decision = attach_advice(ruleset, request, today, decision)
        return Served(orjson.dumps(decision.to_json()), did, text, cache, decision.port, decision)

    # -- many validated requests: a batch's items, a plan's calls -------------------------------------
    def decide_validated(self, requests: list, *, all_or_none=None) -> tuple[Active, list]:
        """(the active ruleset, a Served answer or the exception of an item that could not be decided, per
        request), nothing recorded yet: `serve` records what is sent. With `all_or_none` (a function of an
        item's index and an error's pointer, giving the pointer in the whole body), any failure refuses them
        all instead: one InvalidRequest naming every item's errors."""
        active, today = self._active(), self.today()
        results = self._decided_many(active.ruleset, today, requests)
        if all_or_none is not None:
            _refuse_any(results, all_or_none)
        return active, results

    def _decided_many(self, ruleset: Ruleset, today, requests: list) -> list:
        """One MGET for what this process lacks, one pipelined write for what is new; one item that cannot be
        decided (an unknown program id, or a fault) never fails the others."""
        texts = [canonical(r) for r in requests]
        ids = [decision_id(ruleset.revision, r, today, t) for r, t in zip(requests, texts)]
        results = [None if found is None else found.via(HIT_L1) for found in self.cache.get_many(ids)]
        pending = [i for i, r in enumerate(results) if r is None]
        bodies, status = self.cache.get_many_shared([ids[i] for i in pending])
        fresh = []
        for i, body in zip(pending, bodies):
            if body is not None:
                results[i] = Served(body, ids[i], texts[i], HIT_L2, _port(requests[i]))
            else:
                try:
                    results[i] = self._evaluated(ruleset, today, requests[i], ids[i], texts[i], status)
                except Exception as refused:  # noqa: BLE001  an unknown program id, or a fault: this item alone
                    results[i] = refused
                    continue
                fresh.append(results[i])
            self.cache.put(ids[i], results[i].kept())
        if status == MISS:
            self.cache.share([(s.decision_id, s.body) for s in fresh])
        return results

    def decide_batch(self, envelope, request_id: str | None = None, key_name: str = "",
                     whole_cache: bool = True) -> Answer:
        """`{items: [...]}`: answers in order, each a decision or a problem whose pointers are
        relative to the whole body (/items/17/vessel/imo)."""
        started = time.perf_counter()
        self.ruleset()
        items = self._items(envelope)
        parts: list = [None] * len(items)
        valid, where = [], []
        for i, item in enumerate(items):
            try:
                valid.append(parse_request(item))
                where.append(i)
            except InvalidRequest as bad:
                parts[i] = _item_problem(i, bad, request_id)
        active, results = self.decide_validated(valid)
        ruleset = active.ruleset
        kept = self.serve([r for r in results if isinstance(r, Served)], key_name, started, active)
        cache = {HIT_L1: 0, HIT_L2: 0, MISS: 0, BYPASS: 0}
        for i, result in zip(where, results):
            if isinstance(result, Exception):
                if not isinstance(result, InvalidRequest):
                    log.error("batch item %d failed", i, exc_info=result)
                parts[i] = _item_problem(i, result, request_id)
                continue
            parts[i] = result.body
            cache[self._as_seen_by(result, key_name, whole_cache)] += 1
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

    # -- after deciding: record, log, count -----------------------------------------------------------
    def _as_seen_by(self, served: Served, key_name: str, whole_cache: bool) -> str:
        """Where the answer came from, as the asking key may be told. An operator (`whole_cache`) sees the
        cache as it is. A client key is told of a hit only when this process answered that key the same
        decision before; an answer first made for another key is a `miss` to it (`bypass` without Redis),
        so that the cache never tells one key what another asked."""
        if whole_cache:  # an operator's own pairs never decide what a client key is told: none kept
            return served.cache
        pair = (served.decision_id, key_name)
        seen = self._served_to.get(pair) is not None
        self._served_to.put(pair, True)
        if seen or served.cache not in (HIT_L1, HIT_L2):
            return served.cache
        return MISS if self.cache.store is not None else BYPASS

    def serve(self, served: list[Served], key_name: str, started: float, active: Active,
              plan: tuple[str, bytes] | None = None) -> str:
        """Record answers about to be sent (all of them, the plan they are the calls of, and the rules of
        `active` they were decided under, before any is sent), then log and count each; returns where the
        records are. NotRecorded: nothing was kept."""
        kept = self.recorder.keep(served, key_name, plan, (active.ruleset.revision, active.files))
        for answer in served:
            self.decision_log.record(answer, time.perf_counter() - started)
        metrics.decisions_served(o for answer in served for o in answer.outcomes())
        logs.bind(decision_ids=[answer.decision_id for answer in served])
        return kept


def _refuse_any(results: list, pointer_of) -> None:
    errors: dict = {}
    for i, result in enumerate(results):
        if isinstance(result, InvalidRequest):
            for e in result.errors:
                errors.setdefault((pointer_of(i, e["pointer"]), e["message"]), None)
        elif isinstance(result, Exception):
            raise result
    if errors:
        raise InvalidRequest([{"pointer": p, "message": m} for p, m in sorted(errors)])


def _port(request: dict) -> str | None:
    return (request.get("call") or {}).get("port")


def _item_problem(i: int, failure: Exception, request_id: str | None) -> bytes:
    if isinstance(failure, InvalidRequest):
        errors = [{"pointer": f"/items/{i}{e['pointer']}", "message": e["message"]} for e in failure.errors]
        body = problem_body(422, f"Item {i} has invalid fields; see errors.", errors, request_id=request_id)
    else:
        body = problem_body(500, f"Item {i} could not be evaluated.", request_id=request_id)
    return json.dumps(body).encode()
