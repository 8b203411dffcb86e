"""Reading a JSON request body: content type, size and syntax, each with its own problem."""

from __future__ import annotations

import json
from decimal import Decimal

from flask import request

JSON_TYPES = ("application/json",)


class BodyProblem(Exception):
    def __init__(self, status: int, detail: str):
        self.status, self.detail = status, detail
        super().__init__(detail)


def _no_constants(name):
    raise ValueError(f"{name} is not a number JSON allows")


def read_raw() -> bytes:
    """The body bytes of a JSON request; 415 for another media type, 413 past the size limit."""
    mimetype = request.mimetype or ""
    if mimetype not in JSON_TYPES and not (mimetype.startswith("application/") and mimetype.endswith("+json")):
        raise BodyProblem(415, f"Send the body as application/json, not {mimetype or 'no content type'}.")
    return request.get_data(cache=False)  # raises 413 past MAX_CONTENT_LENGTH


def parse_json(raw: bytes):
    try:
        # Decimal, never float: money and thresholds stay exact from the wire on.
        return json.loads(raw, parse_float=Decimal, parse_constant=_no_constants)
    except UnicodeDecodeError:
        raise BodyProblem(400, "The body is not UTF-8 text.") from None
    except json.JSONDecodeError as exc:
        raise BodyProblem(400, f"The body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}.") from None
    except (ValueError, RecursionError) as exc:
        raise BodyProblem(400, f"The body is not valid JSON: {exc}.") from None


def read_json():
    return parse_json(read_raw())
