"""Compiled rules: plain Python objects built once at load, read on every request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from .money import Money

Cond = Callable[[dict, list, list], bool | None]


@dataclass(slots=True)
class Benefit:
    id: str
    kind: str  # fixed | percent_of_fee | waiver
    amount: Money | None = None
    percent: Decimal | None = None
    fee: str | None = None
    when: Cond | None = None
    note: str | None = None
    origin: str = ""  # "level:premier", "addon:tier3", "program"


@dataclass(slots=True)
class Band:
    level: str
    lo: Decimal | None
    lo_inclusive: bool
    hi: Decimal | None
    hi_inclusive: bool
    benefits: list
    text: str = ""  # "[48, 54)"
    reach: dict | None = None  # {"level", "needs"}: what a caller must score to get here
    rule: str = ""  # where it sits in its file: editions[1].bands[0]
    note: str | None = None  # shown in an answer that reaches this band

    def holds(self, score) -> bool:
        if self.lo is not None and (score < self.lo or (score == self.lo and not self.lo_inclusive)):
            return False
        return not (self.hi is not None and (score > self.hi or (score == self.hi and not self.hi_inclusive)))


@dataclass(slots=True)
class Level:
    level: str
    when: Cond
    benefits: list
    text: str = ""
    note: str | None = None  # shown in an answer that reaches this level


@dataclass(slots=True)
class Addon:
    id: str
    when: Cond
    standalone: bool
    benefits: list
    text: str = ""
    note: str | None = None  # shown in an answer this add-on pays in


@dataclass(slots=True)
class Example:
    name: str
    request: dict
    expect: dict
    file: str
    line: int
    col: int


@dataclass(slots=True)
class Edition:
    program: Program
    edition: str
    name: str
    start: dt.date | None  # inclusive; None = no known start
    until: dt.date | None  # exclusive; None = open-ended
    draft: bool
    ports: tuple
    gates: list  # applicability conditions (vessel types, tonnage, flags)
    conditions: Cond | None
    score_path: str | None
    score_points: list | None  # [(Cond, Decimal, note or None)]
    bands: list
    levels: list
    benefits: list
    addons: list
    cap: Money | None
    obligations: list
    notes: list  # what every answer carries: interpretations, draft status, sources
    sources: list  # cited ids, in citation order
    file: str
    line: int
    bands_rule: str = ""
    leaf_rules: list = field(default_factory=list)  # every comparison (conditions.Leaf)
    cited: list = field(default_factory=list)  # the sources as {id, title, url}, in citation order
    fee_currencies: dict = field(default_factory=dict)  # each fee a benefit reads -> the currency it is billed in

    def in_effect(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.until is None or day < self.until)

    @property
    def window(self) -> dict:
        return {"from": self.start.isoformat() if self.start else None,
                "until": self.until.isoformat() if self.until else None}


@dataclass(slots=True)
class Program:
    id: str
    name: str
    sponsor: str
    kind: str  # incentive | requirement
    draft: bool
    sources: list
    notes: list
    file: str
    at: tuple = (1, 1)  # line, col of the program id
    cited: list = field(default_factory=list)  # the sources as {id, title, url}, in citation order
    editions: list = field(default_factory=list)
    examples: list = field(default_factory=list)


def fee_currency_errors(editions, fees: dict) -> list[dict]:
    """A pointer error for each fee sent in another currency than an edition reading it bills it in.

    Only fees some of `editions` read are checked: a fee no program reads may be in any currency.
    """
    expected: dict = {}
    for ed in editions:
        for fee, currency in ed.fee_currencies.items():
            expected.setdefault(fee, {}).setdefault(currency, {})[ed.program.id] = None
    errors = []
    for fee in sorted(expected.keys() & fees.keys()):
        sent = fees[fee]["currency"]
        for currency, readers in sorted(expected[fee].items()):
            if currency != sent:
                errors.append({"pointer": f"/call/fees/{fee}/currency",
                               "message": f"expected {currency}, not {sent}: {', '.join(readers)} "
                                          f"{'reads' if len(readers) == 1 else 'read'} {fee} in {currency}."})
    return errors
