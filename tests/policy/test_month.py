"""`Month`: the month value every layer counts in (policy/month.py)."""

from __future__ import annotations

import copy
import pickle
from datetime import date, datetime

import pytest

from xinao_xl.policy.errors import XinaoError
from xinao_xl.policy.month import Month, MonthError


def test_a_month_is_its_text() -> None:
    m = Month("2026-11")
    assert m == "2026-11" and isinstance(m, str) and f"{m}_台账.xlsx" == "2026-11_台账.xlsx"
    assert (m.year, m.number) == (2026, 11)
    assert {m: 1}["2026-11"] == 1  # a dict keyed by months finds it by its text
    assert Month(m) is m


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-1", "26-11", "2026/11", "2026-11 ", " 2026-11", "", "十一月"])
def test_anything_else_is_refused_in_chinese(text: str) -> None:
    with pytest.raises(MonthError, match="月份格式应为 YYYY-MM") as info:
        Month(text)
    assert isinstance(info.value, ValueError) and isinstance(info.value, XinaoError) and info.value.exit_code == 2


def test_next_and_previous_across_the_year() -> None:
    # 12 + 1 = 13 → January of the next year; 1 - 1 = 0 → December of the year before
    assert Month("2026-12").next() == "2027-01" and Month("2026-01").next() == "2026-02"
    assert Month("2026-01").prev() == "2025-12" and Month("2026-11").prev() == "2026-10"
    # three months before February: January, December, November of the year before
    assert [Month("2026-02").prev(n) for n in (1, 2, 3)] == ["2026-01", "2025-12", "2025-11"]
    assert Month("2026-11").next(14) == "2028-01" and Month("2026-11").prev(0) == "2026-11"
    assert isinstance(Month("2026-12").next(), Month)


def test_back_lists_the_months_ending_with_this_one() -> None:
    assert Month("2026-02").back(3) == ["2025-12", "2026-01", "2026-02"]
    assert Month("2026-12").back(12)[0] == "2026-01" and len(Month("2026-12").back(12)) == 12


def test_first_and_last_day() -> None:
    assert (Month("2026-11").first_day, Month("2026-11").last_day) == (date(2026, 11, 1), date(2026, 11, 30))
    assert Month("2028-02").last_day == date(2028, 2, 29) and Month("2026-02").last_day == date(2026, 2, 28)  # 2028 is a leap year
    days = Month("2026-12").days()
    assert len(days) == 31 and days[0] == date(2026, 12, 1) and days[-1] == date(2026, 12, 31)


def test_of_contains_and_title() -> None:
    assert Month.of(date(2026, 11, 30)) == "2026-11" and Month.of(datetime(2027, 1, 1, 0, 5)) == "2027-01"
    m = Month("2026-11")
    assert m.contains(date(2026, 11, 1)) and m.contains(datetime(2026, 11, 30, 23, 59))
    assert not m.contains(date(2026, 12, 1)) and not m.contains(date(2025, 11, 5)) and not m.contains("2026-11-05") and not m.contains(None)
    assert m.title == "2026年11月" and Month("2027-01").title == "2027年1月"
    assert m.folder_name == "2026-11"


def test_match_and_search() -> None:
    assert Month.match("2026-11") == "2026-11" and Month.match("2026-11_台账") is None and Month.match("杂项") is None
    assert Month.search("2026-03_考核.xlsx") == "2026-03" and Month.search("台账（2026-13）") is None
    assert Month.search("考核表.xlsx") is None


def test_months_order_as_time_and_survive_pickling() -> None:
    assert Month("2025-12") < Month("2026-01") < "2026-10" < Month("2026-11")
    assert sorted([Month("2026-10"), Month("2025-12"), Month("2026-02")]) == ["2025-12", "2026-02", "2026-10"]
    for twin in (pickle.loads(pickle.dumps(Month("2026-11"))), copy.deepcopy(Month("2026-11"))):
        assert twin == "2026-11" and isinstance(twin, Month) and twin.number == 11
