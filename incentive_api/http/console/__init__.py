"""The web console: pages for operators, analysts and integrators, and the API docs, over this same API.

The pages hold no data: each is a shell whose scripts call the API from the browser with the key the user
typed (kept in the tab's sessionStorage, sent as X-API-Key). So the console is its own small app, mounted
at /console in front of the API app, outside the API's key check, and every piece of data it shows
arrives through the same routes, roles and limits as any other client's.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from ..errors import register_error_handlers
from .pages import bp, secure_headers

PREFIX = "/console"
# The two helper routes (CSV to calls, totals to a chart) take small bodies only.
MAX_BODY_BYTES = 256 * 1024


def create_console() -> Flask:
    app = Flask(__name__, static_folder=None)
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY_BYTES, PROVIDE_AUTOMATIC_OPTIONS=False)
    app.register_blueprint(bp)
    app.after_request(secure_headers)
    register_error_handlers(app)  # a 404, 405 or 413 here is a problem too, as anywhere in the API
    return app


def mount_console(app: Flask) -> None:
    """Serve the console at /console beside `app`, which keeps every other path."""
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {PREFIX: create_console()})
