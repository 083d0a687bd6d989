"""Rounding exactly as Excel's ROUND does, so a UDF and a native formula agree.

Python's round() is banker's rounding on binary floats (round(2.675, 2) == 2.67); Excel
rounds half away from zero on the decimal it works with: 15 significant digits (2.68).
Going through those 15 digits and Decimal reproduces Excel (and LibreOffice) both for typed
values and for computed ones that carry float noise (1.15*3 = 3.4499999999999997 → 3.5).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def to_decimal(value: float | int | Decimal) -> Decimal:
    """The decimal Excel works with for a number: 15 significant digits."""
    if isinstance(value, Decimal):
        return value
    return Decimal(f"{value:.15g}") if isinstance(value, float) else Decimal(value)


def excel_round(value: float | int | Decimal, digits: int = 2) -> float:
    """ROUND(value, digits): half away from zero (Decimal ROUND_HALF_UP is away from zero)."""
    quantum = Decimal(1).scaleb(-digits)
    result = to_decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    return float(result) + 0.0  # + 0.0 turns -0.0 into 0.0
