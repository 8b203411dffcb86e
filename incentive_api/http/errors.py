"""Every failure answered as a problem, by type: views raise, these handlers answer."""

from __future__ import annotations

import logging

from flask import Flask, current_app, request
from werkzeug.exceptions import HTTPException

from ..cache.decisions import NotKept
from ..cache.store import Unavailable
from ..core.jsonwire import MalformedJson
from ..core.request import InvalidRequest
from ..service.problems import Problem
from .problems import problem

log = logging.getLogger("incentive_api")


def _invalid(exc: InvalidRequest):
    return problem(422, "The request has invalid fields; see errors.", exc.errors)


def _malformed(exc: MalformedJson):
    errors = [{"pointer": exc.pointer, "message": exc.detail}] if exc.pointer is not None else None
    detail = "The body is nested too deeply." if exc.status == 422 else exc.detail
    return problem(exc.status, detail, errors)


def _refused(exc: Problem):
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
    return problem(exc.status, exc.detail, exc.errors, title=exc.title, headers=headers)


def _records_not_kept(exc: NotKept):
    return problem(503, "This service keeps no decision records: it runs with CACHE=off or without Redis.")


def _records_unavailable(exc: Unavailable):
    return problem(503, "Decision records are unavailable right now; try again shortly.", headers={"Retry-After": "5"})


def _http(exc: HTTPException):
    detail = {
        404: "No such resource; see /openapi.yaml for the routes.",
        405: f"{request.method} is not allowed here.",
        413: f"The body is larger than {current_app.config['MAX_CONTENT_LENGTH']} bytes.",
        429: f"Too many requests: this key may make {exc.description}; retry after Retry-After seconds.",
    }.get(exc.code, exc.description or exc.name)
    headers = {"Allow": ", ".join(exc.valid_methods)} if getattr(exc, "valid_methods", None) else None
    return problem(exc.code or 500, detail, headers=headers)


def _unexpected(exc: Exception):
    log.exception("unhandled error")
    return problem(500, "The service failed to answer; the request id identifies it in the logs.")


def register_error_handlers(app: Flask) -> None:
    for kind, handler in ((InvalidRequest, _invalid), (MalformedJson, _malformed), (Problem, _refused),
                          (NotKept, _records_not_kept), (Unavailable, _records_unavailable),
                          (HTTPException, _http), (Exception, _unexpected)):
        app.register_error_handler(kind, handler)
