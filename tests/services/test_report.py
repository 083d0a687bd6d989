"""The report and flow-form services on a hand-typed month: 附件5 figures from the 台账 and
完工量, problem types by department, phones masked."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from xinao_xl.books.report import DETAIL, SHEET
from xinao_xl.services.flow_forms import make_flow_forms
from xinao_xl.services.report import make_report

from . import hand_month as H


def test_report_figures_and_masked_phones(tmp_path: Path) -> None:
    H.build(tmp_path)
    wb = load_workbook(make_report(H.MONTH, tmp_path, now=H.NOW))
    ws = wb[SHEET]
    rows = {ws.cell(row=r, column=1).value: [ws.cell(row=r, column=c).value for c in range(2, 9)] for r in range(5, 13)}
    # 零散: 完工量 20 + 5 (table order) = 25; 5 valid calls, 4 满意, 1 不满意
    assert rows["零散"] == [25, 5, 0.2, 4, 0.8, 1, 0.2]
    # 维修: 完工量 20; 3 满意 (未接通 not a valid callback)
    assert rows["维修"] == [20, 3, 0.15, 3, 1.0, 0, 0.0]
    assert rows["合计"][1:] == pytest.approx([10, 10 / sum(20 + n for n in range(7)), 7, 0.7, 3, 0.3])
    problems = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value for r in range(15, 22)}
    assert problems[H.EQ_REASON] == 1 and problems["停气通知不到位"] == 1
    detail = [[c.value for c in row] for row in wb[DETAIL].iter_rows(min_row=2)]
    phones = [r[3] for r in detail]
    assert sorted(phones) == ["139****0005", "139****0010", "139****0011"]
    everything = [str(c.value) for s in wb.worksheets for row in s.iter_rows() for c in row]
    assert not any("1390000" in v for v in everything)


def test_flow_forms_for_flagged_callbacks(tmp_path: Path) -> None:
    H.build(tmp_path)
    wb = load_workbook(make_flow_forms(H.MONTH, tmp_path, now=H.NOW))
    assert sorted(wb.sheetnames) == ["LZ001", "LZ002", "LZ003"]
