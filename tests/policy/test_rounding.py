"""Rounding as Excel's ROUND does it (POLICY_RULES §1: half away from zero, 2 decimals)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinao_xl.policy.rounding import excel_round, to_decimal


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2.675, 2.68),  # Python's round(2.675, 2) gives 2.67 (binary float); Excel gives 2.68
        (-2.675, -2.68),  # away from zero on the negative side too
        (1.005, 1.01),  # round(1.005, 2) == 1.0 in Python; Excel 1.01
        (0.125, 0.13),  # banker's rounding would give 0.12
        (11.325, 11.33),  # the company item: 0.15 × 75.5 = 11.325 → 11.33
        (2.5, 2.5),
        (2.345, 2.35),
        (-0.005, -0.01),
        (0.004, 0.0),
        (100, 100.0),
    ],
)
def test_excel_round_half_away_from_zero(value, expected):
    assert excel_round(value) == expected


def test_excel_round_other_digits():
    assert excel_round(2.5, 0) == 3.0  # ROUND(2.5, 0) = 3, Python round(2.5) = 2
    assert excel_round(-2.5, 0) == -3.0
    assert excel_round(1234.5678, 1) == 1234.6
    assert excel_round(1250, -2) == 1300.0  # ROUND(1250, -2) = 1300


def test_excel_round_never_returns_negative_zero():
    result = excel_round(-0.001)
    assert result == 0.0 and str(result) == "0.0"


def test_to_decimal_uses_the_shortest_repr():
    assert to_decimal(0.965) == Decimal("0.965")  # not 0.96499999999999996891…
    assert to_decimal(3) == Decimal(3)
    assert to_decimal(Decimal("1.5")) == Decimal("1.5")


@given(st.integers(min_value=-10**9, max_value=10**9))
def test_excel_round_halves_go_away_from_zero(cents_times_ten):
    # n/1000 with last digit 5 is exactly a half at 2 decimals: it moves away from zero.
    value = Decimal(cents_times_ten) / 1000
    rounded = Decimal(repr(excel_round(float(value))))
    assert abs(rounded - value) <= Decimal("0.005")
    if abs(cents_times_ten) % 10 == 5:
        assert abs(rounded) > abs(value)
