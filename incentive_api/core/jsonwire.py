"""Request JSON as the service reads it, the same for the API, the CLI and batch items.

Numbers become int or Decimal, never float, so money and thresholds stay exact
from the wire on. NaN, Infinity and integers of more than 30 digits are read as
an OutOfRange marker rather than refused outright, so that the request schema
names the field with a 422 instead of a bare 400.
"""

from __future__ import annotations

import json
from decimal import Decimal

MAX_INTEGER_DIGITS = 30


class OutOfRange:
    """A JSON number the service will not read; the schema refuses it at its field."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


class MalformedJson(ValueError):
    """The text is not JSON the service can read. `pointer` is set when a field can be named."""

    def __init__(self, detail: str, status: int = 400, pointer: str | None = None):
        self.detail, self.status, self.pointer = detail, status, pointer
        super().__init__(detail)


def _integer(text: str):
    return int(text) if len(text) <= MAX_INTEGER_DIGITS else OutOfRange(text[:12] + "...")


def _object(pairs: list) -> dict:
    """A JSON object whose keys are unique: with a repeated key, which value was meant is unknowable."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen = set()
        repeated = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise MalformedJson(f"The body names {repeated!r} twice in one object; send each key once.")
    return obj


def loads(raw: bytes | str):
    """Parse request JSON; raises MalformedJson saying what is wrong and where."""
    try:
        return json.loads(raw, parse_float=Decimal, parse_constant=OutOfRange, parse_int=_integer,
                          object_pairs_hook=_object)
    except UnicodeDecodeError:
        raise MalformedJson("The body is not UTF-8 text.") from None
    except MalformedJson:
        raise
    except json.JSONDecodeError as exc:
        raise MalformedJson(f"The body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}.") from None
    except RecursionError:
        raise MalformedJson("Nested too deeply; no request needs more than a few levels.", 422, "") from None
    except ValueError as exc:
        raise MalformedJson(f"The body is not valid JSON: {exc}.") from None
