"""Money: exact decimals with a currency, never floats, rounded to the currency's own minor unit."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

HUNDRED = Decimal(100)

# ISO 4217 minor units that are not two. Every other code has two (USD, EUR, HKD, CNY, CAD, SGD, SEK ...).
_MINOR_UNITS = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
                     "VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    **dict.fromkeys(("CLF", "UYW"), 4),
}


def minor_unit(currency: str) -> int:
    """Digits after the decimal point that `currency` is billed in (ISO 4217): JPY 0, USD 2, KWD 3."""
    return _MINOR_UNITS.get(currency, 2)


def minor_unit_rule(currency: str) -> str:
    """How `currency` is billed, for error messages."""
    places = minor_unit(currency)
    return (f"{currency} has no minor unit (ISO 4217): whole {currency} only" if places == 0
            else f"{currency} is billed to {places} decimal places (ISO 4217)")


def _step(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_unit(currency))


def finer_than_minor_unit(amount: Decimal, currency: str) -> bool:
    """True when `amount` has digits below the currency's minor unit (10.5 JPY, 1.234 USD)."""
    return amount != amount.quantize(_step(currency), rounding=ROUND_HALF_EVEN)


def amount_text(amount: Decimal, currency: str) -> str:
    """The amount as answers write it: to the currency's minor unit, half-even ("185185" JPY, "9000.00" USD)."""
    return str(amount.quantize(_step(currency), rounding=ROUND_HALF_EVEN))


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return Money(self.amount + other.amount, self.currency)

    def __gt__(self, other: Money) -> bool:
        if other.currency != self.currency:
            raise ValueError(f"cannot compare {other.currency} with {self.currency}")
        return self.amount > other.amount

    def rounded(self) -> Money:
        return Money(self.amount.quantize(_step(self.currency), rounding=ROUND_HALF_EVEN), self.currency)

    def as_json(self) -> dict:
        return {"amount": amount_text(self.amount, self.currency), "currency": self.currency}


def percent_of(percent: Decimal, fee: Money) -> Money:
    """`percent` of `fee`, to the currency's minor unit (banker's rounding, as billing systems expect)."""
    return Money(fee.amount * percent / HUNDRED, fee.currency).rounded()
