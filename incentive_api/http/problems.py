"""RFC 9457 problem details: every error the API returns has this shape."""

from __future__ import annotations

import json

from flask import Response, g

from ..service.problems import problem_body

PROBLEM_TYPE = "application/problem+json"


def problem(status: int, detail: str, errors: list | None = None, title: str | None = None,
            headers: dict | None = None) -> Response:
    body = problem_body(status, detail, errors, title, request_id=g.get("request_id") if g else None)
    return Response(json.dumps(body), status=status, mimetype=PROBLEM_TYPE, headers=headers)
