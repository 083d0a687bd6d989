"""Working days with Chinese holidays and 调休 makeup days (POLICY_RULES §5, issue 2 item 6)."""

from datetime import date, timedelta

import pytest

from xinao_xl.policy.calendar import RESTDAY, WORKDAY, CalendarOverride, WorkCalendar
from xinao_xl.policy.errors import CalendarUnknownError, PolicyInputError

CAL = WorkCalendar()


def test_2026_national_day_is_off():
    # 国务院 2026 notice: 10-01 (Thu) to 10-07 (Wed) off
    for day in range(1, 8):
        assert not CAL.is_workday(date(2026, 10, day)), day


def test_2026_national_day_makeup_saturday_10_10_is_a_workday():
    assert date(2026, 10, 10).weekday() == 5  # a Saturday
    assert CAL.is_workday(date(2026, 10, 10))  # 调休上班
    assert CAL.is_workday(date(2026, 9, 20))  # the Sunday before is a makeup day too
    assert not CAL.is_workday(date(2026, 10, 11))  # the Sunday after is not


def test_ordinary_week():
    assert CAL.is_workday(date(2026, 11, 3))  # Tuesday
    assert not CAL.is_workday(date(2026, 11, 7))  # Saturday


def test_start_day_is_not_counted():
    # 民法典 201: 3 working days from Tue 11-03 are Wed 11-04, Thu 11-05, Fri 11-06
    assert CAL.add_workdays(date(2026, 11, 3), 3) == date(2026, 11, 6)
    # from Fri 11-06: Mon 11-09, Tue 11-10, Wed 11-11
    assert CAL.add_workdays(date(2026, 11, 6), 3) == date(2026, 11, 11)
    assert CAL.add_workdays(date(2026, 11, 3), 0) == date(2026, 11, 3)


def test_workdays_across_national_day_use_the_makeup_saturday():
    # from 09-30: 10-01..07 off; 10-08 (1), 10-09 (2), 10-10 Saturday 调休 (3)
    assert CAL.add_workdays(date(2026, 9, 30), 3) == date(2026, 10, 10)
    # a weekends-only calendar would give 10-05; the package must not be bypassed
    assert CAL.add_workdays(date(2026, 9, 30), 3) != date(2026, 10, 5)


def test_working_day_deadline_starting_on_a_holiday():
    # start 10-03 (holiday, not counted anyway): 10-08 (1), 10-09 (2), 10-10 (3)
    assert CAL.add_workdays(date(2026, 10, 3), 3) == date(2026, 10, 10)
    # start on a Saturday 11-07: Mon 11-09, Tue 11-10, Wed 11-11
    assert CAL.add_workdays(date(2026, 11, 7), 3) == date(2026, 11, 11)


def test_override_declared_restday():
    cal = WorkCalendar([CalendarOverride(date(2026, 11, 4), RESTDAY, "停电检修", "聊新奥〔2026〕1号")])
    assert not cal.is_workday(date(2026, 11, 4))
    # from 11-03: 11-04 off → 11-05 (1), 11-06 (2), 11-09 (3)
    assert cal.add_workdays(date(2026, 11, 3), 3) == date(2026, 11, 9)


def test_override_declared_workday():
    cal = WorkCalendar([CalendarOverride(date(2026, 11, 7), WORKDAY, "加班")])
    assert cal.is_workday(date(2026, 11, 7))
    # from Fri 11-06: Sat 11-07 worked (1), Mon 11-09 (2), Tue 11-10 (3)
    assert cal.add_workdays(date(2026, 11, 6), 3) == date(2026, 11, 10)


def test_override_kind_must_be_workday_or_restday():
    with pytest.raises(ValueError):
        CalendarOverride(date(2026, 11, 7), "半天")


def test_2027_date_is_unknown():
    with pytest.raises(CalendarUnknownError) as info:
        CAL.is_workday(date(2027, 1, 4))
    assert info.value.code == "日历未确认"
    assert "2027" in str(info.value) and "日历未确认" in str(info.value)
    assert info.value.year == 2027
    assert isinstance(info.value, PolicyInputError)  # front ends catch one error type


def test_deadline_reaching_into_unknown_2027_is_an_error_not_a_guess():
    # from 2026-12-30: 12-31 (1), then 2027 — unknown, so no weekends-only answer
    with pytest.raises(CalendarUnknownError):
        CAL.add_workdays(date(2026, 12, 30), 3)
    assert CAL.add_workdays(date(2026, 12, 30), 1) == date(2026, 12, 31)  # within 2026 is fine


def test_knows_years():
    assert CAL.knows(2026) and CAL.package_knows(2026)
    assert not CAL.knows(2027)


def test_confirmed_2027_with_overrides_works():
    # The office enters the 2027 notice: 元旦 01-01 (Fri) off, and marks the year confirmed.
    cal = WorkCalendar([CalendarOverride(date(2027, 1, 1), RESTDAY, "元旦", "国办发明电〔2026〕X号")], confirmed_years=[2027])
    assert cal.knows(2027)
    assert not cal.is_workday(date(2027, 1, 1))
    assert not cal.is_workday(date(2027, 1, 2)) and not cal.is_workday(date(2027, 1, 3))  # weekend
    assert cal.is_workday(date(2027, 1, 4))  # Monday, not in the notice: an ordinary day
    # from 2026-12-30: 12-31 (1), 01-01 off, 01-02/03 weekend, 01-04 (2), 01-05 (3)
    assert cal.add_workdays(date(2026, 12, 30), 3) == date(2027, 1, 5)


def test_confirmed_year_override_makeup_workday():
    cal = WorkCalendar([CalendarOverride(date(2027, 2, 20), WORKDAY, "春节调休")], confirmed_years=[2027])
    assert date(2027, 2, 20).weekday() == 5 and cal.is_workday(date(2027, 2, 20))


def test_override_beats_the_package():
    cal = WorkCalendar([CalendarOverride(date(2026, 10, 10), RESTDAY, "本地安排")])
    assert not cal.is_workday(date(2026, 10, 10))


def test_negative_days_is_an_error():
    with pytest.raises(ValueError):
        CAL.add_workdays(date(2026, 11, 3), -1)


def test_days_of_year_2026():
    days = list(CAL.days_of_year(2026))
    assert len(days) == 365
    assert days[0] == (date(2026, 1, 1), False)  # 元旦
    # From the State Council's 2026 notice, by hand: 2026 starts on a Thursday, so
    # 52 × 5 + 1 = 261 weekdays. Weekdays off: 元旦 01-01/02 (2), 春节 02-16..20, 02-23 (6),
    # 清明 04-06 (1), 劳动节 05-01, 05-04/05 (3), 端午 06-19 (1), 中秋 09-25 (1),
    # 国庆 10-01/02, 10-05..07 (5) = 19. Makeup days: 01-04, 02-14, 02-28, 05-09, 09-20,
    # 10-10 = 6. 261 − 19 + 6 = 248.
    assert sum(flag for _, flag in days) == 261 - 19 + 6 == 248


def test_cross_check_with_weekends_outside_holidays():
    # Every 2026 weekday in November is a workday (no holiday in November).
    day = date(2026, 11, 1)
    while day.month == 11:
        assert CAL.is_workday(day) == (day.weekday() < 5), day
        day += timedelta(days=1)


def test_each_date_is_looked_up_in_the_package_once(monkeypatch):
    """WORKDAY_CN recalculates per cell; the package scans its tables on every call."""
    import chinese_calendar

    calls: list[date] = []
    real = chinese_calendar.is_workday
    monkeypatch.setattr(chinese_calendar, "is_workday", lambda d: calls.append(d) or real(d))
    cal = WorkCalendar()
    # 2026-09-30 + 3 working days: 10-01..07 off, 10-08, 10-09, 10-10 (调休 Saturday)
    assert cal.add_workdays(date(2026, 9, 30), 3) == date(2026, 10, 10)
    first = len(calls)
    assert cal.add_workdays(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert len(calls) == first  # the second walk asks the package nothing
    assert sorted(set(calls) - {date(2026, 6, 1)}) == [date(2026, 10, d) for d in range(1, 11)]
