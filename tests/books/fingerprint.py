"""What a workbook *says*, independent of zip timestamps: for comparing generated files.

Cells (values, formulas, number formats, locked), validations, defined names, merged
cells, freeze panes, filters, protection, conditional-format ranges, and how the sheet
prints (titles, area, page header, orientation, hidden).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from xinao_xl.books.printing import load_book, print_formula


def fingerprint(path: Path) -> dict[str, Any]:
    wb = load_book(path)
    out: dict[str, Any] = {
        "sheets": wb.sheetnames,
        "names": {name: dn.attr_text for name, dn in sorted(wb.defined_names.items())},
    }
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None or c.has_style:
                    cells[c.coordinate] = (repr(c.value), c.number_format, c.protection.locked, c.data_type)
        dvs = sorted(
            (str(dv.sqref), dv.type, dv.formula1, dv.formula2, dv.operator, dv.prompt, dv.error)
            for dv in ws.data_validations.dataValidation
        )
        cols = {k: (d.width, d.number_format, d.protection.locked if d.protection else None) for k, d in sorted(ws.column_dimensions.items())}
        out[ws.title] = {
            "cells": cells,
            "validations": dvs,
            "columns": cols,
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "freeze": ws.freeze_panes,
            "filter": ws.auto_filter.ref,
            "protected": bool(ws.protection.sheet),
            "print_titles": ws.print_title_rows,
            "print_area": print_formula(ws) or ws.print_area,
            "print_page": (ws.page_setup.orientation, ws.page_setup.fitToWidth, ws.oddHeader.center.text, ws.oddFooter.center.text),
            "state": ws.sheet_state,
            "conditional": sorted(str(cf.sqref) for cf in ws.conditional_formatting),
        }
    return out


def diff(a: dict[str, Any], b: dict[str, Any], limit: int = 10) -> list[str]:
    """Human-readable differences, at most `limit`."""
    out: list[str] = []

    def walk(x: Any, y: Any, where: str) -> None:
        if len(out) >= limit:
            return
        if isinstance(x, dict) and isinstance(y, dict):
            for key in sorted(set(x) | set(y), key=str):
                if key not in x or key not in y:
                    out.append(f"{where}/{key}: only in {'new' if key in y else 'committed'}")
                else:
                    walk(x[key], y[key], f"{where}/{key}")
        elif x != y:
            out.append(f"{where}: committed {str(x)[:120]} != new {str(y)[:120]}")

    walk(a, b, "")
    return out
