"""Every failure answered as a problem, by type: views raise, these handlers answer."""

from __future__ import annotations

import logging

from flask import Flask, current_app, request
from werkzeug.exceptions import HTTPException

from ..core.jsonwire import MalformedJson
from ..core.request import InvalidRequest
from ..service.problems import Problem
from ..service.recording import NotRecorded, RecordPending, RecordsOff, RecordsUnavailable
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


def _records_off(exc: RecordsOff):
    return problem(503, "This service keeps no decision records: it runs with RECORDS=off.")


def _record_pending(exc: RecordPending):
    return problem(503, "The record is kept and on its way to the records database (it was journaled while the "
                        "database was away); retry after Retry-After seconds.", headers={"Retry-After": "2"})


def _records_unavailable(exc: Exception):
    return problem(503, "Decision records are unavailable right now; try again shortly.", headers={"Retry-After": "5"})


def _not_recorded(exc: NotRecorded):
    # An answer whose record cannot be kept is not sent: a billing system must be able to prove it later.
    log.error("answer withheld: its record could not be kept (%s)", exc)
    return problem(503, "The decision was made but could not be recorded, so it was not sent; retry shortly.",
                   headers={"Retry-After": "5"})


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
                          (RecordsOff, _records_off), (RecordPending, _record_pending),
                          (RecordsUnavailable, _records_unavailable),
                          (NotRecorded, _not_recorded),
                          (HTTPException, _http), (Exception, _unexpected)):
        app.register_error_handler(kind, handler)
