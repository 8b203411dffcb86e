"""A plan's money drawn as horizontal bars, per port and per program, as a standalone SVG.

Currencies are never added or compared with each other: each bar is scaled against the largest bar of its
own currency, and every label names its currency. Every text comes from the caller and is XML-escaped.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from xml.sax.saxutils import escape, quoteattr

MAX_BARS = 1000
WIDTH, LABEL_W, BAR_W, ROW_H, HEAD_H = 760, 190, 380, 24, 34
COLOURS = ("#1f6feb", "#2da44e", "#bf8700", "#8250df", "#cf222e", "#0a7b83")


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
            bars.append((row[key][:64], *_amount(money)))
    return bars


def _amount(money) -> tuple[Decimal, str]:
    try:
        amount = Decimal(money["amount"])
        currency = money["currency"]
    except (TypeError, KeyError, InvalidOperation):
        raise ChartError("Each total is {\"amount\": \"decimal string\", \"currency\": \"XXX\"}.") from None
    if not amount.is_finite() or amount < 0 or not isinstance(currency, str) or len(currency) != 3:
        raise ChartError("Each total is a non-negative decimal amount with a three-letter currency.")
    return amount, currency


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,} {currency}"
