"""Three sample months closed (the close fills the history store), the quarter report made from
the store, and its key numbers recomputed here straight from the month workbooks.

The recomputation reads the files with python-calamine (ledgers) and openpyxl (the closed
考核表 copies) and counts by hand, with no code of the close, the store or the queries:
complaints by level and by department, callbacks and satisfaction by business type (and by
month), every department's score each month, the repeat complaint planted in November; and
December's 服务通报 (made at its close) agrees with the quarter report.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from xinao_xl.books.month_folder import OUT_DIR
from xinao_xl.books.workbooks import file_name
from xinao_xl.services.close import close_month
from xinao_xl.services.period_report import PeriodReportError, make_period_report, parse_period
from xinao_xl.services.sample_data import SampleSize, make_sample_month

MONTHS = {"2026-10": datetime(2026, 11, 3, 9), "2026-11": datetime(2026, 12, 3, 9), "2026-12": datetime(2027, 1, 4, 9)}
SIZE = SampleSize(callbacks=300, complaints=20)
RESULTS = ("满意", "不满意", "未接通", "拒访")


def _records(path: Path, sheet: str, first_header: str) -> list[dict[str, Any]]:
    """The rows under the header row that starts with `first_header`, as header -> value."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    at = next(i for i, r in enumerate(rows) if r and r[0] == first_header)
    headers = [str(h) for h in rows[at]]
    return [dict(zip(headers, r, strict=False)) for r in rows[at + 1:] if any(v not in ("", None) for v in r)]


def _in(month: str, moment: Any) -> bool:
    return isinstance(moment, date) and f"{moment:%Y-%m}" == month


def _plant_repeat(root: Path, october: Any) -> str:
    """November's last-accepted complaint gets the phone of October's first-closed one: a
    repeat within 3 months (投诉 附件3 第7项). Returns its number."""
    first = min((c for c in october.complaints if c.get("closed")), key=lambda c: c["closed"])
    path = root / "2026-11" / file_name("客户投诉台账", "2026-11")
    wb = load_workbook(path)
    ws = wb["投诉台账"]
    header = [c.value for c in ws[2]]
    no_col, acc_col, phone_col = (header.index(h) + 1 for h in ("投诉单号", "受理时间", "客户电话"))
    rows = [r for r in range(3, ws.max_row + 1) if ws.cell(r, no_col).value]
    last = max(rows, key=lambda r: ws.cell(r, acc_col).value)
    number = ws.cell(last, no_col).value
    assert ws.cell(last, acc_col).value > first["closed"]
    for r in rows:
        if ws.cell(r, no_col).value == number:
            ws.cell(r, phone_col).value = first["phone"]
    wb.save(path)
    return number


@pytest.fixture(scope="module")
def quarter(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any, str]:
    root = tmp_path_factory.mktemp("quarter")
    planted = ""
    for month, now in MONTHS.items():
        sample = make_sample_month(month, root, SIZE, seed=11, now=now)
        if month == "2026-10":
            october = sample
        if month == "2026-11":
            planted = _plant_repeat(root, october)
        close_month(month, root, user="测试员", now=now)
    assert (root / "历史库.sqlite").is_file()  # written by the closes
    return root, make_period_report("2026Q4", root), planted


def _report_table(ws: Any, heading: str) -> tuple[list[str], dict[Any, list[Any]]]:
    """The table under `heading` on a report sheet: its headers and first column -> the rest."""
    cells = list(ws.iter_rows())
    at = next(i for i, r in enumerate(cells) if r[0].value == heading)
    headers = [c.value for c in cells[at + 1] if c.value is not None]
    out = {}
    for r in cells[at + 2:]:
        if r[0].value is None or r[0].font.i:  # a blank row, or the table's note (italic)
            break
        out[r[0].value] = [c.value for c in r[1:len(headers)]]
    return headers, out


def _heading(ws: Any, prefix: str) -> str:
    return next(c.value for r in ws.iter_rows() for c in r if isinstance(c.value, str) and c.value.startswith(prefix))


def test_period_and_file_name(quarter) -> None:
    root, result, _ = quarter
    assert result.path == root / "报表" / "2026Q4_季度分析报告.xlsx" and result.path.is_file()
    assert result.present == tuple(MONTHS) and result.missing == ()
    assert parse_period("2026q4").months == tuple(MONTHS) and parse_period("2026").months[0] == "2026-01"
    assert parse_period("2026-11").months == ("2026-11",)
    with pytest.raises(PeriodReportError):
        parse_period("2026Q5")


def test_the_report_names_no_file_of_the_store(quarter) -> None:
    """Issue 14 item 6: the store's path (a folder on someone's disk) is no content of a report."""
    root, result, _ = quarter
    texts = [str(c.value) for ws in load_workbook(result.path).worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert result.source.endswith("历史库.sqlite")  # the console may say where the data came from
    assert not [t for t in texts if "历史库.sqlite" in t or str(root) in t or "数据库：" in t]
    assert any(t.startswith("数据来源：历史库") for t in texts)


def test_complaints_by_level_and_department_recomputed_from_the_ledgers(quarter) -> None:
    root, result, _ = quarter
    by_level: dict[str, set[str]] = defaultdict(set)
    level_rows: Counter = Counter()
    dept_rows: Counter = Counter()
    dept_resp: Counter = Counter()
    for month in MONTHS:
        for r in _records(root / month / file_name("客户投诉台账", month), "投诉台账", "投诉单号"):
            if not _in(month, r["受理时间"]) or r["审核结果"] == "驳回":  # a rejected round counts nothing (投诉 第七条(二)3)
                continue
            level = f"{str(r['投诉级别'])[0]}级" if r["投诉级别"] else "仅渠道（未定级）"
            by_level[level].add(r["投诉单号"])
            level_rows[level] += 1
            dept_rows[r["责任部门"]] += 1
            dept_resp[r["责任部门"]] += r["有责/无责"] != "无责"
    ws = load_workbook(result.path)["投诉统计"]
    headers, levels = _report_table(ws, "一、按投诉级别")
    assert headers[:3] == ["投诉级别", "投诉（起）", "投诉（部门条）"]
    assert {k: (v[0], v[1]) for k, v in levels.items()} == {k: (len(v), level_rows[k]) for k, v in by_level.items()}
    assert sum(level_rows.values()) > 50  # 20 a month and a few with two departments
    _, depts = _report_table(ws, "三、按责任部门")
    assert {k: (v[1], v[2]) for k, v in depts.items()} == {k: (dept_rows[k], dept_resp[k]) for k in dept_rows}


def test_callbacks_and_satisfaction_by_type_and_month_recomputed_from_the_ledgers(quarter) -> None:
    root, result, _ = quarter
    counts: Counter = Counter()
    monthly: Counter = Counter()
    completed: Counter = Counter()
    for month in MONTHS:
        ledger = root / month / file_name("客户回访信息台账", month)
        for r in _records(ledger, "台账", "回访日期"):
            if _in(month, r["回访日期"]):
                counts[(r["业务类型"], r["回访结果"])] += 1
                monthly[(month, r["业务类型"], r["回访结果"])] += 1
        for r in _records(ledger, "完工量", "业务类型"):
            if r["业务类型"] != "合计":
                completed[r["业务类型"]] += int(r["本月完工量"] or 0)
    wb = load_workbook(result.path)
    headers, table = _report_table(wb["回访统计"], "一、各业务回访量与满意率")
    assert headers == ["业务类型", "业务总量", "回访量", "满意", "不满意", "未接通/拒访", "满意率"]
    for business, (total, calls, sat, unsat, invalid, rate) in table.items():
        if business == "合计":
            continue
        s, u = counts[(business, "满意")], counts[(business, "不满意")]
        assert (total, calls, sat, unsat, invalid) == (completed[business], s + u, s, u, counts[(business, "未接通")] + counts[(business, "拒访")])
        assert rate == pytest.approx(s / (s + u)) if s + u else rate is None
    assert table["合计"][1] == sum(n for (_, res), n in counts.items() if res in ("满意", "不满意"))
    _, trend = _report_table(wb["回访统计"], "二、满意率逐月变化")
    for month in MONTHS:
        s = sum(n for (m, _, res), n in monthly.items() if m == month and res == "满意")
        u = sum(n for (m, _, res), n in monthly.items() if m == month and res == "不满意")
        assert trend[month][-1] == pytest.approx(s / (s + u))  # 合计 column


def test_scores_per_department_and_month_from_the_closed_assessments(quarter) -> None:
    root, result, _ = quarter
    expected: dict[str, list[float]] = defaultdict(list)
    for month in MONTHS:
        ws = load_workbook(root / month / OUT_DIR / f"{month}_服务绩效考核表_结账.xlsx")["汇总"]
        rows = [[c.value for c in r] for r in ws.iter_rows()]
        header = next(r for r in rows if "月度服务得分" in r)  # the closed copy's 汇总 holds the closed figures
        col = header.index("月度服务得分")
        for r in rows[rows.index(header) + 1:]:
            if r[0] and r[0] != "合计" and r[col] is not None:
                expected[r[0]].append(r[col])
    wb = load_workbook(result.path)
    headers, scores = _report_table(wb["部门考核"], "一、各部门月度服务得分")
    assert headers == ["部门", *MONTHS, "平均"]
    assert {k: v[:3] for k, v in scores.items()} == expected
    assert all(v[3] == pytest.approx(round(sum(expected[k]) / 3, 2)) for k, v in scores.items())
    trend_headers, trend = _report_table(wb["部门考核"], _heading(wb["部门考核"], "四、得分趋势"))
    assert list(trend) == [f"2026-{m:02d}" for m in range(1, 13)]  # the 12 months ending 2026-12
    assert all(v == [None] * len(v) for k, v in trend.items() if k < "2026-10")
    for i, dept in enumerate(trend_headers[1:]):
        assert [trend[m][i] for m in MONTHS] == expected[dept]


def test_the_monthly_bulletin_agrees_with_the_quarter_report(quarter) -> None:
    """The close's 服务通报 (December, compared with November from the store) and the quarter
    report come from the same queries: the same satisfaction rates."""
    root, result, _ = quarter
    _, types = _report_table(load_workbook(root / "2026-12" / OUT_DIR / "2026-12_客户回访报告.xlsx")["服务通报"], "一、各业务回访满意率")
    _, trend = _report_table(load_workbook(result.path)["回访统计"], "二、满意率逐月变化")
    satisfaction, previous = types["合计"][3], types["合计"][4]  # after 回访量, 满意, 不满意
    assert satisfaction == pytest.approx(trend["2026-12"][-1]) and previous == pytest.approx(trend["2026-11"][-1])


def test_the_planted_repeat_complaint_is_listed(quarter) -> None:
    _, result, planted = quarter
    ws = load_workbook(result.path)["重复投诉"]
    _, repeats = _report_table(ws, _heading(ws, "同一客户"))
    assert list(repeats) == [planted]  # the sample months have no other customer twice


def test_no_customer_phone_or_name_in_the_report(quarter) -> None:
    root, result, _ = quarter
    phones, names = set(), set()
    for month in MONTHS:
        for stem, sheet, first in (("客户回访信息台账", "台账", "回访日期"), ("客户投诉台账", "投诉台账", "投诉单号")):
            for r in _records(root / month / file_name(stem, month), sheet, first):
                phones.add(str(r["客户电话"]))
                names.add(str(r["客户姓名"]))
    phones.discard("")
    names.discard("")
    text = [str(c.value) for ws in load_workbook(result.path).worksheets for r in ws.iter_rows() for c in r if c.value is not None]
    assert not [t for t in text if any(p in t for p in phones)]
    assert not set(text) & names


def test_missing_months_named_and_an_empty_period_refused(quarter, tmp_path: Path) -> None:
    root, _, _ = quarter
    year = make_period_report("2026", root)
    assert year.missing == tuple(f"2026-{m:02d}" for m in range(1, 10))
    assert "2026-01、2026-02" in year.summary() and year.path.name == "2026_年度分析报告.xlsx"
    assert "2026-09（未计入）" in load_workbook(year.path)["概览"]["A2"].value
    with pytest.raises(PeriodReportError, match="没有.*2025年第一季度"):
        make_period_report("2025Q1", root)
    with pytest.raises(PeriodReportError, match="没有找到历史库"):
        make_period_report("2026Q4", tmp_path)


@pytest.mark.libreoffice
def test_libreoffice_opens_the_report(quarter, require_libreoffice: str, tmp_path: Path) -> None:
    from tests.support.libreoffice import render_pdf

    _, result, _ = quarter
    pdf = render_pdf(result.path, tmp_path)
    assert pdf.stat().st_size > 10_000
