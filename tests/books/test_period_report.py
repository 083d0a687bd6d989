"""The period report book: values not formulas, Chinese headers, native charts, A4, no phones,
the missing months named on every sheet, empty figures shown as 无数据."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
from openpyxl import load_workbook

from xinao_xl.books.period_report import (
    COMPLAINTS,
    OVERVIEW,
    SCORES,
    SHEETS,
    PeriodData,
    build_period_report,
    scrub,
)

FRAMES = {
    "complaints_by_level": pd.DataFrame({"key": ["3级", "4级"], "complaints": [1, 2], "rows": [2, 2], "responsible": [1, 2], "not_responsible": [1, 0],
                                         "points": [20.0, 30.0], "share": [0.5, 0.5]}),
    "complaints_by_dept": pd.DataFrame({"key": ["客服部"], "rows": [4], "responsible": [3], "not_responsible": [1], "points": [50.0]}),
    "repeats": pd.DataFrame({"no": ["TS9 客户13812345678"], "accepted": [pd.Timestamp("2026-11-03 10:00")], "previous_closed": [pd.NaT]}),
    "score_trend": pd.DataFrame({"month": ["2026-10", "2026-11"], "客服部": [88.5, float("nan")]}),
}
DATA = PeriodData("2026Q4", "2026年第四季度", ("2026-10", "2026-11", "2026-12"), ("2026-10", "2026-11"), FRAMES,
                  [("投诉（起）", 3, "0"), ("回访满意率", 0.975, "0.00%")], trend_months=("2026-01", "2026-12"))


def _saved():
    buf = io.BytesIO()
    build_period_report(DATA).save(buf)
    return buf


def _rows(ws) -> list[list]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_sheets_values_headers_and_missing_months() -> None:
    wb = load_workbook(_saved())
    assert wb.sheetnames == list(SHEETS)
    for ws in wb.worksheets:
        assert "2026-12（未计入）" in ws["A2"].value  # every sheet says what is missing
        assert not [c for row in ws.iter_rows() for c in row if c.data_type == "f"]  # values only
    rows = _rows(wb[COMPLAINTS])
    header = next(r for r in rows if r[0] == "投诉级别")
    assert header[:7] == ["投诉级别", "投诉（起）", "投诉（部门条）", "有责（条）", "无责（条）", "扣分", "占比"]
    assert next(r for r in rows if r[0] == "4级")[:7] == ["4级", 2, 2, 2, 0, 30.0, 0.5]
    assert ["无数据"] == [v for v in next(r for i, r in enumerate(rows) if rows[i - 1][0] == "二、按受理渠道") if v]  # no channel frame
    overview = _rows(wb[OVERVIEW])
    assert ["投诉（起）", 3] in [r[:2] for r in overview] and wb[OVERVIEW]["B6"].number_format == "0.00%"


def test_native_charts_in_the_sheet_xml_and_a4() -> None:
    buf = _saved()
    z = zipfile.ZipFile(buf)
    charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 3  # complaints by level, by department (stacked), the score trend (line)
    assert "<drawing " in z.read("xl/worksheets/sheet2.xml").decode()  # 投诉统计 points at its drawing
    assert "<lineChart>" in "".join(z.read(n).decode() for n in charts)
    wb = load_workbook(buf)
    assert len(wb[COMPLAINTS]._charts) == 2 and len(wb[SCORES]._charts) == 1
    for ws in wb.worksheets:
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_area


def test_no_phone_and_blank_not_nan() -> None:
    wb = load_workbook(_saved())
    values = [str(v) for ws in wb.worksheets for r in _rows(ws) for v in r if v is not None]
    assert not any("13812345678" in v for v in values)
    assert "TS9 客户138****5678" in values
    assert not any(v in ("nan", "NaT", "<NA>") for v in values)
    assert scrub(5) == 5 and scrub("无电话") == "无电话"
