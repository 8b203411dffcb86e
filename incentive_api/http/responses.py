"""JSON answers (problem details live in problems.py)."""

from __future__ import annotations

import json

from flask import Response


def json_response(body, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(body, ensure_ascii=False, separators=(",", ":")), status=status,
                    mimetype="application/json", headers=headers)
