"""The request body ({vessel, call?, programs?}) as marshmallow schemas.

These schemas are the one place requests are validated and normalised; the HTTP
API, the CLI and the rule-file examples all go through them. Numbers arrive as
int or Decimal (JSON is parsed with parse_float=Decimal), never as float.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from . import inputs
from .imo import normalise_imo
from .jsonwire import OutOfRange
from .strict import StrictSchema, unlocode, walk_messages

MAX_ENGINES = 32
MAX_BUNKERS = 200  # two quarters of delivery notes, several grades a stem
MAX_PROGRAMS = 64
MAX_TEXT = 200


_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_DECIMALS: dict = {}  # (digits before the point, digits after) -> the pattern of a decimal string


def _decimal_pattern(places: int):
    return _DECIMALS.setdefault(places, re.compile(rf"^-?[0-9]{{1,15}}(\.[0-9]{{1,{places}}})?\Z"))


class StrictNumber(fields.Field):
    """A JSON number (int or Decimal); refuses strings, booleans, NaN and Infinity."""

    default_error_messages = {"invalid": "Not a valid number."}

    def __init__(self, *, minimum=None, maximum=None, exclusive_minimum=None, decimal_string=False, places: int = 6,
                 **kw):
        """`decimal_string`: a string such as "1250.00" is read too, of up to 15 digits and `places` after the
        point."""
        super().__init__(**kw)
        self.minimum, self.maximum, self.exclusive_minimum = minimum, maximum, exclusive_minimum
        self.decimal_string, self.places = decimal_string, places
        self._pattern = _decimal_pattern(places)

    def _deserialize(self, value, attr, data, **kw):
        if self.decimal_string and isinstance(value, str):
            if not self._pattern.match(value):
                raise ValidationError(f"Not a valid decimal string: up to 15 digits, then a point and up to "
                                      f'{self.places} more, e.g. "1250.00".')
            value = Decimal(value)
        if isinstance(value, bool) or not isinstance(value, (int, Decimal, float)):
            if isinstance(value, OutOfRange):  # NaN, Infinity or a huge integer on the wire
                raise ValidationError("Must be a finite number within range.")
            raise self.make_error("invalid")
        value = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        if not value.is_finite():
            raise ValidationError("Must be a finite number.")
        if self.exclusive_minimum is not None and value <= self.exclusive_minimum:
            raise ValidationError(f"Must be greater than {self.exclusive_minimum}.")
        if self.minimum is not None and value < self.minimum:
            raise ValidationError(f"Must be at least {self.minimum}.")
        if self.maximum is not None and value > self.maximum:
            raise ValidationError(f"Must be at most {self.maximum}.")
        return plain(value)


def plain(value: Decimal) -> Decimal:
    """One spelling per number, so equivalent requests are the same request: 56, 56.0 and 56.00 are 56,
    "100.10" is 100.1, 1E+2 is 100, and there is no negative zero (not on an invoice line either)."""
    if value.is_zero():
        return Decimal(0)
    value = value.normalize()
    if value.as_tuple().exponent > 0 and value.adjusted() < 28:  # 1E+2 is written 100
        return value.quantize(Decimal(1))
    return value


class StrictInteger(fields.Integer):
    """An integer that refuses strings and booleans; 1990.0 is 1990, as JSON Schema counts it."""

    def __init__(self, **kw):
        super().__init__(strict=True, **kw)

    def _validated(self, value):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
            value = int(value)
        return super()._validated(value)


class IsoDate(fields.Date):
    """A calendar date written YYYY-MM-DD, and no other ISO 8601 form."""

    def _deserialize(self, value, attr, data, **kw):
        if type(value) is dt.date:  # rule-file examples: YAML has already read the date
            return value
        if not isinstance(value, str) or not _ISO_DATE.match(value):
            raise ValidationError("Not a valid date: write YYYY-MM-DD.")
        return super()._deserialize(value, attr, data, **kw)


class StrictBool(fields.Boolean):
    """Only JSON true/false: "yes" or 1 is a caller's mistake, not an answer."""

    def _deserialize(self, value, attr, data, **kw):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class ImoField(fields.String):
    def _deserialize(self, value, attr, data, **kw):
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        text = super()._deserialize(value, attr, data, **kw)
        try:
            return normalise_imo(text)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


def no_lone_surrogates(text: str) -> None:
    """A lone surrogate (\ud800) is valid JSON but no character: it cannot be stored, hashed or answered."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValidationError(f"Not text: a lone surrogate (U+{ord(text[exc.start]):04X}) at character "
                              f"{exc.start}.") from None


def _text(**kw):
    return fields.String(validate=[validate.Length(min=1, max=MAX_TEXT), no_lone_surrogates], **kw)


def _choice(values, **kw):
    return fields.String(validate=validate.OneOf(values), **kw)


class EngineSchema(StrictSchema):
    role = _choice(inputs.ENGINE_ROLES, required=True)
    count = StrictInteger(load_default=1, validate=validate.Range(min=1, max=16))
    imo_nox_tier = StrictInteger(validate=validate.Range(min=0, max=3))
    rated_power_kw = StrictNumber(exclusive_minimum=0, maximum=200_000)
    rated_speed_rpm = StrictNumber(exclusive_minimum=0, maximum=10_000)
    nox_g_per_kwh = StrictNumber(minimum=0, maximum=100)


class ShorePowerSchema(StrictSchema):
    fitted = StrictBool()
    class_approved = StrictBool()
    commissioned = StrictBool()


class BunkerSchema(StrictSchema):
    """One bunker delivery note: its fuel category or sulphur content (or both), tonnes and quarter."""
    category = _choice(inputs.BUNKER_CATEGORIES)
    sulphur_pct = StrictNumber(minimum=0, maximum=5)
    tonnes = StrictNumber(required=True, exclusive_minimum=0, maximum=100_000)
    quarter = fields.String(required=True,
                            validate=validate.Regexp(r"^[0-9]{4}-Q[1-4]\Z", error="A quarter, e.g. 2026-Q1."))

    @validates_schema
    def _category_or_sulphur(self, data, **kw):
        if data.get("category") is None and data.get("sulphur_pct") is None:
            raise ValidationError("Give category or sulphur_pct (or both).")


class EsiSchema(StrictSchema):
    score = StrictNumber(minimum=0, maximum=100)
    nox_score = StrictNumber(minimum=0, maximum=100)
    nox_valid = StrictBool()
    sox_valid = StrictBool()
    valid_until = IsoDate()


class VesselSchema(StrictSchema):
    imo = ImoField(required=True)
    name = _text()
    type = _choice(inputs.VESSEL_TYPES, required=True)
    gross_tonnage = StrictNumber(required=True, exclusive_minimum=0, maximum=1_000_000)
    deadweight = StrictNumber(exclusive_minimum=0, maximum=1_000_000)
    flag = fields.String(validate=validate.Regexp(r"^[A-Z]{2}\Z", error="ISO 3166-1 alpha-2 code, e.g. PA."))
    operator = _text()
    keel_laid = IsoDate()
    year_built = StrictInteger(validate=validate.Range(min=1850, max=2100))
    engines = fields.List(fields.Nested(EngineSchema), validate=validate.Length(max=MAX_ENGINES))
    fuels = fields.List(_choice(inputs.FUELS), validate=validate.Length(max=len(inputs.FUELS)))
    scrubber = _choice(inputs.SCRUBBERS)
    shore_power = fields.Nested(ShorePowerSchema)
    esi = fields.Nested(EsiSchema)
    csi_stars = StrictInteger(validate=validate.Range(min=0, max=5))
    green_award = StrictBool()
    eedi_improvement_pct = StrictNumber(minimum=-100, maximum=100)
    bunkers = fields.List(fields.Nested(BunkerSchema), validate=validate.Length(max=MAX_BUNKERS))
    co2_reporting = StrictBool()
    co2_efficiency_gain_pct = StrictNumber(minimum=0, maximum=100)
    solas_certificate = StrictBool()

    @post_load
    def _dedupe_fuels(self, data, **kw):
        if "fuels" in data:
            data["fuels"] = sorted(set(data["fuels"]))
        return data


class MoneySchema(StrictSchema):
    # Money travels as a decimal string ("1250.00"), as in answers; a JSON number is accepted too.
    amount = StrictNumber(required=True, minimum=0, maximum=Decimal("1e12"), decimal_string=True)
    currency = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{3}\Z", error="ISO 4217 code, e.g. USD."))


class VsrSchema(StrictSchema):
    within_20nm = StrictBool()
    within_40nm = StrictBool()
    share_of_year_calls_pct = StrictNumber(minimum=0, maximum=100)


class BerthFuelSwitchSchema(StrictSchema):
    """When compliant fuel was in use at the berth, in hours from arrival and before departure."""
    hours_after_arrival = StrictNumber(minimum=0, maximum=24 * 366)
    hours_before_departure = StrictNumber(minimum=0, maximum=24 * 366)


class VsrComplianceSchema(StrictSchema):
    year = StrictInteger(required=True, validate=validate.Range(min=2000, max=2100))
    zone_20nm_pct = StrictNumber(minimum=0, maximum=100)
    zone_40nm_pct = StrictNumber(minimum=0, maximum=100)


def _pct(**kw):
    return StrictNumber(minimum=0, maximum=100, **kw)


class CallSchema(StrictSchema):
    port = fields.String(required=True, validate=unlocode())
    terminal = _text()
    terminal_visits_per_year = StrictInteger(validate=validate.Range(min=0, max=100_000))
    arrival = IsoDate()
    departure = IsoDate()
    hours_at_berth = StrictNumber(minimum=0, maximum=24 * 366)
    international_voyage = StrictBool()
    berth_has_shore_power = StrictBool()
    equivalent_measures = StrictBool()
    fuel_at_berth = _choice(inputs.FUELS)
    fuel_sulphur_pct = StrictNumber(minimum=0, maximum=5)
    fuel_for_entire_stay = StrictBool()
    fuel_switched_before_port_limits = StrictBool()
    biofuel_blend_pct = _pct()
    fuel_ghg_reduction_pct = _pct()
    fuel_from_renewables = StrictBool()
    ammonia_pilot_fuel_pct = _pct()
    methane_slip_addressed = StrictBool()
    low_carbon_harbour_craft = StrictBool()
    shore_power_used = StrictBool()
    caecs_used = StrictBool()
    tap_demonstration = StrictBool()
    vsr = fields.Nested(VsrSchema)
    operator_vsr_compliance = fields.Nested(VsrComplianceSchema)
    registered_for_incentive = StrictBool()
    operator_calls_per_year = StrictInteger(validate=validate.Range(min=0, max=100_000))
    berth_fuel_switch = fields.Nested(BerthFuelSwitchSchema)
    fuel_switched_before_control_area = StrictBool()
    china_deca_area = _choice(inputs.CHINA_DECA_AREAS)
    biofuel_bunkered_tonnes = StrictNumber(minimum=0, maximum=1_000_000)
    fees = fields.Dict(keys=fields.String(validate=validate.OneOf(inputs.FEES)), values=fields.Nested(MoneySchema))

    @validates_schema
    def _dates_in_order(self, data, **kw):
        arrival, departure = data.get("arrival"), data.get("departure")
        if arrival and departure and departure < arrival:
            raise ValidationError("Must not be before arrival.", "departure")


_PROGRAM_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}\Z")


class RequestSchema(StrictSchema):
    vessel = fields.Nested(VesselSchema, required=True)
    call = fields.Nested(CallSchema)
    programs = fields.List(
        fields.String(validate=validate.Regexp(_PROGRAM_ID, error="A program id, e.g. polb-green-ship.")),
        validate=validate.Length(min=1, max=MAX_PROGRAMS))
    advice = StrictBool()

    @post_load
    def _advice_off_is_absent(self, data, **kw):
        # "advice": false is the request without it: the same decision id, the same bytes.
        if data.get("advice") is False:
            del data["advice"]
        return data


REQUEST_SCHEMA = RequestSchema()


class EstimateRequestSchema(StrictSchema):
    """The body of an ESI estimate: the vessel, and the call whose arrival dates it."""
    vessel = fields.Nested(VesselSchema, required=True)
    call = fields.Nested(CallSchema)


ESTIMATE_SCHEMA = EstimateRequestSchema()


def error_pointers(messages, prefix: str = "") -> list[dict]:
    """Flatten marshmallow's nested messages into [{pointer, message}], sorted.

    Pointers are RFC 6901 JSON pointers into the request body.
    """
    out = [{"pointer": prefix + "".join("/" + str(k).replace("~", "~0").replace("/", "~1") for k in path),
            "message": _friendlier(msg)}
           for path, msg in walk_messages(messages, transparent=("_schema", "key", "value"))]
    out.sort(key=lambda e: (e["pointer"], e["message"]))
    return out


def _friendlier(msg: str) -> str:
    return "Unknown field: not part of the request contract." if msg == "Unknown field." else msg


class InvalidRequest(ValueError):
    def __init__(self, errors: list[dict]):
        self.errors = errors
        super().__init__("; ".join(f"{e['pointer'] or '/'}: {e['message']}" for e in errors))


def parse_request(body, schema: StrictSchema = REQUEST_SCHEMA) -> dict:
    """Validate and normalise a request body, or raise InvalidRequest with every error."""
    if not isinstance(body, dict):
        raise InvalidRequest([{"pointer": "", "message": "The request body must be a JSON object."}])
    try:
        return schema.load(body)
    except ValidationError as exc:
        raise InvalidRequest(error_pointers(exc.messages)) from None
