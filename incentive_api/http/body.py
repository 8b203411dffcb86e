"""Reading a JSON request body: content type and size here, syntax in the core's parser."""

from __future__ import annotations

from flask import request

from ..core.jsonwire import loads
from ..service.problems import Problem

JSON_TYPES = ("application/json",)


def read_raw() -> bytes:
    """The body bytes of a JSON request; 415 for another media type, 413 past the size limit."""
    mimetype = request.mimetype or ""
    if mimetype not in JSON_TYPES and not (mimetype.startswith("application/") and mimetype.endswith("+json")):
        raise Problem(415, f"Send the body as application/json, not {mimetype or 'no content type'}.")
    return request.get_data(cache=False)  # raises 413 past MAX_CONTENT_LENGTH


def read_json():
    return loads(read_raw())
