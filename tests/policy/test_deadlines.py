"""Complaint stage deadlines and SLA status (投诉 第七条、第九条; 回访 六.1; POLICY_RULES §5)."""

from datetime import date, datetime

import pytest

from xinao_xl.policy.calendar import RESTDAY, CalendarOverride, WorkCalendar
from xinao_xl.policy.deadlines import (
    done_in_time,
    flow_form_due,
    is_late,
    natural_due,
    sla_status,
    stage,
    stage_due,
    working_due,
)
from xinao_xl.policy.errors import CalendarUnknownError, PolicyInputError
from xinao_xl.policy.parse import datetime_to_excel_serial, parse_datetime

START = datetime(2026, 11, 3, 15, 20)  # 受理 Tuesday 2026-11-03 15:20


def eod(month, day, year=2026):
    """24:00 of a day, written as 23:59:59."""
    return datetime(year, month, day, 23, 59, 59)


# --- 投诉 第七条(一)2 调查取证反馈 ------------------------------------------------------------


def test_complaint_7_1_2_investigate_major_1_natural_day():
    # 疑似重大投诉 1个自然日: 11-03 not counted → ends 24:00 on 11-03 + 1 = 11-04
    assert stage_due("investigate", START, major=True) == eod(11, 4)


def test_complaint_7_1_2_investigate_general_2_natural_days():
    # 一般投诉 2个自然日: 11-03 + 2 = 11-05 24:00
    assert stage_due("investigate", START) == eod(11, 5)
    assert stage_due("调查取证反馈", START, major="否") == eod(11, 5)


# --- 投诉 第七条(二)1 最终处理、答复客户 ----------------------------------------------------------


def test_complaint_7_2_1_handle_major_2_natural_days():
    assert stage_due("handle", START, major="是") == eod(11, 5)  # 11-03 + 2


def test_complaint_7_2_1_handle_general_3_natural_days():
    assert stage_due("最终处理", START) == eod(11, 6)  # 11-03 + 3


# --- 投诉 第七条(三)1 人工回访 -----------------------------------------------------------------


def test_complaint_7_3_1_revisit_2_natural_days_after_final_handling():
    handled = datetime(2026, 11, 6, 9, 0)
    assert stage_due("revisit", handled, major=True) == eod(11, 8)  # 11-06 + 2
    assert stage_due("人工回访", handled) == eod(11, 8)


# --- 投诉 第九条(一) 申诉提出 ----------------------------------------------------------------------


def test_complaint_9_1_appeal_within_3_natural_days_of_closing():
    closed = datetime(2026, 11, 6, 17, 30)
    assert stage_due("appeal", closed) == eod(11, 9)  # 11-06 + 3, a Monday
    assert stage_due("申诉提出", closed, major=True) == eod(11, 9)


# --- 投诉 第九条(四) 申诉处理 3个工作日 ---------------------------------------------------------------


def test_complaint_9_4_appeal_handling_3_working_days():
    # from Tue 11-03: Wed 11-04 (1), Thu 11-05 (2), Fri 11-06 (3)
    assert stage_due("appeal_handle", START) == eod(11, 6)
    # from Fri 11-06 16:00: Mon 11-09 (1), Tue 11-10 (2), Wed 11-11 (3)
    assert stage_due("申诉处理", datetime(2026, 11, 6, 16)) == eod(11, 11)


def test_complaint_9_4_appeal_handling_over_national_day():
    # from 09-30: 10-01..07 off; 10-08 (1), 10-09 (2), 10-10 调休 Saturday (3)
    assert stage_due("appeal_handle", datetime(2026, 9, 30, 10)) == eod(10, 10)


def test_complaint_9_4_appeal_handling_received_on_a_holiday():
    # received 10-02 (holiday): 10-08 (1), 10-09 (2), 10-10 (3)
    assert stage_due("appeal_handle", "2026-10-02 11:00") == eod(10, 10)


def test_complaint_9_4_appeal_handling_with_office_override():
    cal = WorkCalendar([CalendarOverride(date(2026, 11, 5), RESTDAY, "本地停工")])
    # 11-04 (1), 11-05 declared 休息日, 11-06 (2), 11-09 (3)
    assert stage_due("appeal_handle", START, calendar=cal) == eod(11, 9)


def test_complaint_9_4_appeal_handling_into_2027_needs_confirmed_calendar():
    with pytest.raises(CalendarUnknownError) as info:
        stage_due("appeal_handle", datetime(2026, 12, 30, 9))
    assert "日历未确认" in str(info.value)
    cal = WorkCalendar([CalendarOverride(date(2027, 1, 1), RESTDAY, "元旦")], confirmed_years=[2027])
    # 12-31 (1), 01-01 off, weekend, 01-04 (2), 01-05 (3)
    assert stage_due("appeal_handle", datetime(2026, 12, 30, 9), calendar=cal) == eod(1, 5, 2027)


# --- natural days are not extended past holidays ---------------------------------------------


def test_natural_days_not_extended_past_national_day():
    # 09-30 + 3 natural days = 10-03, a holiday: it stays 10-03 (the policy chose natural days)
    assert stage_due("handle", datetime(2026, 9, 30, 8)) == eod(10, 3)


def test_natural_due_from_every_form_of_start():
    expected = eod(11, 5)
    for start in (START, "2026-11-03 15:20", "2026/11/3", "2026年11月3日", date(2026, 11, 3), datetime_to_excel_serial(START)):
        assert natural_due(start, 2) == expected, start


def test_natural_due_start_at_midnight_and_just_before():
    assert natural_due(datetime(2026, 11, 3, 0, 0), 2) == eod(11, 5)
    assert natural_due(datetime(2026, 11, 3, 23, 59, 59), 2) == eod(11, 5)


def test_natural_due_across_month_and_year_end():
    assert natural_due("2026-11-29", 2) == eod(12, 1)
    assert natural_due("2026-12-30 10:00", 3) == eod(1, 2, 2027)  # natural days need no calendar


def test_working_due_zero_days_is_end_of_start_day():
    assert working_due(START, 0) == eod(11, 3)


# --- 回访 六.1 / 附件3说明2 flow form ------------------------------------------------------------


def test_callback_6_1_flow_form_due_2_natural_days():
    assert flow_form_due("2026-11-03 15:20") == eod(11, 5)  # 11-03 + 2
    assert stage_due("流转单", START) == eod(11, 5)


def test_callback_6_1_flow_form_answered_late():
    due = flow_form_due(START)
    assert not is_late(due, "2026-11-05 23:59")
    assert not is_late(due, "2026-11-06 00:00")  # the deadline's 24:00 itself (issue 12)
    assert is_late(due, "2026-11-06 00:01")
    assert is_late(due, None, "2026-11-06 08:00")  # no feedback and past the deadline


# --- stages as data ---------------------------------------------------------------------------


def test_stage_table_matches_policy_rules_5():
    # (key, name, major days, general days, unit)
    table = [
        ("investigate", "调查取证反馈", 1, 2, "自然日"),
        ("handle", "最终处理、答复客户", 2, 3, "自然日"),
        ("revisit", "人工回访", 2, 2, "自然日"),
        ("appeal", "申诉提出", 3, 3, "自然日"),
        ("appeal_handle", "申诉处理", 3, 3, "工作日"),
        ("flow_form", "流转单反馈", 2, 2, "自然日"),
    ]
    for key, name, major, general, unit in table:
        st = stage(key)
        assert (st.name, st.days(True), st.days(False), st.unit) == (name, major, general, unit), key


def test_unknown_stage_is_an_error():
    with pytest.raises(PolicyInputError) as info:
        stage("结案")
    assert "可选" in str(info.value)
    with pytest.raises(PolicyInputError):
        stage("申诉")  # ambiguous: 申诉提出 or 申诉处理



@pytest.mark.parametrize(
    ("word", "key"),
    [("调查", "investigate"), ("处理", "handle"), ("回访", "revisit"), ("申诉提出", "appeal"), ("申诉处理", "appeal_handle"), ("流转单", "flow_form")],
)
def test_the_short_words_of_the_udf_help_name_one_stage_each(word, key):
    # "处理" is inside both 最终处理、答复客户 and 申诉处理; the exact short word decides.
    assert stage(word).key == key


def test_due_date_udf_takes_处理_as_the_final_handling_stage():
    from xinao_xl.excel.udfs import DUE_DATE

    # 投诉 第七条(二)1: a general complaint's 最终处理 is due 3 natural days after 受理,
    # the start day not counted: accepted 2026-11-02 → 3, 4, 5 → due 2026-11-05 24:00.
    due = DUE_DATE("2026-11-02 09:00", "处理")
    assert str(due) == "2026-11-05 23:59:59"
    assert due == DUE_DATE("2026-11-02 09:00", "最终处理")

# --- SLA status: 正常 / 即将到期 / 已超时 / 按时完成 / 超时完成 -----------------------------------------

DUE = eod(11, 5)


def test_sla_normal():
    assert sla_status(DUE, None, "2026-11-04 08:00") == "正常"  # 1 day 15:59:59 left > 1 day


def test_sla_due_soon_boundary_1_day():
    # [默认 due_soon_days = 1]: exactly 24 h left is 即将到期, one second more is 正常
    assert sla_status(DUE, None, datetime(2026, 11, 4, 23, 59, 59)) == "即将到期"
    assert sla_status(DUE, None, datetime(2026, 11, 4, 23, 59, 58)) == "正常"
    assert sla_status(DUE, None, datetime(2026, 11, 5, 12, 0)) == "即将到期"


def test_sla_due_soon_at_the_deadline_itself():
    assert sla_status(DUE, None, DUE) == "即将到期"


def test_sla_overdue():
    assert sla_status(DUE, None, datetime(2026, 11, 6, 0, 0)) == "已超时"


def test_sla_done_on_time():
    assert sla_status(DUE, "2026-11-05 23:59:59") == "按时完成"
    assert sla_status(DUE, "2026-11-04", "2026-12-01") == "按时完成"  # done wins over now


def test_sla_done_late():
    # 11-06 00:00 is the deadline's 24:00 (in time since issue 12); a minute later is late
    assert sla_status(DUE, "2026-11-06 00:01") == "超时完成"


def test_sla_statuses_are_the_five_of_the_rules():
    from xinao_xl.policy.rules import load_rules

    assert load_rules().sla_statuses == ("正常", "即将到期", "已超时", "按时完成", "超时完成")


def test_sla_bad_dates_are_input_errors():
    with pytest.raises(PolicyInputError):
        sla_status("下周", None, START)
    with pytest.raises(PolicyInputError):
        sla_status(DUE, "昨天")


# --- 24:00, the end of a day (民法典 203; the guide writes deadlines so) ------------------------


@pytest.mark.parametrize("typed", ["2026-11-05 24:00", "2026/11/5 24:00:00", "2026年11月5日 24时00分", " 2026-11-05  24:00 "])
def test_24_00_is_the_end_of_that_day(typed):
    # the deadline of a 一般投诉's 调查 from 11-03 15:20 is 11-03 + 2 = 11-05 at 24:00,
    # the same instant whether DUE_DATE computed it (23:59:59) or staff typed "24:00"
    assert parse_datetime(typed) == eod(11, 5) == stage_due("investigate", START)


def test_24_00_due_reads_like_the_computed_deadline_in_sla_status():
    # done 11-05 23:59 is in time for a deadline typed 11-05 24:00; 11-06 00:01 is not
    assert sla_status("2026-11-05 24:00", "2026-11-05 23:59") == "按时完成"
    assert sla_status("2026-11-05 24:00", "2026-11-06 00:01") == "超时完成"
    # open and asked at 11-05 12:00: 12 hours left, within the 1-day warning
    assert sla_status("2026-11-05 24:00", None, "2026-11-05 12:00") == "即将到期"
    # a start typed at 24:00 counts from that day (its end), not the next
    assert stage_due("investigate", "2026-11-03 24:00") == eod(11, 5)


def test_done_at_24_00_stored_as_the_next_days_midnight_is_in_time():
    # Excel stores a typed "2026-11-05 24:00" as 2026-11-06 00:00:00, one second after the
    # deadline written 23:59:59: still the deadline's instant, in time; a second later is not
    due = eod(11, 5)
    assert done_in_time(datetime(2026, 11, 6, 0, 0, 0), due) and not done_in_time(datetime(2026, 11, 6, 0, 0, 1), due)
    assert sla_status(due, datetime(2026, 11, 6, 0, 0)) == "按时完成"
    assert sla_status(due, datetime(2026, 11, 6, 0, 0, 1)) == "超时完成"
    assert not is_late(due, datetime(2026, 11, 6, 0, 0)) and is_late(due, datetime(2026, 11, 6, 0, 1))
    # still open at that instant: the period has ended, 已超时 (as before)
    assert sla_status(due, None, datetime(2026, 11, 6, 0, 0)) == "已超时"


@pytest.mark.parametrize("typed", ["2026-11-05 24:01", "2026-11-05 24:00:01", "2026-11-05 25:00"])
def test_past_24_00_is_no_time(typed):
    with pytest.raises(PolicyInputError) as info:
        parse_datetime(typed)
    assert info.value.code == "无效日期"


def test_sla_status_udf_accepts_24_00():
    from xinao_xl.excel.udfs import SLA_STATUS

    # the guide's example: due 2026-11-05 24:00, done 11-05 18:00 → 按时完成 (was #无效日期)
    assert SLA_STATUS("2026-11-05 24:00", "2026-11-05 18:00") == "按时完成"
    assert SLA_STATUS("2026-11-05 24:00", "2026-11-06 08:00") == "超时完成"


def test_sla_status_without_now_uses_beijing_time_whatever_the_machine_zone(monkeypatch):
    import time as _time

    from xinao_xl.policy import clock

    # 2026-11-05 16:30 UTC is 11-06 00:30 in 聊城: a deadline of 11-05 24:00 has passed
    for zone in ("UTC", "Asia/Shanghai", "America/Los_Angeles"):
        monkeypatch.setenv("TZ", zone)
        _time.tzset()
        with clock.fixed(1793896200):  # 2026-11-05T16:30:00Z
            assert clock.now() == datetime(2026, 11, 6, 0, 30)
            assert sla_status("2026-11-05 24:00") == "已超时"
    monkeypatch.delenv("TZ")
    _time.tzset()


# --- 回访 五.2, 五.4(2); 考核 3、5.2: the daily round's other deadlines -----------------------------


def test_callback_5_2_due_24h_of_the_third_day_after_completion():
    from xinao_xl.policy.callbacks import callback_late
    from xinao_xl.policy.deadlines import callback_due

    # completed 11-17 (any hour): 11-17 not counted, 11-17 + 3 = 11-20 24:00
    assert callback_due(datetime(2026, 11, 17, 16, 45)) == eod(11, 20)
    assert callback_due("2026-11-29") == eod(12, 2)  # across the month: 11-29 + 3 = 12-02
    # the same deadline as the validation's rule: called on 11-20 is in time, on 11-21 late
    assert not callback_late(date(2026, 11, 17), date(2026, 11, 20))
    assert callback_late(date(2026, 11, 17), date(2026, 11, 21))


def test_callback_5_4_2_report_due_before_the_5th_of_the_next_month():
    from xinao_xl.policy.deadlines import report_due

    # "于次月5日前": November's 意见统计表 and 回访报告 by 12-04 24:00; December's by 2027-01-04
    assert report_due("2026-11") == eod(12, 4)
    assert report_due("2026-12") == eod(1, 4, 2027)


def test_assessment_5_2_review_due_on_the_6th_of_the_next_month():
    from xinao_xl.policy.deadlines import review_due

    # 考核 3、5.2 "每月3-6日": November's 自评 and 审核 by 12-06 24:00
    assert review_due("2026-11") == eod(12, 6)
