"""The office's settings (issue 15): a month's value is the row with the latest 生效月份 not
after it; each open point's alternative changes the score as the policy text reads, the
arithmetic written out; every kind of bad row names its sheet and cell."""

from datetime import date, datetime

import pytest

from xinao_xl.policy import callbacks, complaints, deadlines, scoring
from xinao_xl.policy.callbacks import CompletedOrder, PastCallback
from xinao_xl.policy.errors import CalendarUnknownError, SettingsError
from xinao_xl.policy.rules import load_rules
from xinao_xl.policy.scoring import Adjustment, ComplaintEntry, DepartmentMonth
from xinao_xl.policy.settings import (
    HolidayRow,
    OfficeSettings,
    SettingRow,
    YearRow,
    rules_from_record,
    settings_record,
)

RULES = load_rules()


def office(*rows, holidays=(), years=(), month="2026-11"):
    """The rules of `month` with the given 制度设置 rows (项目, 本单位取值[, 生效月份])."""
    return OfficeSettings.parse([SettingRow(*r) for r in rows], holidays, years, RULES).rules_for(month)


def row(rules, department, name):
    return rules.department(department).indicator(name)


# --- resolution by month ----------------------------------------------------------------------------


def test_a_value_from_2027_01_leaves_2026_12_as_it_was():
    settings = OfficeSettings.parse([SettingRow("E城平台综合上门及时率标准", "60%", "2027-01")], rules=RULES)
    assert settings.rules_for("2026-12").value("platform_visit_target") == 0.5  # 考核 7.1.4 50%（暂定）
    assert settings.rules_for("2027-01").value("platform_visit_target") == 0.6
    assert settings.rules_for("2027-06").value("platform_visit_target") == 0.6
    assert settings.rules_for("2027-01").param("platform_visit_target").source == "本单位（2027-01起）"


def test_the_latest_row_not_after_the_month_wins_and_an_empty_value_goes_back_to_the_policy():
    rows = [SettingRow("回访满意度每低1个百分点扣分", 3, "2027-03"), SettingRow("回访满意度每低1个百分点扣分", 2.5, None),
            SettingRow("回访满意度每低1个百分点扣分", None, "2027-07")]
    settings = OfficeSettings.parse(rows, rules=RULES)
    value = {m: settings.rules_for(m).value("satisfaction_points_per_point") for m in ("2026-01", "2027-02", "2027-03", "2027-07")}
    # no 生效月份: from the start (2.5); 2027-03 on: 3; 2027-07 on, empty: the policy's 2 again
    assert value == {"2026-01": 2.5, "2027-02": 2.5, "2027-03": 3, "2027-07": 2}


def test_a_target_from_2027_01_changes_the_2027_01_score_only():
    settings = OfficeSettings.parse([SettingRow("E城平台综合上门及时率标准", "60%", "2027-01")], rules=RULES)
    before, after = settings.rules_for("2026-12"), settings.rules_for("2027-01")
    # 入户及时率 55%: 2026-12 target 50% → 0; 2027-01 target 60% → (60 − 55) × 2 = 10
    assert scoring.indicator_deduction(row(before, "客服部", "入户及时率"), 0.55, before) == 0
    assert scoring.indicator_deduction(row(after, "客服部", "入户及时率"), 0.55, after) == 10


def test_resolved_says_where_each_value_comes_from_and_what_is_unconfirmed():
    settings = OfficeSettings.parse([SettingRow("无责投诉是否扣分", "否", "2027-01")], rules=RULES)
    by_key = {r.param.key: r for r in settings.resolve(RULES, "2027-01")}
    assert by_key["no_fault_deducts"].source == "本单位（2027-01起）" and not by_key["no_fault_deducts"].unconfirmed_default
    assert by_key["shortfall_mode"].source == "默认" and by_key["shortfall_mode"].unconfirmed_default
    assert by_key["satisfaction_target"].source == "制度" and by_key["platform_visit_target"].source == "制度（暂定）"
    before = {r.param.key: r for r in settings.resolve(RULES, "2026-12")}
    assert before["no_fault_deducts"].unconfirmed_default  # confirmed only from 2027-01


# --- each open point: the alternative as the policy text reads ---------------------------------------


def test_point_1_no_fault_complaints_deduct_and_grade_c_when_7_1_1_is_read_literally():
    literal = office(("无责投诉是否扣分", "是"), ("无责的一、二级投诉是否定C级", "是"))
    # 7.1.1 "每产生一起…400四级投诉扣15分": 无责 → 0 by our reading, 15 as written
    assert scoring.complaint_deduction("四级", "400", "无责", RULES) == 0
    assert scoring.complaint_deduction("四级", "400", "无责", literal) == 15
    # "一、二级投诉扣25分，部门当月考核绩效考核为C": a 无责 二级 → C only as written
    assert not scoring.is_grade_c("二级", "无责", RULES) and scoring.is_grade_c("二级", "无责", literal)
    month = DepartmentMonth("客服部", "2026-11", complaints=[ComplaintEntry("二级", "400", "无责")])
    card, literal_card = scoring.score_department(month, RULES), scoring.score_department(month, literal)
    assert (card.score, card.grade) == (100, "")
    assert (literal_card.score, literal_card.grade) == (75, "C")  # 100 − 25


def test_point_2_mystery_standard_rows_entered_by_hand():
    by_hand = office(("营业厅、加气站、收款室管理的计分", "手工填写扣分"))
    station = row(RULES, "车用燃气部", "加气站管理")
    assert station.kind == "mystery" and row(by_hand, "车用燃气部", "加气站管理").kind == "manual"
    # 95-point standard: a visit scored 90 costs (95 − 90) × 3 = 15; by hand the office types the deduction, 4
    assert scoring.indicator_deduction(station, 90, RULES) == 15
    assert scoring.indicator_deduction(row(by_hand, "车用燃气部", "加气站管理"), 4, by_hand) == 4
    # the 神秘客户检测 row itself (7.1.2) keeps its rule
    assert row(by_hand, "车用燃气部", "神秘客户检测").kind == "mystery"


def test_point_3_rows_without_a_rule_per_point_is_the_offices():
    one = office(("其他比率类指标每低1个百分点扣分", 1), ("时限类指标每超1天扣分", 0.5))
    # 信息传递及时率 90% of 100%: 10 points × 2 = 20 by default, × 1 = 10
    assert scoring.indicator_deduction(row(RULES, "调度中心", "信息传递及时率"), 0.9, RULES) == 20
    assert scoring.indicator_deduction(row(one, "调度中心", "信息传递及时率"), 0.9, one) == 10
    # 外网置换平均响应时间 5 days of 3: 2 days × 2 = 4, × 0.5 = 1
    assert scoring.indicator_deduction(row(one, "管网部", "外网置换平均响应时间"), 5, one) == 1


def test_point_4_a_per_row_cap():
    capped = office(("每项考核内容扣分上限（0为不封顶）", 5))
    # 90% against 100%: 10 points × 2 = 20, at most 5 per row
    assert scoring.indicator_deduction(row(capped, "调度中心", "信息传递及时率"), 0.9, capped) == 5
    # a mystery visit at 80: (95 − 80) × 3 = 45, capped 5; a hand-entered 7 → 5
    assert scoring.indicator_deduction(row(capped, "车用燃气部", "神秘客户检测"), 80, capped) == 5
    assert scoring.indicator_deduction(row(capped, "管网部", "设施改造停气工作"), 7, capped) == 5


@pytest.mark.parametrize(("mode", "points"), [("按比例", 3), ("向上取整", 4), ("向下取整", 2)])
def test_point_5_whole_points(mode, points):
    rules = office(("不足1个百分点（1分、1天）的计算", mode))
    # 96.5% against 98%: 1.5 points short × 2; whole points: 2 × 2 = 4 up, 1 × 2 = 2 down
    assert scoring.indicator_deduction(row(rules, "客服部", "维修业务回访满意度"), 0.965, rules) == points


def test_point_6_car_gas_satisfaction_at_98_percent():
    at_98 = office(("车用燃气部客户回访满意度标准", "98%"))
    # 97%: §6's 96% → 0; 7.1.3's 98% → 1 point × 2 = 2
    assert scoring.indicator_deduction(row(RULES, "车用燃气部", "客户回访满意度"), 0.97, RULES) == 0
    assert scoring.indicator_deduction(row(at_98, "车用燃气部", "客户回访满意度"), 0.97, at_98) == 2


def test_point_7_natural_days_with_the_start_day_counted():
    counted = office(("自然日时限是否计入起算当日", "是"))
    # 一般投诉 调查 2 个自然日 from 11-03 15:20: 11-05 24:00 (start day not counted), 11-04 24:00 counted
    assert deadlines.stage_due("调查", datetime(2026, 11, 3, 15, 20), rules=RULES) == datetime(2026, 11, 5, 23, 59, 59)
    assert deadlines.stage_due("调查", datetime(2026, 11, 3, 15, 20), rules=counted) == datetime(2026, 11, 4, 23, 59, 59)


def test_point_7_natural_days_extended_past_a_rest_day():
    extended = office(("自然日时限最后一日是休息日时是否顺延", "是"))
    # 处理 3 个自然日 from 09-28: 10-01 (国庆, off until 10-07) → 10-08, the first working day (民法典 203)
    assert deadlines.stage_due("处理", datetime(2026, 9, 28, 9), rules=RULES) == datetime(2026, 10, 1, 23, 59, 59)
    assert deadlines.stage_due("处理", datetime(2026, 9, 28, 9), rules=extended) == datetime(2026, 10, 8, 23, 59, 59)
    # a last day that is a working day stays: 11-03 + 2 = 11-05, a Thursday
    assert deadlines.stage_due("调查", datetime(2026, 11, 3), rules=extended) == datetime(2026, 11, 5, 23, 59, 59)


def test_point_8_allowance_capped_at_100():
    capped = office(("兼职服务津贴所用得分上限（0为不封顶）", 100))
    # 兼职服务津贴 = 1000 × 110 / 100 = 1100 as written; capped at 100 points: 1000
    assert scoring.allowance(1000, 110, RULES) == 1100 and scoring.allowance(1000, 110, capped) == 1000


def test_point_8_repeat_complaints_within_3_days():
    days = office(("附件3“3个内”的单位", "个自然日"))
    closed = datetime(2026, 11, 1, 10)
    # 3 个月: to 02-01; 3 个自然日: to 11-04
    assert complaints.is_repeat(datetime(2026, 12, 20), closed, RULES) and not complaints.is_repeat(datetime(2026, 12, 20), closed, days)
    assert complaints.is_repeat(datetime(2026, 11, 4), closed, days) and not complaints.is_repeat(datetime(2026, 11, 5), closed, days)


def test_point_8_the_7_day_rule_soft_takes_the_weeks_customer_last():
    soft = office(("一周内回访过的客户是否一律不抽", "否"))
    day = date(2026, 11, 10)
    orders = [CompletedOrder(f"WX{i}", "维修", datetime(2026, 11, 9), phone=f"1380000000{i}") for i in range(3)]
    history = [PastCallback(date(2026, 11, 6), phone="13800000000")]
    hard = callbacks.sample_orders(orders, day, history, rules=RULES)
    assert sorted(o.order_no for o in hard.taken) == ["WX1", "WX2"] and "7日内不重复回访" in hard.skipped[0][1]
    # 尽量避免: 3 orders, quota 15, so the week's customer is taken too — after the others
    taken = [o.order_no for o in callbacks.sample_orders(orders, day, history, rules=soft).taken]
    assert sorted(taken) == ["WX0", "WX1", "WX2"] and taken[-1] == "WX0"


def test_point_9_provisional_targets():
    rules = office(("E城平台客户好评率标准", "90%"))
    # 用户好评率 92%: 95%（暂定）→ 3 × 2 = 6; the office's 90% → 0
    assert scoring.indicator_deduction(row(RULES, "客服部", "用户好评率"), 0.92, RULES) == 6
    assert scoring.indicator_deduction(row(rules, "客服部", "用户好评率"), 0.92, rules) == 0


def test_point_10_annex_1_numbers_say_suspected_major():
    # 附件1 一.3 跟催3次及以上; 二.2 抢修抢险跟催1次及以上; 二.3 一万元及以上
    assert [m.code for m in complaints.major_signs(3, None, None, RULES)] == ["1.3"]
    assert complaints.major_signs(2, "否", 9999.99, RULES) == []
    assert [m.code for m in complaints.major_signs(1, "是", 10000, RULES)] == ["2.2", "2.3"]
    stricter = office(("服务超时客户跟催次数（疑似重大）", 2))
    assert [m.code for m in complaints.major_signs(2, None, None, stricter)] == ["1.3"]


# --- appeals ---------------------------------------------------------------------------------------


def test_an_upheld_appeal_makes_the_complaint_no_fault():
    upheld = ComplaintEntry("二级", "400", "有责", "TS1", appeal="成立")
    rejected = ComplaintEntry("二级", "400", "有责", "TS2", appeal="不成立")
    card = scoring.score_department(DepartmentMonth("管网部", "2026-11", complaints=[upheld]), RULES)
    assert (card.score, card.grade) == (100, "") and "申诉成立" in card.items[0].text
    card = scoring.score_department(DepartmentMonth("管网部", "2026-11", complaints=[rejected]), RULES)
    assert (card.score, card.grade) == (75, "C")  # 100 − 25
    with pytest.raises(Exception, match="无效申诉结果"):
        complaints.appeal_upheld("也许")


def test_an_adjustment_gives_points_back_as_a_bonus():
    month = DepartmentMonth("管网部", "2026-12", manual=[scoring.ManualEntry("其他", 3)],
                            adjustments=[Adjustment(15, "投诉 TS1（2026-11 已结账）申诉成立，退回扣分", "TS1")])
    card = scoring.score_department(month, RULES)
    # 100 − 3 + 15 = 112; the 15 is 加分合计
    assert (card.deductions, card.bonuses, card.score) == (3, 15, 112)
    assert card.items[-1].category == "申诉调整" and card.items[-1].clause == "投诉 第九条"


# --- the calendar: confirmed in the settings ---------------------------------------------------------------


def test_2027_is_unknown_until_the_office_confirms_it():
    start = datetime(2026, 12, 30, 10)  # 申诉处理 3 个工作日: 12-31, then into 2027
    with pytest.raises(CalendarUnknownError):
        deadlines.stage_due("申诉处理", start, rules=RULES)
    holidays = [HolidayRow(date(2027, 1, 1), "休", "元旦", "国办发明电〔2026〕X号")]
    confirmed = office(holidays=holidays, years=[YearRow(2027, "国办发明电〔2026〕X号")])
    # 12-31 (Thu) 1, 2027-01-01 休, 01-02/03 weekend, 01-04 (Mon) 2, 01-05 3
    assert deadlines.stage_due("申诉处理", start, rules=confirmed) == datetime(2027, 1, 5, 23, 59, 59)


# --- bad settings: the cell and the fix ----------------------------------------------------------------------


@pytest.mark.parametrize(("setting", "cell", "words"), [
    (SettingRow("E城平台综合上门及时率标准", "五十", None, {"value": "E20"}), "制度设置!E20", "应为百分数"),
    (SettingRow("E城平台综合上门及时率标准", 1.2, None, {"value": "E20"}), "制度设置!E20", "0% 到 100%"),
    (SettingRow("神秘客户检测每低1分扣分", "三", None, {"value": "E9"}), "制度设置!E9", "应为数字"),
    (SettingRow("入户率", 0.6, None, {"item": "A60"}), "制度设置!A60", "未知的项目"),
    (SettingRow("无责投诉是否扣分", "是", "2027.13", {"since": "F61"}), "制度设置!F61", "不是 YYYY-MM"),
    (SettingRow("无责投诉是否扣分", "也许", None, {"value": "E5"}), "制度设置!E5", "请选择“是”或“否”"),
])
def test_each_kind_of_bad_setting_names_the_cell(setting, cell, words):
    with pytest.raises(SettingsError) as caught:
        OfficeSettings.parse([setting], rules=RULES)
    assert f"制度设置.xlsx {cell}：" in str(caught.value) and words in str(caught.value)


def test_two_rows_for_the_same_month_name_both_cells():
    rows = [SettingRow("无责投诉是否扣分", "是", "2027-01", {"since": "F60"}), SettingRow("无责投诉是否扣分", "否", "2027-1", {"since": "F62"})]
    with pytest.raises(SettingsError, match=r"制度设置!F62：“无责投诉是否扣分”有两行生效月份 2027-01（另一行在 F60）"):
        OfficeSettings.parse(rows, rules=RULES)


def test_a_confirmed_year_needs_its_notice_and_every_problem_is_listed():
    with pytest.raises(SettingsError) as caught:
        OfficeSettings.parse([], [HolidayRow("2027-02-30", "休", cells={"day": "A3"}), HolidayRow(date(2027, 3, 1), "调", cells={"kind": "B4"})],
                             [YearRow(2027, cells={"year": "A3"})], RULES)
    text = str(caught.value)
    assert "放假安排!A3：日期“2027-02-30”不是日期" in text and "放假安排!B4" in text
    assert "已确认年度!A3：已确认2027年，但“放假安排”表中没有2027年的日期" in text and "3 处错误" in text


def test_excel_turns_a_typed_month_into_a_date_and_that_is_its_month():
    rules = office(("E城平台综合上门及时率标准", 0.6, datetime(2027, 1, 1)), month="2027-01")
    assert rules.value("platform_visit_target") == 0.6


# --- the close record ------------------------------------------------------------------------------


def test_the_record_gives_back_the_same_rules():
    settings = OfficeSettings.parse([SettingRow("无责投诉是否扣分", "是", "2026-11"), SettingRow("每项考核内容扣分上限（0为不封顶）", 5)],
                                    [HolidayRow(date(2027, 1, 1), "休")], [YearRow(2027)], RULES)
    rules = settings.rules_for("2026-11")
    record = settings_record(rules)
    assert record["参数"]["no_fault_deducts"] == {"项目": "无责投诉是否扣分", "值": True, "显示": "是", "来源": "本单位（2026-11起）"}
    back = rules_from_record(record, RULES)
    assert all(back.value(k) == rules.value(k) for k in RULES.params)
    assert back.work_calendar.knows(2027) and not back.work_calendar.is_workday(date(2027, 1, 1))
    # the office's values keep their source; the others read as the packaged ones do (默认, 制度)
    assert back.param("no_fault_deducts").source == "本单位（2026-11起）" and back.param("shortfall_mode").flag_text == "本系统默认，制度未规定"
