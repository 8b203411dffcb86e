"""The catalogue: programs in effect by port and date, one program, and the active ruleset."""

from __future__ import annotations

from flask import Blueprint, request
from marshmallow import ValidationError, fields

from ..core.describe import describe_edition, describe_program
from ..core.request import error_pointers
from ..core.strict import StrictSchema, unlocode
from ..service.problems import NoRuleset, Problem
from .context import services
from .problems import problem
from .responses import json_response

bp = Blueprint("catalogue", __name__)


class ProgramsQuery(StrictSchema):
    port = fields.String(validate=unlocode("UN/LOCODE, e.g. USLGB."))
    as_of = fields.Date()


PROGRAMS_QUERY = ProgramsQuery()


def _active():
    active = services().rules.active
    if active is None:
        raise NoRuleset()
    return active


def _answer(body: dict, revision: str):
    return json_response(body, headers={"X-Ruleset-Revision": revision})


@bp.get("/v1/programs")
def programs():
    ruleset = _active().ruleset
    try:
        query = PROGRAMS_QUERY.load(request.args.to_dict())
    except ValidationError as exc:
        raise Problem(422, "The query string is invalid; see errors.", error_pointers(exc.messages)) from None
    as_of = query.get("as_of") or services().deciding.today()
    editions = ruleset.in_effect(query.get("port"), as_of)
    return _answer({"as_of": as_of.isoformat(), "port": query.get("port"),
                    "ruleset": {"revision": ruleset.revision},
                    "programs": [describe_edition(e) for e in editions]}, ruleset.revision)


@bp.get("/v1/programs/<program_id>")
def program(program_id: str):
    ruleset = _active().ruleset
    found = ruleset.programs.get(program_id)
    if found is None:
        return problem(404, f"No program {program_id!r}; GET /v1/programs lists them.")
    return _answer({**describe_program(found), "ruleset": {"revision": ruleset.revision}}, ruleset.revision)


@bp.get("/v1/ruleset")
def ruleset():
    svc = services()
    active = _active()
    rs = active.ruleset
    failed = svc.sync.last_failed or ({"at": None, "errors": svc.rules.last_error} if svc.rules.last_error else None)
    return _answer({"revision": rs.revision, "loaded_at": active.loaded_at, "files": rs.files,
                    "program_count": len(rs.programs), "edition_count": rs.edition_count,
                    "last_failed_load": failed}, rs.revision)
