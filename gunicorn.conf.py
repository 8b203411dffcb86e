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
