"""openapi.yaml itself: valid OpenAPI 3.1, examples that match their schemas, served as it is, and request
schemas that say exactly what the marshmallow schemas enforce (so neither can drift from the other)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from marshmallow import RAISE, ValidationError, fields, missing, validate
from openapi_spec_validator import OpenAPIV31SpecValidator

from incentive_api.config import Settings
from incentive_api.core import inputs
from incentive_api.core.request import (
    ImoField,
    MoneySchema,
    RequestSchema,
    StrictBool,
    StrictNumber,
    no_lone_surrogates,
)
from incentive_api.service.catalogue import PROGRAMS_QUERY
from incentive_api.service.deciding import batch_schema
from support.contract import SPEC_PATH, component_validator, spec_dict

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def test_openapi_yaml_is_a_valid_openapi_3_1_document():
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in OpenAPIV31SpecValidator(spec_dict()).iter_errors()]
    assert errors == []


def test_every_operation_has_an_id_and_every_response_an_x_request_id():
    for path, item in spec_dict()["paths"].items():
        for method, op in item.items():
            if method not in HTTP_METHODS:
                continue
            assert op.get("operationId"), f"{method.upper()} {path} has no operationId"
            for status, response in op["responses"].items():
                response = _deref(response)
                assert "X-Request-ID" in response.get("headers", {}), f"{method.upper()} {path} {status}"
                for media in response.get("content", {}):
                    want = "application/problem+json" if status.startswith(("4", "5")) else None
                    assert want is None or media == want, f"{method.upper()} {path} {status} is {media}"


# ---------------------------------------------------------------------------------------------- examples


def _deref(node):
    while isinstance(node, dict) and "$ref" in node:
        node = _at(node["$ref"])
    return node


def _at(pointer: str):
    node = spec_dict()
    for token in pointer.lstrip("#/").split("/"):
        node = node[token.replace("~1", "/").replace("~0", "~")]
    return node


def _examples():
    """(where, schema pointer, value) for every example in the document."""
    spec = spec_dict()
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in HTTP_METHODS:
                continue
            where = f"{method.upper()} {path}"
            for i, param in enumerate(op.get("parameters", [])):
                param = _deref(param)
                if "example" in param:
                    yield (f"{where} parameter {param['name']}", _pointer_of(op, ("parameters", i)), param["example"])
            media = ((op.get("requestBody") or {}).get("content") or {})
            for mt in media:
                yield from _media_examples(f"{where} request {mt}", op, ("requestBody", "content", mt))
            for status, response in op["responses"].items():
                for mt in (_deref(response).get("content") or {}):
                    yield from _media_examples(f"{where} {status} {mt}", op, ("responses", status, "content", mt))
    for name, schema in spec["components"]["schemas"].items():
        for i, value in enumerate(schema.get("examples", [])):
            yield f"components/schemas/{name} examples[{i}]", f"#/components/schemas/{name}", value


def _pointer_of(op, steps) -> str:
    """A JSON pointer to `steps` below `op`, following $refs, so the validator can resolve it."""
    node, pointer = op, _op_pointer(op)
    for step in steps:
        node = node[step]
        pointer += "/" + str(step).replace("~", "~0").replace("/", "~1")
        if isinstance(node, dict) and "$ref" in node:
            pointer = node["$ref"]
            node = _deref(node)
    return pointer + ("/schema" if steps[0] == "parameters" else "")


def _op_pointer(op) -> str:
    for path, item in spec_dict()["paths"].items():
        for method, candidate in item.items():
            if candidate is op:
                return "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method
    raise LookupError(op)


def _media_examples(where, op, steps):
    media = op
    for step in steps:
        media = _deref(media[step])
    schema = _pointer_of(op, steps) + "/schema"
    if "example" in media:
        yield where, schema, media["example"]
    for name, ex in (media.get("examples") or {}).items():
        yield f"{where} examples/{name}", schema, _deref(ex)["value"]


EXAMPLES = list(_examples())


@pytest.mark.parametrize("where,schema,value", EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_every_example_matches_its_schema(where, schema, value):
    errors = [f"{e.json_path}: {e.message}" for e in component_validator(schema).iter_errors(value)]
    assert errors == []


def test_there_are_examples_for_every_request_body_and_every_success():
    where = {e[0].rsplit(" examples/", 1)[0] for e in EXAMPLES}
    for path, item in spec_dict()["paths"].items():
        for method, op in item.items():
            if method not in HTTP_METHODS:
                continue
            if "requestBody" in op:
                assert f"{method.upper()} {path} request application/json" in where
            if method != "get" or path not in ("/openapi.yaml", "/metrics"):
                assert f"{method.upper()} {path} 200 application/json" in where
            else:
                assert any(w.startswith(f"{method.upper()} {path} 200 ") for w in where) or path == "/openapi.yaml"


def test_the_served_document_is_openapi_yaml(api_client):
    response = api_client.get("/openapi.yaml")
    assert response.status_code == 200
    assert response.mimetype == "application/yaml"
    assert response.get_data() == SPEC_PATH.read_bytes()


# ------------------------------------------------------------------------------- the marshmallow schemas


STRING_KEYS = {"enum", "pattern", "minLength", "maxLength", "format"}
NUMBER_KEYS = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}
ARRAY_KEYS = {"minItems", "maxItems"}


def _compare_schema(schema, node, where, problems):
    node = _deref(node)
    if node.get("type") != "object":
        problems.append(f"{where}: is {node.get('type')!r}, not an object")
        return
    names = {f.data_key or name: f for name, f in schema.fields.items()}
    props = node.get("properties", {})
    if set(names) != set(props):
        problems.append(f"{where}: fields {sorted(names)} but properties {sorted(props)}")
    required = sorted(n for n, f in names.items() if f.required)
    if sorted(node.get("required", [])) != required:
        problems.append(f"{where}: required {required} but the document says {sorted(node.get('required', []))}")
    if (schema.unknown == RAISE) != (node.get("additionalProperties") is False):
        problems.append(f"{where}: unknown fields are {'refused' if schema.unknown == RAISE else 'allowed'} "
                        f"but additionalProperties is {node.get('additionalProperties')!r}")
    for name, f in names.items():
        if name in props:
            _compare_field(f, props[name], f"{where}/{name}", problems)


def _limits(f):
    found = {}
    for v in f.validators:
        if isinstance(v, validate.OneOf):
            found["enum"] = sorted(v.choices)
        elif isinstance(v, validate.Regexp):
            found["pattern"] = ecma(v.regex.pattern)
        elif isinstance(v, validate.Length):
            found["min"], found["max"] = v.min, v.max
        elif isinstance(v, validate.Range):
            assert v.min_inclusive and v.max_inclusive, "exclusive Range: teach this test exclusiveMinimum"
            found["minimum"], found["maximum"] = v.min, v.max
        elif v is no_lone_surrogates:
            pass  # JSON Schema cannot say it: a lone surrogate is no character, refused with a 422
        else:
            raise AssertionError(f"unknown validator {v!r}: teach this test what the document should say")
    return {k: v for k, v in found.items() if v is not None}


def ecma(pattern: str) -> str:
    """Python's end-of-string \\Z is what '$' means in the document's (ECMA-262) patterns; Python's '$' is not:
    it also matches before a trailing newline, so a server pattern ending in '$' does not compare equal."""
    return pattern[:-2] + "$" if pattern.endswith("\\Z") else pattern + "(Python $)" if pattern.endswith("$") else pattern


def _expect_keys(node, expected: dict, keys: set, where, problems):
    got = {k: node[k] for k in keys if k in node}
    if "enum" in got:
        got["enum"] = sorted(got["enum"])
    norm = {k: (float(v) if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool) else v)
            for k, v in expected.items()}
    got = {k: (float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v) for k, v in got.items()}
    if got != norm:
        problems.append(f"{where}: the document says {got}, the schema enforces {norm}")


def _types(node) -> set:
    t = node.get("type")
    return set(t) if isinstance(t, list) else {t}


def _compare_field(f, node, where, problems):
    node = _deref(node)
    if f.load_default is not missing and node.get("default") != f.load_default:
        problems.append(f"{where}: default {f.load_default!r}, the document says {node.get('default')!r}")
    limits = _limits(f)
    if isinstance(f, fields.Nested):
        _compare_schema(f.schema, node, where, problems)
    elif isinstance(f, fields.List):
        if _types(node) != {"array"}:
            problems.append(f"{where}: a list, the document says {node.get('type')!r}")
        _expect_keys(node, {k2: limits[k] for k, k2 in (("min", "minItems"), ("max", "maxItems")) if k in limits},
                     ARRAY_KEYS, where, problems)
        _compare_field(f.inner, node["items"], f"{where}/items", problems)
    elif isinstance(f, fields.Dict):  # call.fees: a fixed set of keys
        keys = next(v for v in f.key_field.validators if isinstance(v, validate.OneOf)).choices
        if sorted(node.get("properties", {})) != sorted(keys) or node.get("additionalProperties") is not False:
            problems.append(f"{where}: keys {sorted(keys)}, the document has {sorted(node.get('properties', {}))}")
        for key in keys:
            if key in node.get("properties", {}):
                _compare_field(f.value_field, node["properties"][key], f"{where}/{key}", problems)
    elif isinstance(f, ImoField):
        if _types(node) != {"string", "integer"}:
            problems.append(f"{where}: an IMO number is a string or an integer")
    elif isinstance(f, StrictNumber):
        want = {"string", "number"} if f.decimal_string else {"number"}
        if _types(node) != want:
            problems.append(f"{where}: {sorted(want)}, the document says {node.get('type')!r}")
        expected = {k: v for k, v in (("minimum", f.minimum), ("maximum", f.maximum),
                                      ("exclusiveMinimum", f.exclusive_minimum)) if v is not None}
        _expect_keys(node, expected, NUMBER_KEYS, where, problems)
    elif isinstance(f, fields.Integer):
        if not f.strict:
            problems.append(f"{where}: a non-strict Integer also takes strings; teach the document")
        if _types(node) != {"integer"}:
            problems.append(f"{where}: an integer, the document says {node.get('type')!r}")
        _expect_keys(node, {k: limits[k] for k in ("minimum", "maximum") if k in limits}, NUMBER_KEYS, where, problems)
    elif isinstance(f, StrictBool):
        if _types(node) != {"boolean"}:
            problems.append(f"{where}: a boolean, the document says {node.get('type')!r}")
    elif isinstance(f, fields.Date):
        if _types(node) != {"string"} or node.get("format") != "date":
            problems.append(f"{where}: a date, the document says {node.get('type')!r} {node.get('format')!r}")
    elif type(f) is fields.String:
        if _types(node) != {"string"}:
            problems.append(f"{where}: a string, the document says {node.get('type')!r}")
        expected = {k2: limits[k] for k, k2 in (("enum", "enum"), ("pattern", "pattern"), ("min", "minLength"),
                                                 ("max", "maxLength")) if k in limits}
        _expect_keys(node, expected, STRING_KEYS - {"format"}, where, problems)
    else:
        problems.append(f"{where}: unknown field type {type(f).__name__}; teach this test what the document says")


def test_the_request_body_is_the_marshmallow_request_schema():
    problems = []
    _compare_schema(RequestSchema(), {"$ref": "#/components/schemas/EligibilityRequest"}, "", problems)
    assert problems == []


def test_the_enums_are_the_input_catalogue():
    schemas = spec_dict()["components"]["schemas"]
    assert tuple(schemas["VesselType"]["enum"]) == inputs.VESSEL_TYPES
    assert tuple(schemas["Fuel"]["enum"]) == inputs.FUELS
    assert tuple(schemas["FeeName"]["enum"]) == inputs.FEES
    assert tuple(schemas["Vessel"]["properties"]["scrubber"]["enum"]) == inputs.SCRUBBERS
    assert tuple(schemas["Engine"]["properties"]["role"]["enum"]) == inputs.ENGINE_ROLES


def test_the_batch_envelope_is_the_marshmallow_batch_schema():
    envelope = batch_schema(Settings().max_batch_items)
    node = _deref({"$ref": "#/components/schemas/BatchRequest"})
    assert set(envelope.fields) == set(node["properties"]) and node["required"] == ["items"]
    assert envelope.unknown == RAISE and node["additionalProperties"] is False
    length = _limits(envelope.fields["items"])
    items = node["properties"]["items"]
    assert (items["minItems"], items["maxItems"]) == (length["min"], length["max"])


def test_the_programs_query_is_the_marshmallow_query_schema():
    op = spec_dict()["paths"]["/v1/programs"]["get"]
    params = {p["name"]: p for p in map(_deref, op["parameters"]) if p["in"] == "query"}
    assert set(params) == set(PROGRAMS_QUERY.fields) and PROGRAMS_QUERY.unknown == RAISE
    assert _deref(params["port"]["schema"])["pattern"] == _limits(PROGRAMS_QUERY.fields["port"])["pattern"]
    assert params["as_of"]["schema"] == {"type": "string", "format": "date"}
    assert isinstance(PROGRAMS_QUERY.fields["as_of"], fields.Date)


# The server reads these with code the document can only describe by a pattern: compare them value by value.
AMOUNTS = ["0", "0.0", "1250.00", "14250.5", "0.000001", "0.0000001", "999999999999.999999", "1000000000000",
           "1000000000000.000000", "1000000000000.01", "1000000000001", "000999999999999", "0001000000000000",
           "000000000000001", "0000000000000000", "1e3", "1,250.00", " 1250.00", "1250.", ".5", "+5", "-1",
           "", "1_000", "12.3456789", "-0", "-0.00", "-000.000000", "-0.01", "-00.01", "-1", "1250.00\n", "١٠٠",
           0, 1250, Decimal("1250.00"), Decimal("1E+12"), Decimal("1.000001E+12"), -1, -0.0]


@pytest.mark.parametrize("amount", AMOUNTS, ids=[repr(a) for a in AMOUNTS])
def test_money_amounts_are_read_as_the_document_says(amount):
    try:
        MoneySchema().load({"amount": amount, "currency": "USD"})
        served = True
    except ValidationError:
        served = False
    as_json = float(amount) if isinstance(amount, Decimal) else amount
    documented = not list(component_validator("#/components/schemas/DecimalInput").iter_errors(as_json))
    assert served == documented


IMOS = ["9619907", "IMO 9619907", "imo9619907", "IMO9619907", " 9619907 ", "IMO  9074729", "\tIMO 9619907\n",
        9619907, 9074729, "961990", "96199070", "IMO-9619907", "IMO\t9619907", "MO 9619907", "9619907x", "",
        "9619907\n0", "٩٦١٩٩٠٧", 961990, 96199070, True]


@pytest.mark.parametrize("imo", IMOS, ids=[repr(i) for i in IMOS])
def test_imo_numbers_are_read_as_the_document_says(imo):
    """Both agree on the form; the check digit (all of these have a right one when 7 digits) is prose."""
    field = RequestSchema().fields["vessel"].schema.fields["imo"]
    try:
        field.deserialize(imo)
        served = True
    except ValidationError:
        served = False
    documented = not list(component_validator("#/components/schemas/Imo").iter_errors(imo))
    assert served == documented
