"""Liveness, readiness, the contract document, and the benchmark's floor route."""

from __future__ import annotations

from pathlib import Path

import orjson
from flask import Blueprint, Response

from ..cache.embedded import embedded_status
from ..core.jsonwire import loads
from .body import read_raw
from .context import services
from .problems import problem
from .responses import json_response

OPENAPI_FILE = Path(__file__).resolve().parents[2] / "openapi.yaml"
PUBLIC = frozenset({"/healthz", "/readyz", "/openapi.yaml", "/v1/receipts/keys", "/metrics"})
# What a caller loses while Redis is away; answers themselves go on, computed afresh.
DEGRADED = ["answers are computed without the shared cache (X-Cache: bypass)",
            "rate limits are counted per process",
            "rate limits on wrong keys are counted per process too"]
bp = Blueprint("health", __name__)
bench = Blueprint("bench", __name__)


@bp.get("/healthz")
def healthz():
    return json_response({"status": "ok"})


@bp.get("/readyz")
def readyz():
    svc = services()
    active = svc.rules.active
    if active is None:
        return problem(503, "Rules are not loaded.",
                       [{"pointer": "", "message": e} for e in (svc.rules.last_error or [])][:50],
                       headers={"Retry-After": "5"})
    log, cache = svc.decision_log, svc.cache.health()
    body = {"status": "ready", "revision": active.ruleset.revision, "cache": cache}
    if cache == "degraded":
        body["degraded"] = DEGRADED
    embedded = embedded_status(svc.settings.run_dir)
    if embedded:
        body["embedded_redis"] = embedded
    body["records"] = svc.recorder.health()
    body["decision_log"] = {"sink": log.sink, "written": log.written, "dropped": log.dropped}
    return json_response(body)


@bp.get("/openapi.yaml")
def openapi():
    return Response(OPENAPI_FILE.read_bytes(), mimetype="application/yaml")


@bench.post("/_bench/echo")
def bench_echo():
    """The benchmark's floor: the same body reading and JSON work, no validation or rules."""
    return Response(orjson.dumps(loads(read_raw()), default=float), mimetype="application/json")
