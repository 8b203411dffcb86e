"""Any body, to every route that takes one (the console's helpers included): a 2xx or a 4xx problem, never a
5xx. Bodies are generated JSON of every shape, with numbers spelled every way JSON allows (exponents past
what decimal holds, negative zero, 40-digit integers, fractions of zeros), nested deep, and the shipped
example request with any one of its values replaced; the console's CSV helper gets arbitrary text."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incentive_api.config import Settings
from incentive_api.http.app import create_app
from support.helpers import keyed

BASE = {"vessel": {"imo": "IMO 9619907", "type": "container", "gross_tonnage": 194849,
                   "engines": [{"role": "main", "imo_nox_tier": 3, "rated_rpm": 80}],
                   "esi": {"score": 56, "nox_valid": True, "sox_valid": True, "valid_until": "2026-12-31"}},
        "call": {"port": "USLGB", "arrival": "2026-03-02", "departure": "2026-03-04",
                 "fees": {"dockage": {"amount": "18500.00", "currency": "USD"}}}}

NUMBERS = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.sampled_from(["-0", "0.0", "-0.0", "1e-99999999999999999999", "1E+99999999999999999999", "1E-999999999",
                     "1e400", "4.9e-324", "1.0", "3.000", "0.1e1", "1" * 45, "0." + "0" * 40 + "1", "12.5e2"]),
    st.decimals(allow_nan=False, allow_infinity=False, places=None).map(lambda d: format(d, "f") if d else "0"),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
)
TEXT = st.text(max_size=30)


def _json(value) -> str:
    """JSON text where numbers are the raw tokens the strategies spelled."""
    if isinstance(value, _Raw):
        return value.token
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_json(v) for v in value) + "]"
    return json.dumps(value)


@dataclasses.dataclass(frozen=True)
class _Raw:
    token: str


LEAVES = st.one_of(st.none(), st.booleans(), NUMBERS.map(_Raw), TEXT)
VALUES = st.recursive(LEAVES, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                      st.dictionaries(TEXT, inner, max_size=4)), max_leaves=12)
FIELD_NAMES = st.sampled_from(["vessel", "call", "programs", "advice", "items", "calls", "rates", "report_currency",
                               "files", "requests", "sample", "records", "totals", "by_port", "by_program"])


def _paths(value, prefix=()):
    """Every place in a JSON value: (path, the value there)."""
    yield prefix, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


def _replaced(value, path, new):
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _replaced(value[path[0]], path[1:], new)
    return copy


@st.composite
def near_valid(draw, base):
    places = list(_paths(base))
    path, _old = draw(st.sampled_from(places))
    return _json(_replaced(base, path, draw(VALUES)))


@st.composite
def deep(draw):
    depth = draw(st.integers(min_value=1, max_value=3000))
    opener = draw(st.sampled_from(["[", '{"a":']))
    closer = "]" if opener == "[" else "}"
    return opener * depth + draw(NUMBERS) + closer * depth


BODIES = st.one_of(
    VALUES.map(_json),
    st.dictionaries(FIELD_NAMES, VALUES, max_size=5).map(_json),
    near_valid(BASE),
    near_valid({"items": [BASE, BASE]}),
    near_valid({"vessel": BASE["vessel"], "calls": [BASE["call"]], "rates": {"USD": "1"}, "report_currency": "USD"}),
    near_valid({"totals": {"by_port": [{"port": "USLGB", "totals": [{"amount": "1.00", "currency": "USD"}]}]}}),
    deep(),
    st.binary(max_size=60).map(lambda b: b.decode("latin-1")),
)
ROUTES = ["/v1/eligibility", "/v1/eligibility/batch", "/v1/plans", "/v1/esi/estimate", "/v1/admin/rules/dry-run",
          "/console/plan-chart.svg"]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings_ = dataclasses.replace(Settings(), run_dir=tmp_path_factory.mktemp("run"), records_enabled=False,
                                    rate_limit="off", rate_limit_batch="off", console_rate_limit="off")
    return keyed(create_app(settings_)).test_client()


def _never_a_5xx(response) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:400]
    if response.status_code >= 400:
        assert response.mimetype == "application/problem+json"
        problem = response.get_json()
        assert problem["status"] == response.status_code and problem["type"].startswith("urn:incentive-api:")


@pytest.mark.parametrize("route", ROUTES)
@settings(max_examples=120, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=BODIES)
def test_any_json_body_is_answered_or_refused_never_failed(client, route, body):
    if route.endswith("dry-run") and '"files"' in body and len(body) > 2000:
        return  # a candidate ruleset of that size is compiled and sampled: the dry-run's own tests cover it
    _never_a_5xx(client.post(route, data=body.encode("utf-8", "surrogatepass"), content_type="application/json"))


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(max_size=400),
                      st.lists(st.lists(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12),
                                        max_size=6), max_size=8)
                      .map(lambda rows: "port,arrival,departure,fees\n" + "\n".join(",".join(r) for r in rows))))
def test_any_schedule_text_is_read_or_refused_never_failed(client, text):
    _never_a_5xx(client.post("/console/schedule", data=text.encode("utf-8", "surrogatepass"), content_type="text/csv"))
