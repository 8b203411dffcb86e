"""How input values are shown in explanations and in decision JSON."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal


def to_json(v):
    """A JSON-ready copy: Decimals become int or float (never money), dates ISO strings."""
    t = type(v)
    if t is Decimal:
        return int(v) if v == v.to_integral_value() else float(v)
    if t is dt.date:
        return v.isoformat()
    if t is list or t is tuple:
        return [to_json(x) for x in v]
    return v


def show(v) -> str:
    """A short text form for reasons: true/false, 52, 2024-07-01, [lng, mgo]."""
    t = type(v)
    if t is bool:
        return "true" if v else "false"
    if t is str:
        return v
    if t is list or t is tuple:
        return "[" + ", ".join(show(x) for x in v) + "]"
    if t is Decimal:
        return format(v.normalize(), "f") if v == v.to_integral_value() else str(v)
    return str(v)
