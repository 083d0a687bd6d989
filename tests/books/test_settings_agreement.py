"""The office's settings in a real spreadsheet engine: each alternative reading, written into
the 规则 and 工作日历 sheets, gives in LibreOffice the numbers the policy functions give with
the same settings (issue 15 item 1, issue 12 item 5).

Two ways a month's workbook gets its settings, both proven: `new-month` builds it with the
month's rules (`built`), and the refresh writes the values in place into a workbook on disk
built with the packaged rules (`refreshed`: the formulas follow the 规则 and 工作日历 sheets,
including the rows whose kind the office chooses). One LibreOffice run recalculates every file.
"""

from __future__ import annotations

import random
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.support.libreoffice import recalculate_many
from xinao_xl.books.assessment import build_assessment
from xinao_xl.books.callback_ledger import build_callback_ledger
from xinao_xl.books.complaint_ledger import build_complaint_ledger
from xinao_xl.books.printing import load_book
from xinao_xl.books.save import save_atomic
from xinao_xl.books.workbooks import refresh_books
from xinao_xl.policy.rules import Rules, load_rules
from xinao_xl.policy.settings import HolidayRow, OfficeSettings, SettingRow, YearRow

from . import agreement as A
from . import fill

pytestmark = pytest.mark.libreoffice

MONTH = "2026-10"

# Every switch and number of the ten open points turned to its alternative (issue 15).
ASSESSMENT_ALTERNATIVES = {
    "无责投诉是否扣分": "是",  # 7.1.1 read literally: every complaint deducts
    "无责的一、二级投诉是否定C级": "是",
    "每项考核内容扣分上限（0为不封顶）": 5,
    "营业厅、加气站、收款室管理的计分": "手工填写扣分",
    "车用燃气部客户回访满意度标准": "98%",  # 7.1.3 instead of §6's 96%
    "不足1个百分点（1分、1天）的计算": "向下取整",
    "兼职服务津贴所用得分上限（0为不封顶）": 100,
    "E城平台综合上门及时率标准": "60%",
}
DEADLINE_ALTERNATIVES = {
    "自然日时限是否计入起算当日": "是",
    "自然日时限最后一日是休息日时是否顺延": "是",
    "无责投诉是否扣分": "是",
    "某类业务不足回访量时差额转给其他业务": "否",
}
# A made-up 2027 notice (test data, not the State Council's): the office enters its dates
# and confirms the year, so deadlines into 2027 are computed instead of 日历未确认.
NOTICE_2027 = [(date(2027, 1, 1), "休"), *((date(2027, 2, d), "休") for d in range(5, 12)), (date(2027, 2, 14), "班")]


def office_rules(values: dict[str, Any], confirm_2027: bool = False) -> Rules:
    rows = [SettingRow(item, value, None) for item, value in values.items()]
    holidays = [HolidayRow(day, kind, "春节" if day.month == 2 else "元旦", "国办发明电〔示例〕") for day, kind in NOTICE_2027] if confirm_2027 else []
    years = [YearRow(2027, "国办发明电〔示例〕")] if confirm_2027 else []
    return OfficeSettings.parse(rows, holidays, years, load_rules()).rules_for(MONTH)


def test_each_alternative_reading_agrees_in_libreoffice(require_libreoffice: Any, tmp_path: Path) -> None:
    base = load_rules()
    assessment_rules = office_rules(ASSESSMENT_ALTERNATIVES)
    deadline_rules = office_rules(DEADLINE_ALTERNATIVES, confirm_2027=True)
    assert assessment_rules.value("no_fault_deducts") is True and deadline_rules.work_calendar.knows(2027)
    rng = random.Random(15)
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    out.mkdir()
    now = datetime.now()
    plan: list[tuple[str, Path, Any, Rules]] = []
    for how in ("built", "refreshed"):
        for kind, build, rules, filler in (("assessment", build_assessment, assessment_rules, lambda wb, r: fill.fill_assessment(wb, r, rng)),
                                           ("complaints", build_complaint_ledger, deadline_rules, lambda wb, r: fill.fill_complaints(wb, r, rng, now)),
                                           ("callbacks", build_callback_ledger, deadline_rules, lambda wb, r: fill.fill_callbacks(wb, r, rng, now))):
            path = src / f"{kind}_{how}.xlsx"
            if how == "built":  # new-month: built with the month's rules
                wb = build(MONTH, rules)
            else:  # refreshed in place on disk (xinao-xl settings --refresh), then typed in
                save_atomic(build(MONTH, base), path)
                done = refresh_books([path], rules)[0]
                assert done.values and (kind == "assessment" or done.days == 365)  # every 2027 day known now
                wb = load_book(path)
            data = filler(wb, rules)
            plan.append((kind, save_atomic(wb, path), data, rules))
    before = datetime.now()
    results = dict(zip([p for _, p, _, _ in plan], recalculate_many([p for _, p, _, _ in plan], out), strict=True))
    window = A.now_window(before, datetime.now())
    c = A.Checker()
    for kind, path, data, rules in plan:
        if kind == "assessment":
            A.check_assessment(results[path], data, rules, c)
        elif kind == "complaints":
            A.check_complaints(results[path], data, rules, window, c)
        else:
            A.check_callbacks(results[path], data, rules, window, c)
    print(f"settings agreement: {c.count} computed cells")
    assert c.count >= 1500
    assert not c.problems, f"{len(c.problems)} of {c.count} cells disagree:\n" + "\n".join(c.problems[:30])
