"""The 服务津贴申请 written with XlsxWriter (books/xlsx.py) is the workbook openpyxl wrote.

The reference is the openpyxl builder as it was (tests/support/openpyxl_allowance_form.py),
compared as tests/books/test_flow_form.py compares the 流转单: read back by openpyxl
(`snapshot`) and cell by cell as stored (`stored_cells`), with what the two writers only
spell differently made one (`snapshot.same_meaning`).
"""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.support import openpyxl_allowance_form as before
from tests.support.snapshot import same_meaning, snapshot, snapshot_diff, stored_cells
from xinao_xl.books.allowance_form import AllowanceLine, build_allowance_form
from xinao_xl.policy.rules import load_rules

NOW = datetime(2026, 12, 3, 17, 45)
LINES = [
    AllowanceLine("客服部", 98.5, "", 500, 492.5, "审核：李四；审批：王五"),
    AllowanceLine("管网部", 84.0, "C", 480.0, 403.2),
    AllowanceLine("=工程部", 100, "", None, None, "+审核"),  # a typed name that looks like a formula stays text
    AllowanceLine("调度中心", 91.25, "", 0, 0.0),
]


def _both(lines: list[AllowanceLine], **kw: object) -> tuple[bytes, bytes]:
    rules = load_rules()
    old = BytesIO()
    before.build_allowance_form("2026-11", lines, rules, now=NOW, **kw).save(old)  # type: ignore[arg-type]
    return old.getvalue(), build_allowance_form("2026-11", lines, rules, now=NOW, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(("lines", "kw"), [
    (LINES, {"closed": "结账 2026-12-03 17:45", "prepared_by": "孙雪燕", "extra": {"备注": "=SUM(1)", "说明": "补发"}}),
    (LINES[:1], {}),
    ([], {}),
], ids=["four", "one", "none"])
def test_xlsxwriter_file_equals_the_openpyxl_file(lines: list[AllowanceLine], kw: dict[str, object]) -> None:
    old, new = _both(lines, **kw)
    assert snapshot_diff(same_meaning(snapshot(BytesIO(old))), same_meaning(snapshot(BytesIO(new))), limit=5) == []
    assert stored_cells(old) == stored_cells(new)
    was, now = load_workbook(BytesIO(old)).properties, load_workbook(BytesIO(new)).properties
    assert (now.creator, now.created, now.modified) == ("xinao-xl", datetime(2026, 12, 3), datetime(2026, 12, 3)) and was.created == now.created


def test_the_figures_as_numbers_and_typed_text_as_text() -> None:
    ws = load_workbook(BytesIO(build_allowance_form("2026-11", LINES, load_rules(), now=NOW)))["服务津贴申请"]
    # the total row (row 9): 500 + 480 + 0 = 980 (未填 not counted); 492.5 + 403.2 + 0 = 895.7
    assert [ws.cell(row=9, column=c).value for c in range(1, 6)] == ["合计", None, None, 980.0, 895.7]
    assert ws["D9"].number_format == "0.00" and ws["B5"].number_format == "0.00" and ws["B5"].value == 98.5
    assert ws["A7"].value == "=工程部" and ws["A7"].data_type == "s" and ws["A7"].quotePrefix
    assert ws["D7"].value == "未填" and ws["E7"].value == "—"
    assert ws.print_area == "'服务津贴申请'!$A$1:$F$14" and ws.page_setup.fitToHeight == 1
