"""What a sample must exercise, read from a loaded ruleset rather than copied by hand.

    facts = rule_facts(ruleset)
    facts.ports         # every port an edition applies to (country wildcards such as CN* are not ports)
    facts.edge_days     # every edition's first day and end, and the day before each
    facts.edges["vessel.esi.score"]   # band edges and comparison thresholds, with their neighbours
    facts.currency("NLRTM")           # the currency the port's editions state money in

When a rule file gains a port, an edition or a band, the sample follows without an edit here.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from ..core.inputs import RANGES
from ..core.model import Edition
from ..core.ruleset import Ruleset

# Where no edition states money (percentages of fees only), a port's fees are sent in its country's
# currency (ISO 4217 by the UN/LOCODE country). A port of another country then gets no fees at all.
COUNTRY_CURRENCY = {"US": "USD", "CN": "CNY", "NL": "EUR", "SG": "SGD", "SE": "SEK", "HK": "HKD", "JP": "JPY",
                    "KR": "KRW", "CA": "CAD", "BE": "EUR", "DE": "EUR"}

# A score one step either side of an edge: a band or comparison may put the edge on either side.
STEP = Decimal("0.1")
ONE_DAY = dt.timedelta(days=1)

_ORDERS = frozenset(("<=", ">=", "!=", "<", ">", "="))  # the comparisons whose number is an edge


@dataclass(frozen=True)
class RuleFacts:
    ports: tuple  # sorted port codes
    edge_days: tuple  # sorted dates
    edges: dict  # input path -> sorted Decimals: each edge and the values one STEP either side, in range
    currencies: dict  # port -> currency, or None when neither the rules nor COUNTRY_CURRENCY know it

    def currency(self, port: str) -> str | None:
        return self.currencies.get(port)


def rule_facts(ruleset: Ruleset) -> RuleFacts:
    editions = [e for pid in sorted(ruleset.programs) for e in ruleset.programs[pid].editions]
    ports = tuple(p for p in ruleset.ports if "*" not in p)
    return RuleFacts(ports=ports, edge_days=_edge_days(editions), edges=_edges(editions),
                     currencies={p: _currency(p, editions) for p in ports})


def _edge_days(editions: list[Edition]) -> tuple:
    bounds = {d for e in editions for d in (e.start, e.until) if d is not None}
    return tuple(sorted(bounds | {d - ONE_DAY for d in bounds}))


def _edges(editions: list[Edition]) -> dict:
    raw: dict[str, set] = {}
    for e in editions:
        if e.score_path:  # a points score is worked out, not sent: its band edges are no input values
            for band in e.bands:
                raw.setdefault(e.score_path, set()).update(x for x in (band.lo, band.hi) if x is not None)
        for leaf in e.leaf_rules:
            if leaf.op in _ORDERS and isinstance(leaf.value, (int, Decimal)) and not isinstance(leaf.value, bool):
                raw.setdefault(leaf.path, set()).add(Decimal(leaf.value))
    return {path: _with_neighbours(path, values) for path, values in sorted(raw.items())}


def _with_neighbours(path: str, values: set) -> tuple:
    lo, hi = RANGES.get(path, (None, None))
    around = {v + d for v in values for d in (-STEP, Decimal(0), STEP)}
    return tuple(sorted(v for v in around if (lo is None or v >= lo) and (hi is None or v <= hi)))


def _currency(port: str, editions: list[Edition]) -> str | None:
    stated = Counter(m.currency for e in editions if port in e.ports or port[:2] + "*" in e.ports
                     for m in _money(e))
    if stated:
        return min(stated, key=lambda c: (-stated[c], c))  # the most used; ties by name, for determinism
    return COUNTRY_CURRENCY.get(port[:2])


def _money(e: Edition):
    holders = [e.benefits] + [x.benefits for x in (*e.bands, *e.levels, *e.addons)]
    yield from (b.amount for benefits in holders for b in benefits if b.amount is not None)
    if e.cap is not None:
        yield e.cap
