"""Liveness, readiness, the contract document, and the benchmark's floor route."""

from __future__ import annotations

from pathlib import Path

import orjson
from flask import Blueprint, Response

from ..core.jsonwire import loads
from .body import read_raw
from .context import services
from .responses import json_response

OPENAPI_FILE = Path(__file__).resolve().parents[2] / "openapi.yaml"
PUBLIC = frozenset({"/healthz", "/readyz", "/openapi.yaml", "/v1/receipts/keys", "/metrics"})
bp = Blueprint("health", __name__)
bench = Blueprint("bench", __name__)


@bp.get("/healthz")
def healthz():
    return json_response({"status": "ok"})


@bp.get("/readyz")
def readyz():
    return json_response(services().health.readiness())


@bp.get("/openapi.yaml")
def openapi():
    return Response(OPENAPI_FILE.read_bytes(), mimetype="application/yaml")


@bench.post("/_bench/echo")
def bench_echo():
    """The benchmark's floor: the same body reading and JSON work, no validation or rules."""
    return Response(orjson.dumps(loads(read_raw()), default=float), mimetype="application/json")
