"""Schemathesis against the live gunicorn: every operation, positive and negative inputs.

Each generated request is sent to the real server and its answer must: not be a 5xx, carry a documented
status, content type and headers, match the documented schema (schemathesis' checks), and keep every
rule support.contract enforces through openapi-core (a second, independent validator). Coverage-phase
probes also send undocumented methods, which must get 405 with an Allow header.

Bounded to take about 45 s on two cores: a fixed number of fuzzing examples per operation, the coverage
phase's deterministic boundary cases, no example database, no shrinking, and a per-example deadline that
only a hung request exceeds.
"""

from __future__ import annotations

import datetime as dt
import re
import zlib

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)
from werkzeug.datastructures import Headers

from incentive_api.core.imo import imo_check_digit
from support.contract import SPEC_PATH, WireResponse, violations, wire_request
from support.helpers import AUTH

MAX_EXAMPLES = 25  # fuzzing-phase examples per operation
BIG_BODY = 1_000_000
DRY_RUN_SAMPLE = 10
IMO_DIGITS = re.compile(r"([0-9]{7})\s*$")

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, negative_data_rejection, unsupported_method]


def openapi_core_contract(ctx, response, case):
    """The exchange keeps openapi.yaml as support.contract reads it (openapi-core, plus the prose rules)."""
    sent = response.request
    body = sent.body.encode() if isinstance(sent.body, str) else sent.body
    req = wire_request(url=sent.url, method=sent.method, headers=sent.headers.items(), body=body)
    headers = Headers([(k, v) for k, values in response.headers.items() for v in values])
    # openapi-core needs seconds for a 25 MB answer (a 1000-item batch without a call answers every
    # program of every port); response_schema_conformance has validated such a body already.
    found = violations(req, WireResponse(response.status_code, headers, response.content),
                       validate_response=len(response.content) <= BIG_BODY)
    if found:
        raise AssertionError("\n".join(found))


@pytest.fixture(scope="session")
def shipped(live_api):
    """The ports, program ids and rule files the live service serves."""
    programs = live_api.get("/v1/programs").json()["programs"]
    ports = sorted({p.replace("*", "SHA") for e in programs for p in e["ports"]})  # CN* -> CNSHA
    return ports, sorted({e["program"] for e in programs}), live_api.get("/v1/ruleset").json()["files"]


def make_realistic(body, shipped) -> None:
    """Valid requests the schema cannot tell from unanswerable ones, made answerable (positive cases only).

    A schema cannot say that an IMO number's last digit is a check digit, which ports have programs, or
    which program ids exist; random values would stop nearly every valid request at a 422 or answer
    it with no programs; random rule-file text would never compile, so a dry-run's files become removals
    of shipped files. The same generated value always maps to the same replacement.
    """
    ports, ids, files = shipped
    items = [body]
    if isinstance(body, dict):
        items = next((body[k] for k in ("items", "requests") if isinstance(body.get(k), list)), [body])
        if isinstance(body.get("files"), dict) and body["files"]:
            body["files"] = {files[zlib.crc32(name.encode()) % len(files)]: None for name in body["files"]}
    for item in items:
        if not isinstance(item, dict):
            continue
        vessel, call = item.get("vessel"), item.get("call")
        if isinstance(vessel, dict):
            vessel["imo"] = _with_check_digit(vessel.get("imo"))
        if isinstance(call, dict) and isinstance(call.get("port"), str):
            call["port"] = ports[zlib.crc32(call["port"].encode()) % len(ports)]
        if isinstance(item.get("programs"), list):
            item["programs"] = [ids[zlib.crc32(str(p).encode()) % len(ids)] for p in item["programs"]]


def small_sample(body) -> None:
    """A dry-run decides `sample` generated calls twice (default 600): the size changes the work, not the
    shape of the answer, so valid samples are cut to DRY_RUN_SAMPLE."""
    if not isinstance(body, dict):
        return
    sample = body.get("sample")
    valid_and_big = isinstance(sample, int) and not isinstance(sample, bool) and DRY_RUN_SAMPLE < sample <= 5000
    if ("sample" not in body and "requests" not in body) or valid_and_big:
        body["sample"] = DRY_RUN_SAMPLE


def _with_check_digit(imo):
    if isinstance(imo, int) and not isinstance(imo, bool):
        return imo - imo % 10 + imo_check_digit(str(imo)[:6])
    if isinstance(imo, str):
        m = IMO_DIGITS.search(imo)
        if m:
            digits = m.group(1)
            return imo[:m.start(1)] + digits[:6] + str(imo_check_digit(digits[:6])) + imo[m.end(1):]
    return imo


# schemathesis.pytest.from_fixture() would load the document lazily from a fixture, but schemathesis 4.32's
# lazy loader writes Node._nodeid, which pytest 9 no longer has; so the document is loaded here, at import,
# and the live server's URL is given to each call instead.
CONFIG = schemathesis.Config.from_dict({  # in code, never a schemathesis.toml found on disk
    "request-timeout": 10,
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "database": "none"},
    "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True}, "fuzzing": {"enabled": True},
               "stateful": {"enabled": False}},
    "operations": [
        # Each dry-run compiles a whole candidate ruleset (~0.1 s): the coverage phase's ~900 boundary
        # cases of the nested request would take a minute and repeat POST /v1/eligibility's coverage.
        {"include-path": "/v1/admin/rules/dry-run", "phases": {"coverage": {"enabled": False}}},
        # A reload has no input but X-Request-ID; every one recompiles the rules in both workers.
        {"include-path": "/v1/admin/rules/reload", "generation": {"max-examples": 5}},
    ],
})
schema = schemathesis.openapi.from_path(SPEC_PATH, config=CONFIG)


@schema.parametrize()
@settings(deadline=dt.timedelta(seconds=15), database=None,
          phases=[Phase.explicit, Phase.generate, Phase.target],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_live_service_keeps_its_contract(case, live_url, shipped):
    if case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE:
        make_realistic(case.body, shipped)
    if case.operation.label == "POST /v1/admin/rules/dry-run":
        small_sample(case.body)
    response = case.call(base_url=live_url, headers=AUTH)
    excluded = []
    if case.operation.label in ("POST /v1/eligibility/batch", "POST /v1/admin/rules/dry-run"):
        # Lists read item by item: an invalid item is answered in its place (batch) or counted and
        # skipped (dry-run), not with a 422 for the whole request. openapi_core_contract checks that.
        excluded.append(negative_data_rejection)
    case.validate_response(response, checks=CHECKS, excluded_checks=excluded,
                           additional_checks=[openapi_core_contract],
                           transport_kwargs={"base_url": live_url, "headers": AUTH})
