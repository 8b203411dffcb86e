"""gunicorn settings; HOST, PORT and WEB_CONCURRENCY override the defaults."""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count())
wsgi_app = "incentive_api.wsgi:app"
worker_class = "sync"
timeout = 30
graceful_timeout = 10
accesslog = os.environ.get("ACCESS_LOG") or None  # "-" for stdout
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
# Load the app (and so the rules) once in the master; workers fork with it ready.
preload_app = True


def on_reload(server):
    """SIGHUP: validate the rules directory in the master and publish the outcome.

    A good ruleset becomes active in the master (so new workers fork with it) and is
    published to the running workers and other instances; a bad one is refused, the
    active revision stays, and the errors are logged and shown by GET /v1/ruleset.
    """
    app = server.app.wsgi()
    ok, errors = app.extensions["rules_sync"].reload()
    for error in errors:
        server.log.error("rules: %s", error)
