"""Decision records: one by its id, and the caller's records for reconciliation (JSON or CSV)."""

from __future__ import annotations

import re

import orjson
from flask import Blueprint, Response, request

from ..core.identity import CONTENT_ID
from ..service.reconciling import as_csv
from .access import principal_name, sees_every_record
from .context import services
from .decisions import signed
from .problems import problem
from .responses import json_response

bp = Blueprint("records", __name__)
REVISION = re.compile(r"^[0-9a-f]{16}\Z")


def _asker() -> str | None:
    return None if sees_every_record() else principal_name()


@bp.get("/v1/decisions/<decision_id>")
def decision_record(decision_id: str):
    if not CONTENT_ID.match(decision_id):
        return problem(404, "No such decision: decision ids are 32 lower-case hex digits.")
    out = services().reconciling.record(decision_id, _asker())
    if out is None:
        return problem(404, f"No decision {decision_id!r}: unknown, not yours, or past its retention.")
    return signed(out)


@bp.get("/v1/decisions")
def decision_records():
    records, next_cursor = services().reconciling.find(request.args.to_dict(flat=False), _asker())
    headers = {"X-Next-Cursor": next_cursor} if next_cursor else {}
    if request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv":
        return Response(as_csv(records), mimetype="text/csv", headers=headers)
    return json_response({"records": records, "next_cursor": next_cursor}, headers=headers)


@bp.get("/v1/rulesets/<revision>")
def ruleset_record(revision: str):
    """The rules a kept record names (operators: the files are the rule authors' own)."""
    if not REVISION.match(revision):
        return problem(404, "No such revision: revisions are 16 lower-case hex digits.")
    found = services().reconciling.rules(revision)
    if found is None:
        return problem(404, f"No rules of revision {revision!r} are kept: no record or plan names it.")
    return signed(orjson.dumps(found))
