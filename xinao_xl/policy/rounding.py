"""Rounding exactly as Excel's ROUND does, so a UDF and a native formula agree.

Python's round() is banker's rounding on binary floats (round(2.675, 2) == 2.67); Excel
rounds half away from zero on the decimal it displays (2.68). Going through the shortest
repr of the float and Decimal reproduces Excel for every value staff can type.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def to_decimal(value: float | int | Decimal) -> Decimal:
    """The decimal staff see for a number (the float's shortest repr)."""
    if isinstance(value, Decimal):
        return value
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def excel_round(value: float | int | Decimal, digits: int = 2) -> float:
    """ROUND(value, digits): half away from zero (Decimal ROUND_HALF_UP is away from zero)."""
    quantum = Decimal(1).scaleb(-digits)
    result = to_decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    return float(result) + 0.0  # + 0.0 turns -0.0 into 0.0
