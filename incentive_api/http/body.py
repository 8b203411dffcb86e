"""Reading a JSON request body: content type and size here, syntax in the core's parser."""

from __future__ import annotations

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from ..core.jsonwire import loads
from ..service.problems import Problem

JSON_TYPES = ("application/json",)


class DeclaredTooLarge(Exception):
    """A chunk of a chunked body declared more bytes than a whole body may have (gunicorn.conf.py raises it
    as the chunk's header is read): refused at once, without waiting for bytes it would refuse anyway."""
DRAIN_FACTOR = 4  # past the limit, up to this many times the limit is read and dropped before answering 413


def read_raw() -> bytes:
    """The body bytes of a JSON request; 415 for another media type, 413 past the size limit."""
    mimetype = request.mimetype or ""
    if mimetype not in JSON_TYPES and not (mimetype.startswith("application/") and mimetype.endswith("+json")):
        raise Problem(415, f"Send the body as application/json, not {mimetype or 'no content type'}.")
    if request.content_length is None and request.environ.get("wsgi.input_terminated"):
        return _read_chunked()
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and request.content_length > limit:
        _drain(request.environ["wsgi.input"], min(request.content_length, DRAIN_FACTOR * limit))
        raise RequestEntityTooLarge()
    return request.get_data(cache=False)


def _drain(stream, most: int) -> None:
    """Read and drop up to `most` bytes of a body being refused, so that a client still sending it gets the
    413 instead of a connection closed under it; past that, the connection is closed."""
    left = most
    try:
        while left > 0:
            chunk = stream.read(min(65536, left))
            if not chunk:
                return
            left -= len(chunk)
    except Exception:  # noqa: BLE001  stalled or cut short: the refusal stands either way
        return


def _read_chunked() -> bytes:
    """A body without Content-Length (chunked): read one byte past the limit, so that a body too large is
    refused whole instead of being cut at the limit and answered as if it had been sent so."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    stream = request.environ["wsgi.input"]
    try:
        data = stream.read(limit + 1)
        if len(data) > limit:
            _drain(stream, DRAIN_FACTOR * limit)
            raise RequestEntityTooLarge()
    except RequestEntityTooLarge:
        raise
    except DeclaredTooLarge:
        raise RequestEntityTooLarge() from None
    except Exception as exc:  # noqa: BLE001  the server's own: stalled, cut short, or not valid chunked
        raise Problem(400, f"The body did not arrive whole ({type(exc).__name__}).") from None
    return data


def read_json():
    return loads(read_raw())
