"""GET /metrics: the Prometheus text of every worker's counts (no key needed, like /healthz; METRICS=off: 404)."""

from __future__ import annotations

from flask import Blueprint, Response

from ..adapters.metrics import exposition

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def metrics():
    body, content_type = exposition()
    return Response(body, content_type=content_type)
