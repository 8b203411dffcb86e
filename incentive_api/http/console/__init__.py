"""The web console: pages for operators, analysts and integrators, and the API docs, over this same API.

The pages hold no data: each is a shell whose scripts call the API from the browser with the key the user
typed (kept in the tab's sessionStorage, sent as X-API-Key). So the console is its own small app, mounted
at /console in front of the API app, outside the API's key check, and every piece of data it shows
arrives through the same routes, roles and limits as any other client's.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from ...adapters import metrics
from ...service.container import Services
from ..access import AddressBudget
from ..errors import register_error_handlers
from ..observe import observe
from ..problems import problem
from .pages import bp, secure_headers

PREFIX = "/console"
# The two helper routes (CSV to calls, totals to a chart) take small bodies only.
MAX_BODY_BYTES = 256 * 1024


def create_console(services: Services) -> Flask:
    app = Flask(__name__, static_folder=None)
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY_BYTES, PROVIDE_AUTOMATIC_OPTIONS=False)
    app.extensions["incentive"] = services
    settings = services.settings
    app.extensions["console_budget"] = AddressBudget(
        settings.console_rate_limit, "CONSOLE_RATE_LIMIT", "incentive:console", *services.rate_limits,
        settings.redis_backoff_seconds)
    observe(app)  # a request id, the common headers, counted and logged like the API's
    app.before_request(_budget)
    app.register_blueprint(bp)
    app.after_request(secure_headers)
    register_error_handlers(app)  # a 404, 405 or 413 here is a problem too, as anywhere in the API
    return app


def _budget():
    """The helpers need no key, so they are budgeted per client address: they cannot crowd out the API."""
    if request.method != "POST":
        return None
    _seen, wait = current_app.extensions["console_budget"].spend(request.remote_addr or "unknown")
    if wait is None:
        return None
    metrics.rate_limited("console")
    return problem(429, f"Too many requests to the console's helpers from this address; try again in {wait} s.",
                   headers={"Retry-After": str(wait)})


def mount_console(app: Flask, services: Services) -> None:
    """Serve the console at /console beside `app`, which keeps every other path."""
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {PREFIX: create_console(services)})
