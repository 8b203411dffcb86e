"""The Flask application: routes that hand validated input to the core and return its answers."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
import uuid
from pathlib import Path

import orjson
from flask import Flask, Response, g, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from ..cache.decisions import CachePolicy, Decisions, NotKept
from ..cache.store import RedisStore, Unavailable
from ..config import Settings
from ..core.describe import describe_edition, describe_program
from ..core.request import InvalidRequest, error_pointers, parse_request
from .body import BodyProblem, parse_json, read_json, read_raw
from .problems import problem, problem_body
from .responses import json_response as _json
from ..adapters.decision_log import DecisionLog
from .access import install_access
from .admin import register_admin
from .rules_state import RulesState
from .rules_sync import RulesSync
from .schemas import PROGRAMS_QUERY, batch_schema

OPENAPI_FILE = Path(__file__).resolve().parents[2] / "openapi.yaml"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}\Z")
_DECISION_ID = re.compile(r"^[0-9a-f]{32}\Z")
log = logging.getLogger("incentive_api")


def _today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def build_decisions(settings: Settings) -> Decisions:
    policy = CachePolicy(enabled=settings.cache_enabled, ttl_seconds=settings.cache_ttl_seconds,
                         l1_size=settings.cache_l1_size, retention_days=settings.decision_retention_days)
    store = None
    if settings.cache_enabled and settings.redis_url:
        store = RedisStore(settings.redis_url, timeout=settings.redis_timeout_ms / 1000,
                           backoff=settings.redis_backoff_seconds)
    return Decisions(policy, store)


def create_app(settings: Settings | None = None, state: RulesState | None = None,
               decisions: Decisions | None = None) -> Flask:
    settings = settings or Settings()
    decisions = decisions or build_decisions(settings)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    state = state or RulesState(settings.rules_dir)
    if state.active is None:
        state.load()
    sync = RulesSync(state, decisions.store, settings.run_dir, interval=settings.rules_poll_seconds)
    decision_log = DecisionLog(settings.decision_log)
    app.extensions.update(rules=state, decisions=decisions, rules_sync=sync, decision_log=decision_log)
    batch = batch_schema(settings.max_batch_items)

    @app.before_request
    def _request_id():
        sent = request.headers.get("X-Request-ID", "")
        g.request_id = sent if _REQUEST_ID.match(sent) else uuid.uuid4().hex
        g.started = time.perf_counter()
        sync.ensure_following()

    @app.after_request
    def _headers(response: Response):
        response.headers["X-Request-ID"] = g.get("request_id") or uuid.uuid4().hex
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers.setdefault("Cache-Control", "no-store")  # answers are per caller and per ruleset
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
        raw, ruleset = read_raw(), active.ruleset
        try:
            out, status = decisions.answer(ruleset, _today(), raw, parse_json)
        except InvalidRequest as bad:
            return problem(422, "The request has invalid fields; see errors.", bad.errors)
        decision_log.record(raw, out, time.perf_counter() - g.started, status)
        return Response(out, mimetype="application/json",
                        headers={"X-Ruleset-Revision": ruleset.revision, "X-Cache": status})

    @app.post("/v1/eligibility/batch")
    def eligibility_batch():
        active, unavailable = active_or_503()
        if unavailable:
            return unavailable
        body = read_json()
        if not isinstance(body, dict):
            return problem(422, "The batch envelope is invalid; see errors.",
                           [{"pointer": "", "message": "The body must be a JSON object: {\"items\": [...]}."}])
        try:
            items = batch.load(body)["items"]
        except ValidationError as exc:
            return problem(422, "The batch envelope is invalid; see errors.", error_pointers(exc.messages))
        ruleset, today = active.ruleset, _today()
        parts: list = [None] * len(items)
        valid, where = [], []
        problems = 0

        def item_problem(i: int, bad: InvalidRequest | None = None) -> bytes:
            nonlocal problems
            problems += 1
            if bad is None:
                return json.dumps(problem_body(500, f"Item {i} could not be evaluated.")).encode()
            errors = [{"pointer": f"/items/{i}{e['pointer']}", "message": e["message"]} for e in bad.errors]
            return json.dumps(problem_body(422, f"Item {i} has invalid fields; see errors.", errors)).encode()

        for i, item in enumerate(items):
            try:
                valid.append(parse_request(item))
                where.append(i)
            except InvalidRequest as bad:
                parts[i] = item_problem(i, bad)
        cache = {"hit-l1": 0, "hit-l2": 0, "miss": 0, "bypass": 0}
        try:
            answered = decisions.decide_many(ruleset, today, valid)
        except Exception:  # an unknown program id, or a fault, in some item: answer item by item
            answered = None
        for n, i in enumerate(where):
            if answered is not None:
                out, status = answered[n]
            else:
                try:
                    out, status = decisions.decide_many(ruleset, today, [valid[n]])[0]
                except InvalidRequest as bad:
                    parts[i] = item_problem(i, bad)
                    continue
                except Exception:  # one item's fault never fails the others
                    log.exception("batch item %d failed", i)
                    parts[i] = item_problem(i)
                    continue
            parts[i] = out
            cache[status] += 1
            decision_log.record(items[i], out, time.perf_counter() - g.started, status)
        summary = {"decisions": len(items) - problems, "problems": problems, "cache": cache}
        tail = json.dumps({"summary": summary, "ruleset": {"revision": ruleset.revision}}, separators=(",", ":"))
        out = b'{"items":[' + b",".join(parts) + b"]," + tail[1:].encode()
        return Response(out, mimetype="application/json", headers={"X-Ruleset-Revision": ruleset.revision})

    @app.get("/v1/decisions/<decision_id>")
    def decision_record(decision_id: str):
        if not _DECISION_ID.match(decision_id):
            return problem(404, "No such decision: decision ids are 32 lower-case hex digits.")
        try:
            out = decisions.record(decision_id)
        except NotKept:
            return problem(503, "This service keeps no decision records: it runs with CACHE=off or without Redis.")
        except Unavailable:
            return problem(503, "Decision records are unavailable right now; try again shortly.",
                           headers={"Retry-After": "5"})
        if out is None:
            return problem(404, f"No decision {decision_id!r}: unknown, or past its retention.")
        return Response(out, mimetype="application/json")

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
                      "programs": [describe_edition(e) for e in editions]},
                     headers={"X-Ruleset-Revision": active.ruleset.revision})

    @app.get("/v1/programs/<program_id>")
    def program(program_id: str):
        active, unavailable = active_or_503()
        if unavailable:
            return unavailable
        found = active.ruleset.programs.get(program_id)
        if found is None:
            return problem(404, f"No program {program_id!r}; GET /v1/programs lists them.")
        return _json({**describe_program(found), "ruleset": {"revision": active.ruleset.revision}},
                     headers={"X-Ruleset-Revision": active.ruleset.revision})

    @app.get("/v1/ruleset")
    def ruleset():
        active, unavailable = active_or_503()
        if unavailable:
            return unavailable
        rs = active.ruleset
        failed = sync.last_failed or ({"at": None, "errors": state.last_error} if state.last_error else None)
        return _json({"revision": rs.revision, "loaded_at": active.loaded_at, "files": rs.files,
                      "program_count": len(rs.programs), "edition_count": rs.edition_count,
                      "last_failed_load": failed}, headers={"X-Ruleset-Revision": rs.revision})

    register_admin(app, state, sync)

    if settings.bench_routes:
        @app.post("/_bench/echo")
        def bench_echo():
            """The benchmark's floor: the same body reading and JSON work, no validation or rules."""
            out = orjson.dumps(parse_json(read_raw()), default=float)  # the same serialiser as decisions
            return Response(out, mimetype="application/json")

    install_access(app, settings)  # after every route exists: it budgets the batch route apart

    @app.get("/healthz")
    def healthz():
        return _json({"status": "ok"})

    @app.get("/readyz")
    def readyz():
        active = state.active
        if active is None:
            return problem(503, "Rules are not loaded.", [{"pointer": "", "message": e} for e in (state.last_error or [])][:50],
                           headers={"Retry-After": "5"})
        return _json({"status": "ready", "revision": active.ruleset.revision, "cache": decisions.health(),
                      "decision_log": {"sink": decision_log.sink, "written": decision_log.written,
                                       "dropped": decision_log.dropped}})

    @app.get("/openapi.yaml")
    def openapi():
        return Response(OPENAPI_FILE.read_bytes(), mimetype="application/yaml")

    @app.errorhandler(BodyProblem)
    def _body_problem(exc: BodyProblem):
        return problem(exc.status, exc.detail, exc.errors)

    @app.errorhandler(HTTPException)
    def _http_problem(exc: HTTPException):
        detail = {
            404: "No such resource; see /openapi.yaml for the routes.",
            405: f"{request.method} is not allowed here.",
            413: f"The body is larger than {settings.max_body_bytes} bytes.",
            429: f"Too many requests: this key may make {exc.description}; retry after Retry-After seconds.",
        }.get(exc.code, exc.description or exc.name)
        headers = {"Allow": ", ".join(exc.valid_methods)} if getattr(exc, "valid_methods", None) else None
        return problem(exc.code or 500, detail, headers=headers)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error")
        return problem(500, "The service failed to answer; the request id identifies it in the logs.")

    return app
