"""The report and flow-form services on a hand-typed month: 附件5 figures from the 台账 and
完工量, problem types by department, phones masked."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.support.snapshot import snapshot, snapshot_diff
from xinao_xl.books.report import DETAIL, MASKED, NO_PEOPLE, SHEET
from xinao_xl.services.close import close_month
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


@pytest.mark.parametrize("people", [MASKED, NO_PEOPLE])
def test_the_report_button_writes_the_close_s_report(tmp_path: Path, people: str) -> None:
    """One report path: before the close, the 生成回访报告 button (and `report --callbacks`)
    writes cell by cell the report the close then writes, file properties included, in the
    masked and in the shared (--share) version."""
    button, closing = tmp_path / "button", tmp_path / "close"
    H.build(button)
    H.build(closing)
    made = make_report(H.MONTH, button, people, now=H.NOW)
    closed = close_month(H.MONTH, closing, now=H.NOW, people=people).outputs["回访报告"]
    assert made.relative_to(button) == closed.relative_to(closing)
    assert snapshot_diff(snapshot(closed), snapshot(made)) == []
    assert snapshot(made)["creator"] == "xinao-xl"
