"""IMO ship identification numbers (Res. A.600(15)); sources S98-S100 in programs.md."""

from __future__ import annotations

import re

_IMO = re.compile(r"^(?:IMO)?[ ]*([0-9]{7})\Z", re.IGNORECASE)


def imo_check_digit(first_six: str) -> int:
    """Weights 7..2 over the first six digits; the check digit is the sum's last digit."""
    return sum(int(d) * w for d, w in zip(first_six, (7, 6, 5, 4, 3, 2))) % 10


def normalise_imo(raw: str) -> str:
    """Return the 7-digit number, or raise ValueError saying what is wrong."""
    match = _IMO.match(raw.strip())
    if not match:
        raise ValueError("an IMO number is 7 digits, optionally prefixed 'IMO'")
    digits = match.group(1)
    expected = imo_check_digit(digits[:6])
    if int(digits[6]) != expected:
        raise ValueError(f"IMO check digit is wrong: {digits[:6]} gives check digit {expected}, not {digits[6]}")
    return digits
