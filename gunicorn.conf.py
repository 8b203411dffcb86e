"""gunicorn settings; HOST, PORT, WEB_CONCURRENCY (processes) and THREADS (per process) override the defaults."""

import json
import multiprocessing
import os
import shutil
import uuid
from http import HTTPStatus

from gunicorn import glogging, util
from gunicorn.http import body as http_body

# prometheus_client picks its multiprocess mode when first imported, so the directory is named before the app
# is. It is emptied once per master (this file is read again on SIGHUP, with workers still counting into it).
from incentive_api.config import Settings  # imports no prometheus_client

_settings = Settings()
METRICS = _settings.metrics_enabled
if METRICS and os.environ.get("INCENTIVE_METRICS_MASTER") != str(os.getpid()):
    metrics_dir = _settings.run_dir / "metrics"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True, exist_ok=True)
    os.environ.update(PROMETHEUS_MULTIPROC_DIR=str(metrics_dir), INCENTIVE_METRICS_MASTER=str(os.getpid()))

from incentive_api.adapters import logs  # noqa: E402  after the metrics directory is named
from incentive_api.adapters.metrics import forget_process  # noqa: E402
from incentive_api.http.body import DeclaredTooLarge  # noqa: E402
from incentive_api.service.problems import problem_body  # noqa: E402

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count())
wsgi_app = "incentive_api.wsgi:app"
# Threads, not sync workers: a client sending its request a byte at a time holds one thread instead of
# a whole process, and idle keep-alive connections wait in the worker's poller holding none. A thread
# blocked on a socket costs little, so there are enough to outlast WEB_CONCURRENCY x THREADS slow clients
# at once (32 per worker was just enough for 50 across two workers; 16 was not). Past that, a buffering
# proxy in front is the defence.
worker_class = "gthread"
threads = int(os.environ.get("THREADS") or 64)
# With threads this only restarts a worker whose main loop hangs; a slow request no longer trips it.
timeout = 30
graceful_timeout = 10
# Each read of a request body may wait this long, and so may each write of a response (as a whole):
# a client stalled longer is dropped and its thread freed, the worker untouched.
CLIENT_STALL_SECONDS = 5
# The longest request line gunicorn takes (its maximum): a query of GET /v1/decisions with a cursor and
# filters in non-ASCII percent-encoding fits; anything longer is a 414 problem.
limit_request_line = 8190
# No control socket: gunicorn's default path is one per user ($HOME/.gunicorn/gunicorn.ctl), so a second
# instance on a host would take it over and stopping either would delete the other's. Signals do its work.
control_socket_disable = True
accesslog = os.environ.get("ACCESS_LOG") or None  # "-" for stdout
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
# Every line, the app's and gunicorn's, as JSON (LOG_FORMAT=json, the default) or for a console, on stderr.
logconfig_dict = logs.logging_config(os.environ.get("LOG_FORMAT") or "json", loglevel)
logs.fast_request_lines(os.environ.get("LOG_FORMAT") or "json", loglevel)  # the workers inherit it


class Logger(glogging.Logger):
    """gunicorn's logger, with its access line only when ACCESS_LOG asks for it: the app writes its own
    request line, and gunicorn would otherwise build one per request because logconfig_dict is set."""

    def _compute_access_log_enabled(self):
        return bool(self.cfg.accesslog)


if not hasattr(glogging.Logger, "_compute_access_log_enabled"):
    raise RuntimeError("gunicorn.glogging.Logger._compute_access_log_enabled is gone: check Logger against it")
logger_class = Logger
# Load the app (and so the rules) once in the master; workers fork with it ready.
preload_app = True


def on_reload(server):
    """SIGHUP: validate the rules directory in the master and publish the outcome.

    A good ruleset becomes active in the master (so new workers fork with it) and is
    published to the running workers and other instances; a bad one is refused, the
    active revision stays, and the errors are logged and shown by GET /v1/ruleset.
    """
    app = server.app.wsgi()
    ok, errors = app.extensions["incentive"].sync.reload()
    for error in errors:
        server.log.error("rules: %s", error)


def child_exit(server, worker):
    """A worker is gone: its live gauges (Redis back-off, the revision it served) leave the sums."""
    if METRICS:
        forget_process(worker.pid)


def pre_request(worker, req):
    """Bound every socket read and write of this request, so a stalled body frees its thread."""
    worker.log.debug("%s %s", req.method, req.path)  # what gunicorn's own pre_request does
    sock = getattr(req.unreader, "sock", None)  # HTTP/1 only; HTTP/2 streams have their own timeout
    if sock is not None:
        sock.settimeout(CLIENT_STALL_SECONDS)


def write_problem(sock, status_int, reason, mesg):
    """gunicorn's own refusals (bad request line, URI or headers too long, a transfer-coding it does not
    know) in the API's problem shape, with the headers of every other answer."""
    request_id = uuid.uuid4().hex
    slug = "bad-request" if status_int == 400 else None  # the request line or headers, not the JSON body
    try:
        reason = HTTPStatus(status_int).phrase  # gunicorn says "Bad Request" for its 501 too
    except ValueError:
        pass
    body = json.dumps(problem_body(status_int, mesg or reason, title=reason, request_id=request_id,
                                   slug=slug)).encode()
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/problem+json\r\nContent-Length: {len(body)}\r\n"
            f"X-Request-ID: {request_id}\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\n\r\n")
    util.write_nonblock(sock, head.encode("latin-1") + body)


def refuse_chunks_past_the_limit(parse_chunk_size):
    """A chunk whose header declares more than MAX_BODY_BYTES is refused as its header is read (413 at once),
    instead of the body being read until the client stalls."""
    def checked(self, unreader, data=None):
        size, rest = parse_chunk_size(self, unreader, data)
        if size > _settings.max_body_bytes:
            raise DeclaredTooLarge(size)
        return size, rest
    return checked


if not hasattr(http_body.ChunkedReader, "parse_chunk_size"):
    raise RuntimeError("gunicorn's ChunkedReader.parse_chunk_size is gone: check refuse_chunks_past_the_limit")
http_body.ChunkedReader.parse_chunk_size = refuse_chunks_past_the_limit(http_body.ChunkedReader.parse_chunk_size)


# gunicorn has no setting for its error page: its writer is replaced (the pinned version's signature).
if not hasattr(util, "write_error"):
    raise RuntimeError("gunicorn.util.write_error is gone: check write_problem against this gunicorn")
util.write_error = write_problem
