"""The Flask application: routes that hand validated input to the core and return its answers."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import uuid
from pathlib import Path

from flask import Flask, Response, g, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from ..config import Settings
from ..core.describe import describe_edition, describe_program
from ..core.engine import decide
from ..core.request import InvalidRequest, error_pointers, parse_request
from .body import BodyProblem, read_json
from .problems import problem, problem_body
from .rules_state import RulesState
from .schemas import PROGRAMS_QUERY, batch_schema

OPENAPI_FILE = Path(__file__).resolve().parents[2] / "openapi.yaml"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
log = logging.getLogger("incentive_api")


def _json(body, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(body, ensure_ascii=False, separators=(",", ":")), status=status,
                    mimetype="application/json", headers=headers)


def _today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def create_app(settings: Settings | None = None, state: RulesState | None = None) -> Flask:
    settings = settings or Settings()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    state = state or RulesState(settings.rules_dir)
    if state.active is None:
        state.load()
    app.extensions["rules"] = state
    batch = batch_schema(settings.max_batch_items)

    @app.before_request
    def _request_id():
        sent = request.headers.get("X-Request-ID", "")
        g.request_id = sent if _REQUEST_ID.match(sent) else uuid.uuid4().hex

    @app.after_request
    def _headers(response: Response):
        response.headers["X-Request-ID"] = g.get("request_id") or uuid.uuid4().hex
        return response

    def active_or_503():
        active = state.active
        if active is None:
            return None, problem(503, "No ruleset is loaded yet.", headers={"Retry-After": "5"})
        return active, None

    @app.post("/v1/eligibility")
    def eligibility():
        active, unavailable = active_or_503()
        if unavailable:
            return unavailable
        try:
            decision = decide(active.ruleset, parse_request(read_json()), today=_today())
        except InvalidRequest as bad:
            return problem(422, "The request has invalid fields; see errors.", bad.errors)
        return _json(decision, headers={"X-Ruleset-Revision": active.ruleset.revision})

    @app.post("/v1/eligibility/batch")
    def eligibility_batch():
        active, unavailable = active_or_503()
        if unavailable:
            return unavailable
        body = read_json()
        try:
            items = batch.load(body if isinstance(body, dict) else {"": body})["items"]
        except ValidationError as exc:
            return problem(422, "The batch envelope is invalid; see errors.", error_pointers(exc.messages))
        ruleset, today = active.ruleset, _today()
        results, failed = [], 0
        for i, item in enumerate(items):
            try:
                results.append(decide(ruleset, parse_request(item), today=today))
            except InvalidRequest as bad:
                failed += 1
                errors = [{"pointer": f"/items/{i}{e['pointer']}", "message": e["message"]} for e in bad.errors]
                results.append(problem_body(422, f"Item {i} has invalid fields; see errors.", errors))
            except Exception:  # one item's fault never fails the others
                log.exception("batch item %d failed", i)
                failed += 1
                results.append(problem_body(500, f"Item {i} could not be evaluated."))
        return _json({"items": results, "summary": {"decisions": len(items) - failed, "problems": failed},
                      "ruleset": {"revision": ruleset.revision}},
                     headers={"X-Ruleset-Revision": ruleset.revision})

    @app.get("/v1/programs")
    def programs():
        active, unavailable = active_or_503()
        if unavailable:
            return unavailable
        try:
            query = PROGRAMS_QUERY.load(request.args.to_dict())
        except ValidationError as exc:
            return problem(422, "The query string is invalid; see errors.", error_pointers(exc.messages))
        as_of = query.get("as_of") or _today()
        editions = active.ruleset.in_effect(query.get("port"), as_of)
        return _json({"as_of": as_of.isoformat(), "port": query.get("port"),
                      "ruleset": {"revision": active.ruleset.revision},
                      "programs": [describe_edition(e) for e in editions]})

    @app.get("/v1/programs/<program_id>")
    def program(program_id: str):
        active, unavailable = active_or_503()
        if unavailable:
            return unavailable
        found = active.ruleset.programs.get(program_id)
        if found is None:
            return problem(404, f"No program {program_id!r}; GET /v1/programs lists them.")
        return _json({**describe_program(found), "ruleset": {"revision": active.ruleset.revision}})

    @app.get("/v1/ruleset")
    def ruleset():
        active, unavailable = active_or_503()
        if unavailable:
            return unavailable
        rs = active.ruleset
        return _json({"revision": rs.revision, "loaded_at": active.loaded_at, "files": rs.files,
                      "program_count": len(rs.programs), "edition_count": rs.edition_count,
                      "last_failed_load": state.last_error})

    @app.get("/healthz")
    def healthz():
        return _json({"status": "ok"})

    @app.get("/readyz")
    def readyz():
        active = state.active
        if active is None:
            return problem(503, "Rules are not loaded.", [{"pointer": "", "message": e} for e in (state.last_error or [])][:50])
        return _json({"status": "ready", "revision": active.ruleset.revision})

    @app.get("/openapi.yaml")
    def openapi():
        return Response(OPENAPI_FILE.read_bytes(), mimetype="application/yaml")

    @app.errorhandler(BodyProblem)
    def _body_problem(exc: BodyProblem):
        return problem(exc.status, exc.detail)

    @app.errorhandler(HTTPException)
    def _http_problem(exc: HTTPException):
        detail = {
            404: "No such resource; see /openapi.yaml for the routes.",
            405: f"{request.method} is not allowed here.",
            413: f"The body is larger than {settings.max_body_bytes} bytes.",
        }.get(exc.code, exc.description or exc.name)
        headers = {"Allow": ", ".join(exc.valid_methods)} if getattr(exc, "valid_methods", None) else None
        return problem(exc.code or 500, detail, headers=headers)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error")
        return problem(500, "The service failed to answer; the request id identifies it in the logs.")

    return app
