"""The ESI estimate: a score from engine and bunker data, with its arithmetic."""

from __future__ import annotations

from flask import Blueprint

from .body import read_raw
from .context import services
from .responses import json_response

bp = Blueprint("esi", __name__)


@bp.post("/v1/esi/estimate")
def esi_estimate():
    return json_response(services().esi.estimate(read_raw()))
