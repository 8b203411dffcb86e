"""Decisions: one request, a batch, and a past decision by its id."""

from __future__ import annotations

import re

from flask import Blueprint, Response, g

from .access import batch_budget, limiter, unbudgeted
from .body import read_json, read_raw
from .context import services
from .problems import problem

DECISION_ID = re.compile(r"^[0-9a-f]{32}\Z")
bp = Blueprint("decisions", __name__)


def _json(body: bytes, **headers) -> Response:
    return Response(body, mimetype="application/json", headers=headers)


@bp.post("/v1/eligibility")
def eligibility():
    answer = services().deciding.decide(read_raw())
    return _json(answer.body, **{"X-Ruleset-Revision": answer.revision, "X-Cache": answer.cache})


@bp.post("/v1/eligibility/batch")
@limiter.limit(batch_budget, exempt_when=unbudgeted)
def eligibility_batch():
    deciding = services().deciding
    deciding.ruleset()  # 503 before the body is read when no rules are loaded
    answer = deciding.decide_batch(read_json(), g.get("request_id"))
    return _json(answer.body, **{"X-Ruleset-Revision": answer.revision})


@bp.get("/v1/decisions/<decision_id>")
def decision_record(decision_id: str):
    if not DECISION_ID.match(decision_id):
        return problem(404, "No such decision: decision ids are 32 lower-case hex digits.")
    out = services().deciding.record(decision_id)
    if out is None:
        return problem(404, f"No decision {decision_id!r}: unknown, or past its retention.")
    return _json(out)
