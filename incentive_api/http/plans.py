"""Voyage plans: a schedule of calls decided and summed, and a past plan by its id."""

from __future__ import annotations

from flask import Blueprint

from ..core.identity import CONTENT_ID
from .access import batch_budget, limiter, principal_name, sees_every_record, unbudgeted
from .body import read_raw
from .context import services
from .decisions import signed
from .problems import problem

bp = Blueprint("plans", __name__)


@bp.post("/v1/plans")
@limiter.limit(batch_budget, exempt_when=unbudgeted)
def make_plan():
    svc = services()
    svc.deciding.ruleset()  # 503 before the body is read when no rules are loaded
    answer = svc.plans.plan(read_raw(), principal_name())
    return signed(answer.body, **{"X-Ruleset-Revision": answer.revision, "X-Record": answer.record})


@bp.get("/v1/plans/<plan_id>")
def plan_record(plan_id: str):
    if not CONTENT_ID.match(plan_id):
        return problem(404, "No such plan: plan ids are 32 lower-case hex digits.")
    out = services().plans.get(plan_id, None if sees_every_record() else principal_name())
    if out is None:
        return problem(404, f"No plan {plan_id!r}: unknown, not yours, or past its retention.")
    return signed(out)
