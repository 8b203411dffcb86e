"""The shape of a rule file, as marshmallow schemas.

Structure only: unknown keys, types and required fields. Meaning (input paths,
operators, band edges, edition overlaps) is checked by the compiler, which has
the input catalogue to hand.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from marshmallow import ValidationError, fields, validate, validates_schema

from .inputs import FEES
from .strict import PORT_OR_COUNTRY_PATTERN, StrictSchema

ID = validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,63}\Z", error="ids are lower-case letters, digits and dashes")
SOURCE_ID = validate.Regexp(r"^[A-Z][0-9]+(-[a-z]+)?\Z", error="a source id such as S13 or P5")
WEB_ADDRESS = validate.Regexp(r"^https?://\S+\Z", error="an http(s) address")
LOCODE = validate.Regexp(PORT_OR_COUNTRY_PATTERN, error="a UN/LOCODE such as USLGB, or a country such as CN*")
CURRENCY = validate.Regexp(r"^[A-Z]{3}\Z", error="ISO 4217 code")


class Amount(fields.Field):
    """A decimal written as a string or a YAML number (kept exact by the YAML loader)."""

    def _deserialize(self, value, attr, data, **kw):
        if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
            raise ValidationError("must be a number or a decimal string such as \"600.00\"")
        try:
            out = Decimal(value)
        except ArithmeticError:
            raise ValidationError(f"not a decimal: {value!r}") from None
        if not out.is_finite() or out < 0:
            raise ValidationError("must be a finite, non-negative number")
        return out


class Date(fields.Field):
    def _deserialize(self, value, attr, data, **kw):
        if isinstance(value, dt.date):
            return value
        raise ValidationError("must be a date written YYYY-MM-DD")


class MoneySpec(StrictSchema):
    amount = Amount(required=True)
    currency = fields.String(required=True, validate=CURRENCY)


class PercentSpec(StrictSchema):
    percent = Amount(required=True)
    fee = fields.String(required=True, validate=validate.OneOf(FEES))


class WaiverSpec(StrictSchema):
    fee = fields.String(required=True, validate=validate.OneOf(FEES))


class BenefitSpec(StrictSchema):
    id = fields.String(required=True, validate=ID)
    fixed = fields.Nested(MoneySpec)
    percent_of_fee = fields.Nested(PercentSpec)
    waiver = fields.Nested(WaiverSpec)
    when = fields.Raw()
    note = fields.String()

    @validates_schema
    def _one_kind(self, data, **kw):
        kinds = [k for k in ("fixed", "percent_of_fee", "waiver") if k in data]
        if len(kinds) != 1:
            raise ValidationError("a benefit has exactly one of fixed, percent_of_fee, waiver", "id")


class BandSpec(StrictSchema):
    level = fields.String(required=True, validate=ID)
    min = Amount()
    above = Amount()
    max = Amount()
    below = Amount()
    benefits = fields.List(fields.Nested(BenefitSpec), load_default=list)
    note = fields.String()


class LevelSpec(StrictSchema):
    level = fields.String(required=True, validate=ID)
    when = fields.Raw(required=True)
    benefits = fields.List(fields.Nested(BenefitSpec), load_default=list)
    note = fields.String()


class PointsSpec(StrictSchema):
    when = fields.Raw(required=True)
    points = Amount(required=True)
    note = fields.String()


class ScoreSpec(StrictSchema):
    path = fields.String()
    points = fields.List(fields.Nested(PointsSpec))

    @validates_schema
    def _one_source(self, data, **kw):
        if ("path" in data) == ("points" in data):
            raise ValidationError("a score has exactly one of path, points")


class AddonSpec(StrictSchema):
    id = fields.String(required=True, validate=ID)
    when = fields.Raw(required=True)
    standalone = fields.Boolean(load_default=False)
    benefits = fields.List(fields.Nested(BenefitSpec), required=True, validate=validate.Length(min=1))
    note = fields.String()


class RangeSpec(StrictSchema):
    min = Amount()
    max = Amount()


class AppliesSpec(StrictSchema):
    ports = fields.List(fields.String(validate=LOCODE), required=True, validate=validate.Length(min=1))
    vessel_types = fields.List(fields.String())
    gross_tonnage = fields.Nested(RangeSpec)
    flags = fields.List(fields.String(validate=validate.Regexp(r"^[A-Z]{2}\Z", error="ISO 3166-1 alpha-2")))


class WindowSpec(StrictSchema):
    # `from` is optional only where the sources give no start date (say so in notes).
    from_ = Date(data_key="from")
    until = Date()


class ExpectSpec(StrictSchema):
    status = fields.String(required=True, validate=validate.OneOf(
        ["eligible", "ineligible", "insufficient_data", "required", "not_required", "absent"]))
    edition = fields.String()
    level = fields.Raw(allow_none=True)
    score = fields.Raw(allow_none=True)
    total = fields.Raw(allow_none=True)
    benefits = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True))
    missing = fields.List(fields.String())
    draft = fields.Boolean()


class ExampleSpec(StrictSchema):
    name = fields.String(required=True)
    request = fields.Dict(required=True)
    expect = fields.Nested(ExpectSpec, required=True)


class EditionSpec(StrictSchema):
    edition = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String()
    effective = fields.Nested(WindowSpec, required=True)
    draft = fields.Boolean(load_default=False)
    sources = fields.List(fields.String(validate=SOURCE_ID))
    notes = fields.List(fields.String(), load_default=list)
    applies = fields.Nested(AppliesSpec, required=True)
    conditions = fields.Raw()
    score = fields.Nested(ScoreSpec)
    bands = fields.List(fields.Nested(BandSpec))
    levels = fields.List(fields.Nested(LevelSpec))
    benefits = fields.List(fields.Nested(BenefitSpec))
    addons = fields.List(fields.Nested(AddonSpec), load_default=list)
    cap = fields.Nested(MoneySpec)
    # The currency each fee a benefit reads is billed in: {dockage: USD}. A fee sent in another is refused.
    fee_currencies = fields.Dict(keys=fields.String(validate=validate.OneOf(FEES)),
                                 values=fields.String(validate=CURRENCY))
    obligations = fields.List(fields.String(), load_default=list)


class ProgramSpec(StrictSchema):
    program = fields.String(required=True, validate=ID)
    name = fields.String(required=True)
    sponsor = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["incentive", "requirement"]))
    draft = fields.Boolean(load_default=False)
    sources = fields.List(fields.String(validate=SOURCE_ID), required=True, validate=validate.Length(min=1))
    notes = fields.List(fields.String(), load_default=list)
    editions = fields.List(fields.Nested(EditionSpec), required=True, validate=validate.Length(min=1))
    examples = fields.List(fields.Nested(ExampleSpec), load_default=list)


class SourceSpec(StrictSchema):
    id = fields.String(required=True, validate=SOURCE_ID)
    title = fields.String(required=True, validate=validate.Length(min=1))
    publisher = fields.String(validate=validate.Length(min=1))
    url = fields.String(required=True, validate=WEB_ADDRESS)
    also = fields.List(fields.String(validate=WEB_ADDRESS))  # further copies of the same document
    read = Date()
    note = fields.String()


class SourceListSpec(StrictSchema):
    """rules/sources.yaml: every source a rule file may cite."""

    sources = fields.List(fields.Nested(SourceSpec), required=True, validate=validate.Length(min=1))


PROGRAM_SPEC = ProgramSpec()
SOURCE_LIST_SPEC = SourceListSpec()
