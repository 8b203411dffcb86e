"""The Flask application factory: wiring only. Views live in one blueprint per resource."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from ..adapters import metrics
from ..config import Settings
from ..service.container import Services, build_services
from . import admin, catalogue, esi, health, plans, receipts, records
from . import decisions as decision_routes
from . import metrics as metrics_route
from .access import init_access
from .console import mount_console
from .errors import register_error_handlers
from .observe import observe


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
    observe(app)
    init_access(app, svc)
    for blueprint in (decision_routes.bp, records.bp, plans.bp, catalogue.bp, admin.bp, health.bp, receipts.bp, esi.bp):
        app.register_blueprint(blueprint)
    if settings.metrics_enabled:
        app.register_blueprint(metrics_route.bp)
    if settings.bench_routes:
        app.register_blueprint(health.bench)
    register_error_handlers(app)
    mount_console(app, svc)
    if settings.trusted_proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)
    return app
