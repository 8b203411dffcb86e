"""marshmallow schemas of the HTTP layer: the batch envelope and query strings.

The request body of one decision is the core's RequestSchema; these wrap it.
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate


class _Strict(Schema):
    class Meta:
        unknown = RAISE


def batch_schema(max_items: int) -> Schema:
    class BatchSchema(_Strict):
        items = fields.List(fields.Raw(), required=True, validate=validate.Length(
            min=1, max=max_items, error=f"A batch holds 1 to {max_items} items."))
    return BatchSchema()


class ProgramsQuery(_Strict):
    port = fields.String(validate=validate.Regexp(r"^[A-Z]{2}[A-Z2-9]{3}\Z", error="UN/LOCODE, e.g. USLGB."))
    as_of = fields.Date()


PROGRAMS_QUERY = ProgramsQuery()
