"""Money: exact decimals with a currency, never floats."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __add__(self, other: "Money") -> "Money":
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return Money(self.amount + other.amount, self.currency)

    def __gt__(self, other: "Money") -> bool:
        if other.currency != self.currency:
            raise ValueError(f"cannot compare {other.currency} with {self.currency}")
        return self.amount > other.amount

    def rounded(self) -> "Money":
        return Money(self.amount.quantize(CENT, rounding=ROUND_HALF_EVEN), self.currency)

    def as_json(self) -> dict:
        return {"amount": str(self.amount.quantize(CENT, rounding=ROUND_HALF_EVEN)), "currency": self.currency}


def percent_of(percent: Decimal, fee: Money) -> Money:
    """`percent` of `fee`, to the cent (banker's rounding, as billing systems expect)."""
    return Money(fee.amount * percent / HUNDRED, fee.currency).rounded()
