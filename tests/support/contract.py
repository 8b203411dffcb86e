"""The API contract in the tests: openapi.yaml judges every request/response pair the tests make.

Registered from tests/conftest.py (``pytest_plugins = ["support.contract"]``), this module gives:

``api_client``
    A Flask test client of ``create_app()`` with the real rules.
``make_client(settings=None, state=None)``
    A factory: a Flask test client of ``create_app(settings, state)`` (e.g. another rules directory).
``live_url``
    The base URL of gunicorn started with the repo's gunicorn.conf.py (``WEB_CONCURRENCY=2``) on a free
    127.0.0.1 port for the test session, once ``/readyz`` answers 200.
``live_api``
    An ``httpx.Client`` on ``live_url``.

Every client here validates each exchange with openapi-core and fails the test (``ContractViolation``,
an ``AssertionError``) when the response does not match the document, including problem+json errors.
Beyond the schemas it checks the rules the document states in prose:

* a request the document calls invalid must get a 4xx (the exceptions are the lists read item by item:
  a batch's invalid items must each be answered with a problem in its place, and a dry-run's invalid
  requests must be counted in `invalid_requests`);
* ``X-Request-ID`` is echoed when it matches ``^[A-Za-z0-9._:-]{1,128}$``, else a fresh 32-hex id;
* a problem's ``status`` is the HTTP status and its ``request_id`` the ``X-Request-ID`` header;
* ``X-Ruleset-Revision`` equals the body's ``ruleset.revision``; a batch answers one item per item;
* a path the document does not list gets 404, a method it does not list for a path 405 with ``Allow``.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import jsonschema.validators
import pytest
import yaml
from jsonschema.exceptions import ValidationError as SchemaError
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.deserializing.media_types.util import json_loads
from openapi_core.templating.paths.exceptions import (
    OperationNotFound,
    PathError,
    PathNotFound,
)
from openapi_core.validation.schemas.factories import SchemaValidatorsFactory
from openapi_schema_validator import OAS30ReadValidator, OAS31Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from werkzeug.datastructures import Headers, ImmutableMultiDict

from incentive_api.testing import GunicornServer
from support.helpers import AUTH, KeyedClient

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "openapi.yaml"

SENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}\Z")
GENERATED_REQUEST_ID = re.compile(r"^[0-9a-f]{32}\Z")
PROBLEM_JSON = "application/problem+json"
BATCH_PATH = "/v1/eligibility/batch"
DRY_RUN_PATH = "/v1/admin/rules/dry-run"
# The problem type each status carries, as the document's description lists them.
PROBLEM_TYPES = {400: "malformed-json", 401: "unauthorized", 403: "forbidden", 429: "too-many-requests",
                 414: "uri-too-long", 431: "headers-too-large",
                 404: "not-found", 405: "method-not-allowed", 413: "too-large",
                 415: "unsupported-media-type", 422: "invalid-request", 500: "internal-error", 503: "unavailable"}


class ContractViolation(AssertionError):
    """A request/response pair that does not keep openapi.yaml."""


# ---------------------------------------------------------------------------------------------- the document


@functools.lru_cache(maxsize=1)
def spec_dict() -> dict:
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


def _yaml_loads(value: bytes, **parameters: str) -> Any:
    return yaml.safe_load(value)


def _text(value: bytes, **parameters: str) -> str:
    return value.decode(parameters.get("charset", "utf-8"))


@functools.cache
def ecma_regex(pattern: str) -> re.Pattern:
    """A document pattern as ECMA-262 reads it (no m flag): '$' is the end of the string, as Python's \\Z.

    Python's '$' also matches before a final newline, so under Python's reading 'USLGB\\n' would match
    '^[A-Z]{2}[A-Z2-9]{3}$' and a server that accepts it would look right.
    """
    return re.compile(re.sub(r"(?<!\\)\$", r"\\Z", pattern))


def _ecma_pattern(validator, pattern, instance, schema):
    if validator.is_type(instance, "string") and not ecma_regex(pattern).search(instance):
        yield SchemaError(f"{instance!r} does not match {pattern!r}")


# OAS 3.1 schemas, with patterns read as ECMA-262 (the dialect JSON Schema patterns are written in).
EcmaOAS31Validator = jsonschema.validators.extend(OAS31Validator, {"pattern": _ecma_pattern})


@functools.lru_cache(maxsize=1)
def openapi() -> OpenAPI:
    config = Config(
        extra_media_type_deserializers={
            PROBLEM_JSON: json_loads,  # RFC 9457 bodies are JSON
            "application/yaml": _yaml_loads,  # GET /openapi.yaml
            "text/csv": _text,  # GET /v1/decisions with Accept: text/csv
        },
        schema_validators_factory=SchemaValidatorsFactory(
            EcmaOAS31Validator, format_checker=OAS30ReadValidator.FORMAT_CHECKER),  # as openapi-core's own
    )
    return OpenAPI.from_file_path(str(SPEC_PATH), config=config)


@functools.cache
def component_validator(pointer: str):
    """A validator for the schema at `pointer` in openapi.yaml (e.g. '#/components/schemas/Problem')."""
    resource = Resource.from_contents(spec_dict(), default_specification=DRAFT202012)
    registry = Registry().with_resource("urn:incentive-api:openapi", resource)
    return EcmaOAS31Validator({"$ref": f"urn:incentive-api:openapi{pointer}"}, registry=registry,
                              format_checker=OAS30ReadValidator.FORMAT_CHECKER)


def _response_schema_pointer(name: str, media_type: str = PROBLEM_JSON) -> str:
    return f"#/components/responses/{name}/content/{media_type.replace('/', '~1')}/schema"


# ---------------------------------------------------------------------------------------------- exchanges


@dataclass
class WireRequest:
    """A request as sent, in the shape openapi-core reads (openapi_core.protocols.Request)."""

    host_url: str
    path: str
    method: str  # lower case
    body: bytes | None
    content_type: str
    parameters: RequestParameters = field(default_factory=RequestParameters)

    @property
    def header(self) -> Headers:
        return self.parameters.header


@dataclass
class WireResponse:
    """A response as received (openapi_core.protocols.Response)."""

    status_code: int
    headers: Headers
    data: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")

    @property
    def mimetype(self) -> str:
        return self.content_type.split(";")[0].strip().lower()

    def json(self) -> Any:
        return json.loads(self.data)


def wire_request(*, url: str, method: str, headers: Iterable[tuple[str, str]], body: bytes | None) -> WireRequest:
    parts = urlsplit(url)
    hdrs = Headers(list(headers))
    return WireRequest(
        host_url=f"{parts.scheme}://{parts.netloc}",
        path=parts.path or "/",
        method=method.lower(),
        body=body if body else None,
        content_type=(hdrs.get("Content-Type") or "").lower(),
        parameters=RequestParameters(query=ImmutableMultiDict(parse_qsl(parts.query, keep_blank_values=True)),
                                     header=hdrs, cookie=ImmutableMultiDict()),
    )


def _describe(exc: BaseException) -> list[str]:
    """openapi-core's error with the JSON-schema errors beneath it, one line each."""
    lines = [f"{type(exc).__name__}: {exc}" if not exc.__cause__ else f"{type(exc).__name__}"]
    cause = exc.__cause__
    for err in getattr(cause, "schema_errors", None) or []:
        lines.append(f"  at {getattr(err, 'json_path', '$')}: {getattr(err, 'message', err)}")
    if cause is not None and not getattr(cause, "schema_errors", None):
        lines.append(f"  {type(cause).__name__}: {cause}")
    return lines


def _schema_errors(exc: BaseException) -> list[SchemaError]:
    return [e for e in (getattr(exc.__cause__, "schema_errors", None) or []) if isinstance(e, SchemaError)]


def violations(req: WireRequest, resp: WireResponse, validate_response: bool = True) -> list[str]:
    """Every way this exchange breaks openapi.yaml; empty when it keeps it.

    validate_response=False skips openapi-core's check of the response (for bodies too big to check
    in time, which another validator has checked); every other rule still applies.
    """
    out: list[str] = []
    out += _request_id_violations(req, resp)

    request_errors = list(openapi().request_validator.iter_errors(req))
    path_error = next((e for e in request_errors if isinstance(e, PathError)), None)
    if path_error is not None:
        return out + _unlisted_violations(req, resp, path_error)

    if validate_response:
        for exc in openapi().response_validator.iter_errors(req, resp):
            out += ["response does not match openapi.yaml:"] + _describe(exc)

    accepted_in_place = resp.status_code == 200 and _invalid_items_answered(req, request_errors, resp)
    if request_errors and not 400 <= resp.status_code < 500 and not accepted_in_place:
        out.append(f"the request breaks openapi.yaml but was answered {resp.status_code}, not a 4xx:")
        for exc in request_errors:
            out += _describe(exc)

    out += _body_invariants(req, resp)
    return out


def _request_id_violations(req: WireRequest, resp: WireResponse) -> list[str]:
    got = resp.headers.get("X-Request-ID")
    sent = req.header.get("X-Request-ID")
    if got is None:
        return ["no X-Request-ID response header"]
    if sent is not None and SENT_REQUEST_ID.match(sent):
        return [] if got == sent else [f"X-Request-ID {sent!r} was not echoed (got {got!r})"]
    if not GENERATED_REQUEST_ID.match(got):
        return [f"X-Request-ID {got!r} is not a generated 32-hex id (sent {sent!r})"]
    return []


def _unlisted_violations(req: WireRequest, resp: WireResponse, error: PathError) -> list[str]:
    """A path or method the document does not list: 404 or 405 problems (HEAD/OPTIONS are Flask's own)."""
    if isinstance(error, OperationNotFound):
        if req.method in ("head", "options") and resp.status_code == 200:
            return []
        expected, component = 405, "MethodNotAllowed"
    elif isinstance(error, PathNotFound):
        expected, component = 404, "NotFound"
    else:
        return [f"openapi.yaml cannot place {req.method.upper()} {req.host_url}{req.path}: {error}"]
    out = []
    if resp.status_code != expected:
        out.append(f"{req.method.upper()} {req.path} is not in openapi.yaml: expected {expected}, got {resp.status_code}")
        return out
    if resp.mimetype != PROBLEM_JSON:
        return out + [f"{expected} answered as {resp.content_type!r}, not {PROBLEM_JSON}"]
    try:
        body = resp.json()
    except ValueError as exc:
        return out + [f"{expected} body is not JSON: {exc}"]
    for err in component_validator(_response_schema_pointer(component)).iter_errors(body):
        out.append(f"{expected} body does not match components/responses/{component}: "
                   f"at {err.json_path}: {err.message}")
    if expected == 405 and not resp.headers.get("Allow"):
        out.append("405 without an Allow header")
    return out + _body_invariants(req, resp)


def _invalid_items_answered(req: WireRequest, request_errors: list, resp: WireResponse) -> bool:
    """Lists read item by item: only items are invalid, and each invalid item was answered as such.

    A batch answers an invalid item with a problem in its place; a dry-run counts it in
    invalid_requests and skips it.
    """
    key = {BATCH_PATH: "items", DRY_RUN_PATH: "requests"}.get(req.path)
    if key is None:
        return False
    bad_items: set[int] = set()
    for exc in request_errors:
        errors = _schema_errors(exc)
        if not errors:
            return False
        for err in errors:
            path = list(err.absolute_path)
            if len(path) < 2 or path[0] != key or not isinstance(path[1], int):
                return False
            bad_items.add(path[1])
    try:
        body = resp.json()
    except ValueError:
        return False
    if key == "requests":
        return body.get("invalid_requests", 0) >= len(bad_items)
    items = body.get("items") or []
    return all(i < len(items) and "decision_id" not in items[i] and items[i].get("status") == 422 for i in bad_items)


def _body_invariants(req: WireRequest, resp: WireResponse) -> list[str]:
    if resp.mimetype not in ("application/json", PROBLEM_JSON) or req.method == "head":
        return []
    try:
        body = resp.json()
    except ValueError as exc:
        return [f"{resp.mimetype} body is not JSON: {exc}"]
    out = []
    if resp.mimetype == PROBLEM_JSON and isinstance(body, dict):
        if body.get("status") != resp.status_code:
            out.append(f"problem status {body.get('status')!r} is not the HTTP status {resp.status_code}")
        slug = PROBLEM_TYPES.get(resp.status_code, "error")
        if body.get("type") != f"urn:incentive-api:problem:{slug}":
            out.append(f"a {resp.status_code} problem has type {body.get('type')!r}, "
                       f"not urn:incentive-api:problem:{slug}")
        if resp.status_code == 422 and not body.get("errors"):
            out.append("a 422 problem without errors")
        rid = resp.headers.get("X-Request-ID")
        if "request_id" in body and body["request_id"] != rid:
            out.append(f"problem request_id {body['request_id']!r} is not X-Request-ID {rid!r}")
    revision = resp.headers.get("X-Ruleset-Revision")
    if revision is not None and isinstance(body, dict):
        # GET /v1/ruleset answers with the revision itself; every other answer names it in `ruleset`.
        named = body.get("revision") if req.path == "/v1/ruleset" else (body.get("ruleset") or {}).get("revision")
        if named != revision:
            out.append(f"X-Ruleset-Revision {revision!r} is not the body's ruleset revision")
    if req.path == BATCH_PATH and resp.status_code == 200 and isinstance(body, dict):
        out += _batch_invariants(req, body)
    return out


def _batch_invariants(req: WireRequest, body: dict) -> list[str]:
    out = []
    items = body.get("items") or []
    problems = [it for it in items if "decision_id" not in it]
    summary = body.get("summary") or {}
    if (summary.get("decisions"), summary.get("problems")) != (len(items) - len(problems), len(problems)):
        out.append(f"batch summary {summary} does not count its items")
    if sum((summary.get("cache") or {}).values()) != len(items) - len(problems):
        out.append(f"batch summary.cache {summary.get('cache')} does not count its decisions")
    for it in problems:
        if (it.get("status"), it.get("type")) not in ((422, "urn:incentive-api:problem:invalid-request"),
                                                      (500, "urn:incentive-api:problem:internal-error")):
            out.append(f"a batch item problem is neither an invalid-request 422 nor an item's 500: {it}")
    revision = (body.get("ruleset") or {}).get("revision")
    if any("decision_id" in it and it["ruleset"]["revision"] != revision for it in items):
        out.append("a batch decision was made under another revision than the batch's")
    try:
        sent = json.loads(req.body or b"")["items"]
    except (ValueError, KeyError, TypeError):
        return out
    if isinstance(sent, list) and len(sent) != len(items):
        out.append(f"batch of {len(sent)} items answered with {len(items)}")
    return out


def check_exchange(req: WireRequest, resp: WireResponse) -> None:
    found = violations(req, resp)
    if found:
        head = f"{req.method.upper()} {req.path}{_query(req)} -> {resp.status_code} {resp.content_type}"
        sent = (req.body or b"")[:2000].decode("utf-8", "replace")
        got = resp.data[:3000].decode("utf-8", "replace")
        raise ContractViolation("\n".join([f"contract violation: {head}", *found,
                                           f"request body: {sent}", f"response body: {got}"]))


def _query(req: WireRequest) -> str:
    q = req.parameters.query
    return ("?" + "&".join(f"{k}={v}" for k, v in q.items(multi=True))) if q else ""


# ---------------------------------------------------------------------------------------------- clients


class ValidatedFlaskClient(KeyedClient):
    """A Flask test client (sending the operator key) whose every response is checked against openapi.yaml."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        request = response.request
        stream = request.environ.get("wsgi.input")
        body = b""
        if stream is not None and hasattr(stream, "seek"):
            stream.seek(0)
            body = stream.read()
        req = wire_request(url=request.url, method=request.method, headers=request.headers.items(), body=body)
        check_exchange(req, WireResponse(response.status_code, Headers(response.headers), response.get_data()))
        return response


def flask_client(app) -> ValidatedFlaskClient:
    app.test_client_class = ValidatedFlaskClient
    return app.test_client()


def _httpx_hook(response: httpx.Response) -> None:
    response.read()
    request = response.request
    req = wire_request(url=str(request.url), method=request.method, headers=request.headers.multi_items(),
                       body=request.content)
    check_exchange(req, WireResponse(response.status_code, Headers(response.headers.multi_items()), response.content))


def validated_httpx_client(base_url: str, **kwargs) -> httpx.Client:
    """An httpx.Client whose every response is checked against openapi.yaml (an event hook)."""
    hooks = kwargs.pop("event_hooks", {}) or {}
    hooks = {**hooks, "response": [*hooks.get("response", []), _httpx_hook]}
    kwargs.setdefault("timeout", 30)
    kwargs.setdefault("headers", AUTH)
    return httpx.Client(base_url=base_url, event_hooks=hooks, **kwargs)


# ---------------------------------------------------------------------------------------------- live server


class LiveServer(GunicornServer):
    """gunicorn with the repo's gunicorn.conf.py on 127.0.0.1:<free port>, with rate limits no test reaches."""

    def __init__(self, workdir: Path, workers: int = 2, env: dict | None = None):
        super().__init__({"RATE_LIMIT": "100000/minute", "RATE_LIMIT_BATCH": "100000/minute", **(env or {})},
                         workers=workers, workdir=workdir)


# ---------------------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def _real_app(tmp_path_factory):
    """create_app() as served: the real rules and settings, but its own run directory (reload markers)."""
    from incentive_api.config import Settings
    from incentive_api.http.app import create_app

    return create_app(dataclasses.replace(Settings(), run_dir=tmp_path_factory.mktemp("run")))


@pytest.fixture
def api_client(_real_app) -> ValidatedFlaskClient:
    """Flask test client of create_app() with the real rules; every response checked against openapi.yaml."""
    return flask_client(_real_app)


@pytest.fixture
def make_client(tmp_path_factory) -> Callable[..., ValidatedFlaskClient]:
    """make_client(settings=None, state=None, **kw): a validated Flask test client of the app over
    build_services(settings, rules=state, **kw).

    Without settings, the app gets Settings() with a run directory of its own (reload markers).
    """
    from incentive_api.config import Settings
    from incentive_api.http.app import create_app
    from incentive_api.service.container import build_services

    def make(settings=None, state=None, **kwargs) -> ValidatedFlaskClient:
        if settings is None:
            settings = dataclasses.replace(Settings(), run_dir=tmp_path_factory.mktemp("run"))
        return flask_client(create_app(settings, build_services(settings, rules=state, **kwargs)))

    return make


@pytest.fixture(scope="session")
def live_url(tmp_path_factory) -> Iterable[str]:
    """Base URL of gunicorn (repo gunicorn.conf.py, 2 workers) on a free 127.0.0.1 port, ready."""
    server = LiveServer(tmp_path_factory.mktemp("gunicorn"))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def live_api(live_url) -> Iterable[httpx.Client]:
    """httpx.Client on the live gunicorn; every response checked against openapi.yaml."""
    with validated_httpx_client(live_url) as client:
        yield client
