"""The request schema and the rule-path catalogue describe the same inputs."""

from pathlib import Path

from marshmallow import fields

from incentive_api.core import inputs
from incentive_api.core.request import RequestSchema


def _leaf_paths(schema, prefix=""):
    out = set()
    for name, field in schema.fields.items():
        path = f"{prefix}{name}"
        if isinstance(field, fields.Nested):
            out |= _leaf_paths(field.schema, path + ".")
        else:
            out.add(path)
    return out


def test_every_request_field_is_a_rule_path_and_back():
    paths = _leaf_paths(RequestSchema()) - {"programs", "advice"}  # what to answer, not facts of the call
    skipped = {"vessel.engines", "vessel.bunkers", "call.fees"}  # read through derived facts and benefits
    assert paths - skipped == set(inputs.REQUEST_FIELDS)


def test_enums_match_the_catalogue():
    vessel = RequestSchema().fields["vessel"].schema
    assert tuple(vessel.fields["type"].validate.choices) == inputs.VESSEL_TYPES


def test_an_integer_written_with_a_zero_fraction_is_that_integer_as_the_contract_says():
    import pytest

    from incentive_api.core.jsonwire import loads
    from incentive_api.core.request import InvalidRequest, parse_request
    body = b'{"vessel": {"imo": "9619907", "type": "container", "gross_tonnage": 1000, "csi_stars": %s,' \
           b' "engines": [{"role": "auxiliary", "count": %s}]}}'
    request = parse_request(loads(body % (b"3.0", b"2.0")))
    assert request["vessel"]["csi_stars"] == 3 and request["vessel"]["engines"][0]["count"] == 2
    assert type(request["vessel"]["csi_stars"]) is int
    with pytest.raises(InvalidRequest) as refused:
        parse_request(loads(body % (b"3.5", b"2")))
    assert [e["pointer"] for e in refused.value.errors] == ["/vessel/csi_stars"]
    text = (Path(__file__).resolve().parents[2] / "openapi.yaml").read_text()
    assert "An integer may be written `3` or `3.0`" in text and "without a fraction (`3`, not `3.0`)" not in text
