"""Issue 12, one truth: what the clerk sees in the 考核表 is what the close computes.

Months are generated with many seeds and sizes (`make_sample_month`, the demo's generator:
its last step is the office's refresh of the 汇入), the staff's 考核表 is recalculated in
LibreOffice (as opening and saving it in Excel would) and put back, then the month is
closed. For every department, 扣分合计, 加分合计, 月度服务得分, 考核等级 and 兼职服务津贴 of
the recalculated workbook equal the close's, and the closed copy's 核对 says 一致.

Before issue 12, 11 of 105 figures differed on such months (扣分合计 112.82 vs 112.83 …):
the 考核表 used the rate as typed (94.74%) where the close recounted the 台账 (94.7368…%);
complaints and late 流转单 were typed a second time in 加减分明细.

The second test does what staff do after generation: they change the ledgers and the
考核表 (a callback becomes 不满意 with a 流转单 answered late, a complaint's level pasted as
四级 and another made 无责 with 否, a complaint added, one moved out of the month, a 审核
typed, praise and a hand deduction added, an allowance base changed). Validation then says
the 汇入 is older than the ledgers, at the 汇入's cells; one refresh later the figures agree
again, 0 differences.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.support.libreoffice import recalculate_many
from xinao_xl.books import assessment, callback_ledger, complaint_ledger, imported
from xinao_xl.books.month_folder import MonthFolder
from xinao_xl.books.writer import write_record
from xinao_xl.policy.rules import load_rules
from xinao_xl.services.close import close_month
from xinao_xl.services.refresh import refresh_month
from xinao_xl.services.sample_data import SampleSize, make_sample_month
from xinao_xl.services.validate import validate_month

pytestmark = pytest.mark.libreoffice

MONTH = "2026-11"
NOW = datetime(2026, 12, 3, 9, 0)
# (seed, callbacks, complaints): seeds the other tests do not use, sizes from a quiet month
# to a busy one
MONTHS = [(101, 300, 8), (202, 800, 30), (303, 120, 2), (404, 1500, 60), (505, 60, 1), (606, 500, 15), (707, 2500, 90), (808, 300, 12)]
FIGURES = {"B": "扣分合计", "C": "加分合计", "D": "月度服务得分", "E": "考核等级", "I": "兼职服务津贴"}


def _recalculated_into_place(roots: list[Path], work: Path) -> None:
    """Each month's 考核表 recalculated by LibreOffice (in one run) and put back in its folder."""
    flat = work / "flat"
    flat.mkdir(parents=True)
    sources = []
    for n, root in enumerate(roots):
        src = flat / f"{n}_{assessment.STEM}.xlsx"
        shutil.copy(MonthFolder(root, MONTH).book(assessment.STEM), src)
        sources.append(src)
    for root, out in zip(roots, recalculate_many(sources, work / "recalculated"), strict=True):
        shutil.copy(out, MonthFolder(root, MONTH).book(assessment.STEM))


def _differences(root: Path, cards: dict[str, Any]) -> list[str]:
    rules = load_rules()
    spec = assessment.summary_sheet(rules)
    ws = load_workbook(MonthFolder(root, MONTH).book(assessment.STEM), data_only=True)[assessment.SUMMARY]
    out = []
    for dept in rules.departments:
        card = cards[dept.name]
        closed = {"B": card.deductions, "C": card.bonuses, "D": card.score, "E": card.grade or "", "I": "" if card.allowance is None else card.allowance}
        r = spec.row_of(dept.name)
        for col, name in FIGURES.items():
            live = ws[f"{col}{r}"].value
            live = "" if live is None else live
            same = abs(live - closed[col]) < 1e-9 if isinstance(live, int | float) and isinstance(closed[col], int | float) else live == closed[col]
            if not same:
                out.append(f"{root.name} {dept.name} {name}: 考核表 {live!r} / 结账 {closed[col]!r}")
    return out


def _checks(root: Path) -> dict[str, str]:
    rules = load_rules()
    spec = assessment.summary_sheet(rules)
    ws = load_workbook(MonthFolder(root, MONTH).output("考核表"))[assessment.SUMMARY]
    col = len(spec.columns) + 2 + 3  # 核对, after the workbook's own three figures
    return {d.name: ws.cell(row=spec.row_of(d.name), column=col).value for d in rules.departments}


def test_generated_months_agree_with_the_close(require_libreoffice: Any, tmp_path: Path) -> None:
    roots = []
    for seed, calls, complaints in MONTHS:
        root = tmp_path / f"s{seed}"
        make_sample_month(MONTH, root, SampleSize(calls, complaints), seed=seed, now=NOW)
        roots.append(root)
    _recalculated_into_place(roots, tmp_path / "lo")
    differences, compared = [], 0
    for root in roots:
        result = close_month(MONTH, root, now=NOW, user="测试")
        differences += _differences(root, result.cards)
        compared += len(FIGURES) * len(result.cards)
        assert set(_checks(root).values()) == {"一致"}, _checks(root)
    print(f"one truth: {len(roots)} months, {compared} department figures compared, {len(differences)} differ")
    assert compared == len(MONTHS) * 5 * 7
    assert differences == []


# --- a month staff changed after generation ----------------------------------------------------


def _change_the_ledgers(root: Path) -> None:
    rules = load_rules()
    mf = MonthFolder(root, MONTH)
    # 台账: two satisfied callbacks become 不满意 (one 流转单 answered a day late, one still open)
    path = mf.book(callback_ledger.STEM)
    wb = load_workbook(path)
    spec = callback_ledger.ledger_sheet()
    ws = wb[spec.name]
    changed = 0
    for r in range(spec.first_row, spec.first_row + 200):
        if ws[f"{spec.letter('result')}{r}"].value == "满意" and ws[f"{spec.letter('business')}{r}"].value in ("维修", "置换"):
            call = ws[f"{spec.letter('call_date')}{r}"].value
            flow_at = datetime(call.year, call.month, call.day, 10, 0)
            values = {"result": "不满意", "reason": "上门不及时", "flow": "是", "flow_no": f"LZX{r}", "flow_date": flow_at}
            if changed == 0:
                values["feedback_date"] = flow_at + timedelta(days=3)  # due at 24:00 two days later: late
                values["handling"] = "已致歉"
            write_record(ws, spec, r, values)
            changed += 1
            if changed == 2:
                break
    wb.save(path)
    # 投诉台账: a level pasted as 四级, a 有责 made 无责 with 否, a 95158 complaint of level 400五级
    # added, and the first complaint moved to last month (it no longer counts)
    path = mf.book(complaint_ledger.STEM)
    wb = load_workbook(path)
    spec = complaint_ledger.ledger_sheet(rules)
    ws = wb[spec.name]
    first = spec.first_row
    last = max(r for r in range(first, first + 500) if ws[f"{spec.letter('no')}{r}"].value)
    ws[f"{spec.letter('accepted')}{first}"].value = datetime(2026, 10, 30, 9, 0)
    ws[f"{spec.letter('level')}{first + 1}"].value = "四级"
    ws[f"{spec.letter('resp')}{first + 2}"].value = "否"
    ws[f"{spec.letter('reason')}{first + 2}"].value = f"3.{rules.no_fault_reasons[2]}"
    write_record(ws, spec, last + 1, {"no": "TSX001", "accepted": datetime(2026, 11, 20, 15, 0), "channel": "95158", "level": "400五级",
                                      "dept": "管网部", "customer": "测试", "phone": "13900000000", "content": "停气未提前通知", "resp": "有责"})
    wb.save(path)


def _change_the_assessment(root: Path) -> None:
    rules = load_rules()
    path = MonthFolder(root, MONTH).book(assessment.STEM)
    wb = load_workbook(path)
    dept = rules.department("管网部")
    spec = assessment.department_sheet(dept)
    row = spec.row_of(assessment.indicator_key(dept.indicator("带气作业停气通知率")))
    wb[dept.name][f"F{row}"].value = 0.9875  # 审核 typed: (100% − 98.75%) × 100 × 2 = 2.5 points
    items = assessment.items_sheet(rules)
    ws = wb[items.name]
    last = max(r for r in range(items.first_row, items.last_row) if ws[f"{items.letter('type')}{r}"].value)
    write_record(ws, items, last + 1, {"date": datetime(2026, 11, 21).date(), "dept": "客服部", "type": "表扬", "count": 3, "desc": "锦旗"})
    write_record(ws, items, last + 2, {"date": datetime(2026, 11, 22).date(), "dept": "计财部", "type": "手工扣分", "pin": 1.25, "desc": "资料迟报"})
    summary = assessment.summary_sheet(rules)
    wb[assessment.SUMMARY][f"H{summary.row_of('客服部')}"].value = 1999.5
    wb.save(path)


def test_a_month_staff_changed_agrees_after_one_refresh(require_libreoffice: Any, tmp_path: Path) -> None:
    roots = []
    for seed, calls, complaints in MONTHS[:3]:
        root = tmp_path / f"s{seed}"
        make_sample_month(MONTH, root, SampleSize(calls, complaints), seed=seed, now=NOW)
        _change_the_ledgers(root)
        _change_the_assessment(root)
        findings = validate_month(root / MONTH, now=NOW)
        stale = [f for f in findings if f.sheet == imported.SHEET]
        assert stale and all("汇入早于台账" in f.message and "刷新汇入" in f.message for f in stale), [f.message for f in findings if f.sheet == imported.SHEET]
        assert {f.cell for f in stale} >= {f"A{imported.Layout.of(load_rules()).first_complaint_row}"}  # the complaints differ
        result = refresh_month(MONTH, root, now=NOW)
        assert result.written and result.changes
        assert not [f for f in validate_month(root / MONTH, now=NOW) if f.sheet == imported.SHEET]
        roots.append(root)
    _recalculated_into_place(roots, tmp_path / "lo")
    differences = []
    for root in roots:
        result = close_month(MONTH, root, now=NOW, user="测试")
        differences += _differences(root, result.cards)
        assert set(_checks(root).values()) == {"一致"}, _checks(root)
        assert result.cards["客服部"].allowance_base == 1999.5
    assert differences == []
