"""What every request gets, the API's and the console's alike: a request id (echoed when sent), the common
headers, its count in /metrics and its log line."""

from __future__ import annotations

import re
import time
import uuid

from flask import Flask, Response, g, request

from ..adapters import logs, metrics
from .access import principal_name
from .context import services

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}\Z")


def observe(app: Flask) -> None:
    """Hook `app`'s requests (an app mounted under a prefix counts and logs its routes under it)."""
    app.before_request(_start)
    app.after_request(_observe)  # registered first, so it runs last: it sees the final status
    app.after_request(_headers)


def _start():
    sent = request.headers.get("X-Request-ID", "")
    g.request_id = sent if _REQUEST_ID.match(sent) else uuid.uuid4().hex
    g.started = time.perf_counter()
    logs.begin_request(request_id=g.request_id)
    svc = services()
    svc.sync.ensure_following()
    svc.recorder.start()


def _headers(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id") or uuid.uuid4().hex
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers.setdefault("Cache-Control", "no-store")  # answers are per caller and per ruleset
    return response


def _observe(response: Response) -> Response:
    """Count the request and write its log line (at info level: LOG_LEVEL=warning keeps only problems)."""
    seconds = time.perf_counter() - g.get("started", time.perf_counter())
    route = request.script_root + request.url_rule.rule if request.url_rule is not None else None
    metrics.request_answered(request.method, route, response.status_code, seconds)
    logs.request_line(
        method=request.method, route=route, path=request.script_root + request.path, status=response.status_code, latency_ms=round(seconds * 1000, 3), cache=response.headers.get("X-Cache"),
        revision=response.headers.get("X-Ruleset-Revision"), key_name=principal_name() or None)
    return response
