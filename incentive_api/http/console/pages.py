"""The console's pages, its static files, the Swagger UI assets, and two small conversions for the plan page."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, Response, abort, g, redirect, render_template, request, send_from_directory, url_for
from swagger_ui_bundle import swagger_ui_path

from ...core.inputs import VESSEL_TYPES
from ...core.jsonwire import MalformedJson, loads
from ...service.problems import problem_body
from ..problems import PROBLEM_TYPE
from .chart import ChartError, plan_chart
from .schedule import ScheduleError, parse_schedule

bp = Blueprint("console", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static")

# No inline script or style anywhere: every script and stylesheet is a file served from here. Images may be
# data: URIs (Swagger UI's icons) and blob: URLs (the chart, fetched with the key and shown from memory).
CSP = "; ".join([
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:",
    "font-src 'self'", "connect-src 'self'", "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'",
])
SWAGGER_DIR = Path(str(swagger_ui_path))
SWAGGER_FILES = frozenset({"swagger-ui.css", "swagger-ui-bundle.js"})
PAGES = {"programs": "Programs", "decide": "Decide", "plan": "Plan", "operator": "Operator", "docs": "API docs"}


def secure_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Source links open other sites: they are not told which console page, or which decision, linked them.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _page(name: str):
    return render_template(f"{name}.html", page=name, pages=PAGES, vessel_types=VESSEL_TYPES)


@bp.get("/")
def index():
    return redirect(url_for("console.page", name="programs"))


# Only the pages themselves: a catch-all would also claim /schedule, whose GET is no page (405, Allow: POST).
@bp.get(f"/<any({', '.join([*PAGES, 'record'])}):name>")
def page(name: str):
    return _page(name)


@bp.get("/docs/assets/<name>")
def swagger_asset(name: str):
    if name not in SWAGGER_FILES:
        abort(404)
    return send_from_directory(SWAGGER_DIR, name, max_age=3600)


@bp.post("/schedule")
def schedule():
    """A CSV schedule (port, arrival, departure, fees) as the `calls` of a plan body."""
    try:
        calls = parse_schedule(request.get_data(as_text=True))
    except ScheduleError as exc:
        listed = "" if exc.count == len(exc.errors) else f" ({exc.count} in all; the first {len(exc.errors)} listed)"
        return _problem(f"The schedule could not be read; see errors{listed}.", exc.errors)
    return Response(json.dumps({"calls": calls}), mimetype="application/json")


@bp.post("/plan-chart.svg")
def chart():
    """A plan's `totals` drawn as bars of money per port and per program."""
    try:
        svg = plan_chart(loads(request.get_data(cache=False)))
    except MalformedJson as exc:  # not JSON, or nested past what the service reads
        return _problem(f"The plan's totals could not be read: {exc.detail}", [])
    except ChartError as exc:
        return _problem(str(exc), [])
    return Response(svg, mimetype="image/svg+xml")


def _problem(detail: str, errors: list) -> Response:
    body = problem_body(422, detail, errors, request_id=g.get("request_id"))
    return Response(json.dumps(body), status=422, mimetype=PROBLEM_TYPE)
