"""RFC 9457 problem details: every error the API returns has this shape."""

from __future__ import annotations

import json

from flask import Response, g

PROBLEM_TYPE = "application/problem+json"
TYPES = {
    400: ("malformed-json", "Malformed JSON"),
    401: ("unauthorized", "Unauthorized"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    413: ("too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("invalid-request", "Invalid request"),
    429: ("too-many-requests", "Too many requests"),
    500: ("internal-error", "Internal server error"),
    503: ("unavailable", "Service unavailable"),
}


def problem_body(status: int, detail: str, errors: list | None = None, title: str | None = None) -> dict:
    slug, default_title = TYPES.get(status, ("error", "Error"))
    body = {"type": f"urn:incentive-api:problem:{slug}", "title": title or default_title, "status": status,
            "detail": detail}
    if errors:
        body["errors"] = errors
    rid = g.get("request_id") if g else None
    if rid:
        body["request_id"] = rid
    return body


def problem(status: int, detail: str, errors: list | None = None, title: str | None = None,
            headers: dict | None = None) -> Response:
    body = problem_body(status, detail, errors, title)
    return Response(json.dumps(body), status=status, mimetype=PROBLEM_TYPE, headers=headers)
