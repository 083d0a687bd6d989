"""The completed-orders export of the business system (input of the daily sampling, 回访 四.2).

Not one of our workbooks: staff export it from the business system, so the reader finds its
columns by header (aliases included, e.g. 联系电话 for 客户电话) wherever they are. The
spec is also what `write_completed_export` (a synthetic export: tests, the demo) writes by,
so both sides agree on the headers.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from .cells import put
from .save import save_atomic
from .schema import Column, TableSheet
from .style import header_cells

SHEET = "完工工单"

# header -> other names the business system may use for the same column
ALIASES: dict[str, tuple[str, ...]] = {
    "工单号": ("工单编号", "单号"),
    "业务类型": ("业务", "工单类型"),
    "完工时间": ("完工日期", "完成时间"),
    "客户姓名": ("客户", "用户姓名", "姓名"),
    "客户电话": ("联系电话", "电话", "手机"),
    "客户地址": ("地址", "用户地址"),
    "上门人员": ("施工人员", "维修人员", "服务人员"),
    "责任部门": ("部门", "所属部门"),
}


def export_sheet() -> TableSheet:
    """The export's columns (order as our synthetic writer puts them)."""
    return TableSheet(
        SHEET,
        "完工工单导出",
        (
            Column("order", "工单号", type="id", width=16),
            Column("business", "业务类型", width=9),
            Column("done_at", "完工时间", type="datetime", width=17),
            Column("customer", "客户姓名", width=9),
            Column("phone", "客户电话", type="id", width=13),
            Column("address", "客户地址", width=26),
            Column("staff", "上门人员", width=9),
            Column("dept", "责任部门", width=11),
        ),
        rows=0,
        header_row=1,
    )


def write_completed_export(path: Path, rows: Iterable[dict[str, Any]]) -> Path:
    """The export as the business system would give it: one sheet, headers in row 1."""
    spec = export_sheet()
    wb = Workbook()
    ws = wb.active
    ws.title = spec.name
    header_cells(ws, 1, spec.headers)
    for r, row in enumerate(rows, start=2):
        for c, column in enumerate(spec.columns, start=1):
            cell = put(ws, r, c, row.get(column.key))
            cell.number_format = column.fmt
    for c, column in enumerate(spec.columns, start=1):
        ws.column_dimensions[ws.cell(row=1, column=c).column_letter].width = column.width
    return save_atomic(wb, Path(path))
