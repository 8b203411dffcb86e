"""Log lines, one JSON object a line (LOG_FORMAT=json) or readable on a console (LOG_FORMAT=console).

Every line, the app's and gunicorn's own alike, goes through the standard library's logging to one handler
on stderr, rendered by structlog: time (UTC, ISO 8601), level, logger, pid, event, the fields a line passes
as `extra`, and the fields bound to the request being answered on that thread (request id, decision ids).
Lines below the level are dropped before anything is formatted.
"""

from __future__ import annotations

import logging
import os
import sys

import orjson
import structlog
from structlog.contextvars import bind_contextvars, clear_contextvars, merge_contextvars
from structlog.stdlib import (
    ExtraAdder,
    ProcessorFormatter,
    add_log_level,
    add_logger_name,
)

FORMATS = ("json", "console")
LEVELS = ("debug", "info", "warning", "error", "critical")
REQUEST_LOGGER = "incentive_api.requests"

# Request lines in JSON may skip the standard library: its record, and the formatter's copy of it, cost
# about 60 µs a line, several times structlog's own pipeline. None: through logging (tests, the CLI).
_request_lines = None


def begin_request(**fields) -> None:
    """A new request on this thread: forget the last one's fields, bind this one's."""
    clear_contextvars()
    bind_contextvars(**fields)


def bind(**fields) -> None:
    """Fields for every later line of the request being answered on this thread (and its request line)."""
    bind_contextvars(**fields)


def _pid(_logger, _method, event: dict) -> dict:
    event["pid"] = os.getpid()
    return event


def _json_bytes(event: dict, **_kw) -> bytes:
    return orjson.dumps(event, default=str)


def _json(event: dict, **_kw) -> str:
    return _json_bytes(event).decode()


def _named(_logger, _method, event: dict) -> dict:
    event["logger"] = REQUEST_LOGGER
    return event


def _common(named) -> list:
    """The fields every line carries, the request line and every other: the request's bound fields, level,
    logger (`named` adds it), pid and time."""
    return [merge_contextvars, add_log_level, named, _pid,
            structlog.processors.TimeStamper(fmt="iso", utc=True, key="time")]


def request_line(**fields) -> None:
    """One answered request's line, with the same fields and format as every other line."""
    if _request_lines is not None:
        _request_lines.info("request", **fields)
        return
    log = logging.getLogger(REQUEST_LOGGER)
    if log.isEnabledFor(logging.INFO):
        log.info("request", extra=fields)


def fast_request_lines(fmt: str, level: str, stream=None) -> None:
    """Write JSON request lines through structlog alone, to `stream` (stderr's binary buffer by default).

    Each line is one write on a buffered binary writer, which is thread-safe, and the standard handler's
    lines reach the same writer whole: lines of the two never interleave."""
    global _request_lines
    _request_lines = None if fmt.lower() != "json" else structlog.wrap_logger(
        structlog.BytesLogger(stream or sys.stderr.buffer),
        processors=[*_common(_named), structlog.processors.JSONRenderer(serializer=_json_bytes)],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())))


def logging_config(fmt: str = "json", level: str = "info") -> dict:
    """A logging.config.dictConfig dictionary (gunicorn's logconfig_dict) rendering every logger as `fmt`."""
    fmt, level = fmt.lower(), level.lower()
    if fmt not in FORMATS:
        raise SystemExit(f"LOG_FORMAT must be one of {', '.join(FORMATS)}; got {fmt!r}")
    if level not in LEVELS:
        raise SystemExit(f"LOG_LEVEL must be one of {', '.join(LEVELS)}; got {level!r}")
    fields = [*_common(add_logger_name), ExtraAdder()]
    if fmt == "json":
        render = [ProcessorFormatter.remove_processors_meta, structlog.processors.format_exc_info,
                  structlog.processors.JSONRenderer(serializer=_json)]
    else:
        render = [ProcessorFormatter.remove_processors_meta,
                  structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())]
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"structured": {"()": ProcessorFormatter, "processors": render, "foreign_pre_chain": fields}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "structured",
                                "stream": "ext://sys.stderr"}},
        "root": {"level": level, "handlers": ["stderr"]},
        # gunicorn's loggers come to the one handler too (its defaults give each a plain-text one).
        "loggers": {"gunicorn.error": {"level": level, "handlers": [], "propagate": True},
                    "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": True}},
    }
