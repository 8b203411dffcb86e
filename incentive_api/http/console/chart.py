"""A plan's money drawn as horizontal bars, per port and per program, as a standalone SVG.

Currencies are never added or compared with each other: each bar is scaled against the largest bar of its
own currency, and every label names its currency. Every text comes from the caller and is XML-escaped.
"""

from __future__ import annotations

import re
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

MAX_BARS = 1000
WIDTH, LABEL_W, BAR_W, ROW_H, HEAD_H = 760, 190, 380, 24, 34
COLOURS = ("#1f6feb", "#2da44e", "#bf8700", "#8250df", "#cf222e", "#0a7b83")
AMOUNT = re.compile(r"^[0-9]{1,15}(\.[0-9]{1,6})?\Z")  # as the API writes money: a decimal string
CURRENCY = re.compile(r"^[A-Z]{3}\Z")
# What XML 1.0 cannot hold at all (escaping does not help): C0 controls but tab and line ends, lone surrogates,
# U+FFFE and U+FFFF. Shown as U+FFFD, so a label stays a label and the document stays well formed.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class ChartError(ValueError):
    pass


def plan_chart(totals) -> str:
    """SVG for a plan's `totals` ({by_port: [...], by_program: [...]}, as POST /v1/plans answers them)."""
    if not isinstance(totals, dict):
        raise ChartError("Send the plan's `totals` object as JSON: {\"by_port\": [...], \"by_program\": [...]}.")
    sections = [("Money per port", _bars(totals.get("by_port"), "port")),
                ("Money per program", _bars(totals.get("by_program"), "program"))]
    if sum(len(bars) for _title, bars in sections) > MAX_BARS:
        raise ChartError(f"At most {MAX_BARS} bars can be drawn.")
    biggest: dict[str, Decimal] = {}
    for _title, bars in sections:
        for _label, amount, currency in bars:
            biggest[currency] = max(biggest.get(currency, Decimal(0)), amount)
    currencies = sorted(biggest)
    colour = {c: COLOURS[i % len(COLOURS)] for i, c in enumerate(currencies)}
    parts, y = [], 0
    for title, bars in sections:
        parts.append(f'<text x="0" y="{y + 22}" font-size="16" font-weight="bold">{escape(title)}</text>')
        y += HEAD_H
        if not bars:
            parts.append(f'<text x="0" y="{y + 16}" font-size="13" fill="#57606a">no money in this plan</text>')
            y += ROW_H
        for label, amount, currency in bars:
            scale = amount / biggest[currency] if biggest[currency] else Decimal(0)
            width = max(1, round(float(scale) * BAR_W)) if amount else 0
            parts.append(
                f'<g><title>{escape(f"{label}: {_money(amount, currency)}")}</title>'
                f'<text x="{LABEL_W - 8}" y="{y + 16}" font-size="13" text-anchor="end">{escape(label)}</text>'
                f'<rect x="{LABEL_W}" y="{y + 4}" width="{width}" height="{ROW_H - 8}" fill="{colour[currency]}"/>'
                f'<text x="{LABEL_W + width + 6}" y="{y + 16}" font-size="13">{escape(_money(amount, currency))}</text></g>')
            y += ROW_H
        y += 8
    note = "Bars compare within one currency only; currencies are never added together."
    parts.append(f'<text x="0" y="{y + 14}" font-size="12" fill="#57606a">{escape(note)}</text>')
    height = y + 24
    label = quoteattr("Bar chart of money per port and per program")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label={label} font-family="sans-serif">'
            f'<rect width="100%" height="100%" fill="#ffffff"/>{"".join(parts)}</svg>')


def _bars(rows, key: str) -> list[tuple[str, Decimal, str]]:
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise ChartError(f"`by_{key}` must be a list.")
    bars = []
    for row in rows:
        if not isinstance(row, dict) or not isinstance(row.get(key), str) or not isinstance(row.get("totals"), list):
            raise ChartError(f"Each `by_{key}` entry names its {key} and lists its `totals`.")
        for money in row["totals"]:
            bars.append((NOT_XML.sub("\ufffd", row[key][:64]), *_amount(money)))
    return bars


def _amount(money) -> tuple[Decimal, str]:
    amount = money.get("amount") if isinstance(money, dict) else None
    currency = money.get("currency") if isinstance(money, dict) else None
    if not (isinstance(amount, str) and AMOUNT.match(amount) and isinstance(currency, str)
            and CURRENCY.match(currency)):
        raise ChartError("Each total is {\"amount\": \"1250.00\", \"currency\": \"USD\"}: a non-negative decimal "
                         "string and an ISO 4217 code, as POST /v1/plans writes them.")
    return Decimal(amount), currency


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,} {currency}"
