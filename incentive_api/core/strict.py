"""What every schema of the service shares: unknown fields are refused, and the code patterns."""

from __future__ import annotations

from marshmallow import RAISE, Schema, validate

UNLOCODE_PATTERN = r"^[A-Z]{2}[A-Z2-9]{3}\Z"
PORT_OR_COUNTRY_PATTERN = r"^[A-Z]{2}([A-Z2-9]{3}|\*)\Z"  # rule files may name every port of a country: CN*


class StrictSchema(Schema):
    """A schema that refuses unknown fields instead of ignoring them."""

    class Meta:
        unknown = RAISE


def unlocode(error: str = "UN/LOCODE without the space, e.g. USLGB.") -> validate.Regexp:
    return validate.Regexp(UNLOCODE_PATTERN, error=error)


def walk_messages(messages, transparent=("_schema",), path: tuple = ()):
    """marshmallow's nested error messages as (path, message) pairs. Keys in `transparent` name no
    level of the data (the schema itself; a Dict entry's key or value) and add nothing to the path."""
    if isinstance(messages, dict):
        for key, sub in messages.items():
            yield from walk_messages(sub, transparent, path if key in transparent else path + (key,))
    elif isinstance(messages, list):
        for message in messages:
            if isinstance(message, (dict, list)):
                yield from walk_messages(message, transparent, path)
            else:
                yield path, message
    else:
        yield path, messages
