"""Request JSON as the service reads it, the same for the API, the CLI and batch items.

Numbers become int or Decimal, never float, so money and thresholds stay exact
from the wire on. NaN, Infinity, integers of more than 30 digits and decimals of
more than 30 significant digits or beyond 1E+30 or 1E-30 (1e-99999999999999999999,
which no arithmetic can hold) are read as an OutOfRange marker rather than refused
outright, so that the request schema names the field with a 422 instead of a bare 400.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

MAX_INTEGER_DIGITS = 30
MAX_DECIMAL_DIGITS = 30  # significant digits of a number with a fraction or an exponent
MAX_DECIMAL_EXPONENT = 30  # |adjusted exponent|: 1E+30 and 1E-30 are the widest read


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


def _decimal(text: str):
    try:
        value = Decimal(text)
    except InvalidOperation:  # an exponent past what decimal can hold at all
        return OutOfRange(text[:12] + "...")
    if value.is_zero():
        return Decimal(0)
    if len(value.as_tuple().digits) > MAX_DECIMAL_DIGITS or abs(value.adjusted()) > MAX_DECIMAL_EXPONENT:
        return OutOfRange(text[:12] + "...")
    return value


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
        return json.loads(raw, parse_float=_decimal, parse_constant=OutOfRange, parse_int=_integer,
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
