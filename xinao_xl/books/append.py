"""Appending records to a ledger staff keep, without re-saving their workbook.

The records go in as `writer.write_record` writes them into a template (each value in its
column's number format, entry cells left editable on the protected sheet, text always
text), and a row past the template's prepared rows gets its formula columns as the template
writes them (`TableSheet.render`, native formulas). The workbook is edited in place at the
package level (`inplace.WorkbookEdit`): pictures, charts, comments, x14 validations and
everything else staff added stay byte for byte; what cannot be kept is refused with a
Chinese message and nothing is written.

    rows = append_records(path, callback_ledger.ledger_sheet(), 14, [{"call_date": day, "order": "WG1"}],
                          form_cells={"抽样": {(3, 2): 20}})
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .inplace import WorkbookEdit
from .schema import NATIVE, TableSheet


def append_records(path: Path, spec: TableSheet, first: int, records: Sequence[Mapping[str, Any]], *,
                   form_cells: Mapping[str, Mapping[tuple[int, int], Any]] | None = None, style: str = NATIVE,
                   keep_previous: bool = True, data: bytes | None = None) -> list[int]:
    """Write `records` (entry values by column key) into `spec`'s sheet from row `first` on,
    and `form_cells` ({sheet: {(row, column): value}}, values replacing values there; a sheet
    the workbook lacks is skipped); replace the file atomically. Returns the rows written.

    A record's cells must be empty (a formula or value there is refused, not overwritten);
    formula columns are the template's and refused as keys. `data`: the bytes the caller read
    the ledger from (a file saved since is refused, not written over)."""
    book = WorkbookEdit(path, data)
    sheet = book.sheet(spec.name)
    formulas = [(spec.index(c.key), c) for c in spec.formula_columns]
    rows = []
    for n, values in enumerate(records):
        row = first + n
        for key, value in values.items():
            column = spec.column(key)
            if column.is_formula:
                raise ValueError(f"{spec.name}.{column.header} 为公式列，不能写入")
            sheet.set(row, spec.index(key), value, number_format=column.fmt, unlock=True)
        if row > spec.last_row:
            for index, column in formulas:
                sheet.set_formula(row, index, spec.render(column, row, style))
        rows.append(row)
    for name, cells in (form_cells or {}).items():
        if name in book.sheet_names:
            form = book.sheet(name)
            for (row, column), value in cells.items():
                form.set(row, column, value, replace=True)
    book.save(keep_previous=keep_previous)
    return rows
