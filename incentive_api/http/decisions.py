"""Decisions: one request, and a batch."""

from __future__ import annotations

from flask import Blueprint, Response, g

from .access import batch_budget, limiter, principal_name, sees_every_record, unbudgeted
from .body import read_json, read_raw
from .context import services

bp = Blueprint("decisions", __name__)


def signed(body: bytes, **headers) -> Response:
    """A decision's bytes, with the receipt that proves them (X-Receipt: a signature over exactly these)."""
    return Response(body, mimetype="application/json", headers={**headers, "X-Receipt": services().receipts.sign(body)})


@bp.post("/v1/eligibility")
def eligibility():
    answer = services().deciding.decide(read_raw(), principal_name(), sees_every_record())
    return signed(answer.body, **{"X-Ruleset-Revision": answer.revision, "X-Cache": answer.cache,
                                 "X-Record": answer.record})


@bp.post("/v1/eligibility/batch")
@limiter.limit(batch_budget, exempt_when=unbudgeted)
def eligibility_batch():
    deciding = services().deciding
    deciding.ruleset()  # 503 before the body is read when no rules are loaded
    answer = deciding.decide_batch(read_json(), g.get("request_id"), principal_name(), sees_every_record())
    return signed(answer.body, **{"X-Ruleset-Revision": answer.revision, "X-Record": answer.record})
