"""The Flask application factory: wiring only. Views live in one blueprint per resource."""

from __future__ import annotations

import re
import time
import uuid

from flask import Flask, Response, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from ..adapters import logs, metrics
from ..config import Settings
from ..service.container import Services, build_services
from . import admin, catalogue, esi, health, plans, receipts, records
from . import decisions as decision_routes
from . import metrics as metrics_route
from .access import init_access, principal_name
from .console import mount_console
from .context import services
from .errors import register_error_handlers

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}\Z")


def create_app(settings: Settings | None = None, services: Services | None = None) -> Flask:
    """The app over `services` (built here from `settings` when not given: the container is the one place
    anything is built)."""
    settings = services.settings if services is not None else (settings or Settings())
    metrics.switch(settings.metrics_enabled)
    svc = services or build_services(settings)
    app = Flask(__name__)
    # OPTIONS is answered 405 with Allow, like any other method a route does not take.
    app.config.update(MAX_CONTENT_LENGTH=settings.max_body_bytes, PROVIDE_AUTOMATIC_OPTIONS=False)
    app.extensions["incentive"] = svc
    app.before_request(_start)
    app.after_request(_observe)  # registered first, so it runs last: it sees the final status
    app.after_request(_headers)
    init_access(app, svc)
    for blueprint in (decision_routes.bp, records.bp, plans.bp, catalogue.bp, admin.bp, health.bp, receipts.bp, esi.bp):
        app.register_blueprint(blueprint)
    if settings.metrics_enabled:
        app.register_blueprint(metrics_route.bp)
    if settings.bench_routes:
        app.register_blueprint(health.bench)
    register_error_handlers(app)
    mount_console(app)
    if settings.trusted_proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)
    return app


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
    route = request.url_rule.rule if request.url_rule is not None else None
    metrics.request_answered(request.method, route, response.status_code, seconds)
    logs.request_line(
        method=request.method, route=route, path=request.path, status=response.status_code,
        latency_ms=round(seconds * 1000, 3), cache=response.headers.get("X-Cache"),
        revision=response.headers.get("X-Ruleset-Revision"), key_name=principal_name() or None)
    return response
