"""Operator routes: publish the rules directory, and what-if a candidate set before publishing it."""

from __future__ import annotations

from flask import Blueprint

from .body import read_json
from .context import services
from .responses import json_response

bp = Blueprint("admin", __name__, url_prefix="/v1/admin")


@bp.post("/rules/reload")
def reload_rules():
    return json_response(services().admin.reload())


@bp.post("/rules/dry-run")
def dry_run():
    services().deciding.ruleset()  # 503 before the body is read when no rules are loaded
    return json_response(services().admin.dry_run(read_json()))
