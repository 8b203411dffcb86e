"""Log lines: JSON with the request's fields, console lines, and the request line the app writes."""

import contextlib
import io
import json
import logging

import pytest
from structlog.stdlib import ProcessorFormatter

from incentive_api.adapters import logs
from incentive_api.config import Settings
from incentive_api.http.app import create_app
from support.helpers import CLIENT_KEY, keyed


@contextlib.contextmanager
def captured(logger_name: str, fmt: str):
    """(logger, stream): the logger at info, writing to `stream` with the formatter LOG_FORMAT=fmt configures."""
    spec = dict(logs.logging_config(fmt, "info")["formatters"]["structured"])
    spec.pop("()")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(ProcessorFormatter(**spec))
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
        logs.begin_request()


def test_a_json_line_carries_time_level_logger_pid_extra_and_the_bound_request_fields():
    with captured("incentive_api.test", "json") as (logger, stream):
        logs.begin_request(request_id="r-1")
        logs.bind(decision_ids=["d1"])
        logger.warning("redis unavailable (%s)", "timeout", extra={"attempt": 2})
        logs.begin_request(request_id="r-2")
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("unhandled error")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["event"] == "redis unavailable (timeout)" and first["level"] == "warning"
    assert first["logger"] == "incentive_api.test" and first["attempt"] == 2 and isinstance(first["pid"], int)
    assert first["request_id"] == "r-1" and first["decision_ids"] == ["d1"] and first["time"].endswith("Z")
    assert second["request_id"] == "r-2" and "decision_ids" not in second  # nothing left from the last request
    assert second["level"] == "error" and "ValueError: boom" in second["exception"]


def test_console_lines_are_not_json_and_bad_settings_stop_the_start():
    with captured("incentive_api.test", "console") as (logger, stream):
        logger.warning("rules refused", extra={"revision": "abc"})
    line = stream.getvalue()
    assert "rules refused" in line and "revision=abc" in line and not line.startswith("{")
    with pytest.raises(SystemExit, match="LOG_FORMAT"):
        logs.logging_config("xml")
    with pytest.raises(SystemExit, match="LOG_LEVEL"):
        logs.logging_config("json", "loud")


def test_each_request_writes_one_line_with_its_fields_and_never_the_key(tmp_path):
    body = {"vessel": {"imo": "9619907", "type": "container", "gross_tonnage": 194849},
            "call": {"port": "USLGB", "arrival": "2026-03-02"}}
    client = keyed(create_app(Settings(run_dir=tmp_path, rate_limit="off"))).test_client()
    with captured("incentive_api.requests", "json") as (_logger, stream):
        r = client.post("/v1/eligibility", json=body, headers={"Authorization": f"Bearer {CLIENT_KEY}",
                                                               "X-Request-ID": "req-42"})
        batch = client.post("/v1/eligibility/batch", json={"items": [body, body]})
    assert r.status_code == 200 and batch.status_code == 200
    assert CLIENT_KEY not in stream.getvalue()
    single, many = (json.loads(line) for line in stream.getvalue().splitlines())
    assert single["event"] == "request" and single["request_id"] == "req-42" and single["method"] == "POST"
    assert single["route"] == "/v1/eligibility" and single["status"] == 200 and single["latency_ms"] > 0
    assert single["cache"] == r.headers["X-Cache"] and single["revision"] == r.headers["X-Ruleset-Revision"]
    assert single["key_name"] == "test-client" and single["decision_ids"] == [r.json["decision_id"]]
    assert many["route"] == "/v1/eligibility/batch" and many["key_name"] == "test-operator"
    assert many["decision_ids"] == [item["decision_id"] for item in batch.json["items"]]


def test_fast_json_request_lines_carry_the_same_fields_and_obey_the_level():
    out = io.BytesIO()
    try:
        logs.fast_request_lines("json", "info", out)
        logs.begin_request(request_id="r-9")
        logs.bind(decision_ids=["d9"])
        logs.request_line(method="POST", route="/v1/eligibility", status=200, key_name="k")
        line = json.loads(out.getvalue())
        assert line["event"] == "request" and line["level"] == "info" and line["logger"] == "incentive_api.requests"
        assert line["request_id"] == "r-9" and line["decision_ids"] == ["d9"] and line["status"] == 200
        assert isinstance(line["pid"], int) and line["time"].endswith("Z")
        logs.fast_request_lines("json", "warning", out)
        logs.request_line(method="GET", route="/healthz", status=200)
        assert out.getvalue().count(b"\n") == 1  # below the level: no line
    finally:
        logs.fast_request_lines("console", "info")
        logs.begin_request()
