"""Reading a JSON request body: content type, size and syntax, each with its own problem."""

from __future__ import annotations

import json
from decimal import Decimal

from flask import request

JSON_TYPES = ("application/json",)


class BodyProblem(Exception):
    def __init__(self, status: int, detail: str, errors: list | None = None):
        self.status, self.detail, self.errors = status, detail, errors
        super().__init__(detail)


class OutOfRange:
    """A JSON number the service will not read (NaN, Infinity, 30+ digit integers).

    Parsed as this marker rather than refused outright, so the request schema
    names the field with a 422 instead of a bare 400.
    """

    def __init__(self, text: str):
        self.text = text


def _constant(name: str) -> OutOfRange:
    return OutOfRange(name)


def _integer(text: str):
    return int(text) if len(text) <= 30 else OutOfRange(text[:12] + "...")


def read_raw() -> bytes:
    """The body bytes of a JSON request; 415 for another media type, 413 past the size limit."""
    mimetype = request.mimetype or ""
    if mimetype not in JSON_TYPES and not (mimetype.startswith("application/") and mimetype.endswith("+json")):
        raise BodyProblem(415, f"Send the body as application/json, not {mimetype or 'no content type'}.")
    return request.get_data(cache=False)  # raises 413 past MAX_CONTENT_LENGTH


def parse_json(raw: bytes):
    try:
        # Decimal, never float: money and thresholds stay exact from the wire on.
        return json.loads(raw, parse_float=Decimal, parse_constant=_constant, parse_int=_integer)
    except UnicodeDecodeError:
        raise BodyProblem(400, "The body is not UTF-8 text.") from None
    except json.JSONDecodeError as exc:
        raise BodyProblem(400, f"The body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}.") from None
    except RecursionError:
        raise BodyProblem(422, "The body is nested too deeply.",
                          [{"pointer": "", "message": "Nested too deeply; no request needs more than a few levels."}]) from None
    except ValueError as exc:
        raise BodyProblem(400, f"The body is not valid JSON: {exc}.") from None


def read_json():
    return parse_json(read_raw())
