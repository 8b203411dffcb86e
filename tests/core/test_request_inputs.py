"""The request schema and the rule-path catalogue describe the same inputs."""

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
