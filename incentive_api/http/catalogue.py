"""The catalogue: programs in effect by port and date, one program, and the active ruleset."""

from __future__ import annotations

from flask import Blueprint, request

from .context import services
from .problems import problem
from .responses import json_response

bp = Blueprint("catalogue", __name__)


def _answer(body: dict, revision: str):
    return json_response(body, headers={"X-Ruleset-Revision": revision})


@bp.get("/v1/programs")
def programs():
    return _answer(*services().catalogue.programs(request.args.to_dict(flat=False)))


@bp.get("/v1/programs/<program_id>")
def program(program_id: str):
    found, revision = services().catalogue.program(program_id)
    if found is None:
        return problem(404, f"No program {program_id!r}; GET /v1/programs lists them.")
    return _answer(found, revision)


@bp.get("/v1/ruleset")
def ruleset():
    return _answer(*services().catalogue.ruleset())
