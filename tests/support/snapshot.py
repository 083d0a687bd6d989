"""Everything a workbook shows, as plain data: for proving two ways of writing it agree.

`books.fingerprint` checks what the committed templates say; this goes further, to every
cell's look — value, type, number format, font, fill, border, alignment, protection, quote
prefix — and the sheet around the cells: merges, column and row sizes and styles, data
validations, conditional formats, freeze panes, filter, protection, print setup, charts.
Style objects are compared by what they hold, never by their index in styles.xml (the
order a writer first meets the styles in is not something a user sees).

    >>> snapshot_diff(snapshot(path_a), snapshot(path_b))   # doctest: +SKIP
    []
"""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet


def _look(obj: Any) -> Any:
    """A style object (Font, Fill, Border, …) as comparable text; None stays None."""
    return None if obj is None else repr(obj)


def _cell(c: Any, looks: dict[tuple[int, ...], tuple[Any, ...]]) -> tuple[Any, ...]:
    key = tuple(c._style) if c._style is not None else ()
    look = looks.get(key)
    if look is None:  # resolved once per distinct style of the workbook (a ledger has few)
        look = looks[key] = (c.number_format, _look(c.font), _look(c.fill), _look(c.border), _look(c.alignment),
                             _look(c.protection), bool(c.quotePrefix))
    return (repr(c.value), c.data_type, type(c).__name__, *look)


def _dimension_style(d: Any) -> tuple[Any, ...] | None:
    if not d.has_style:
        return None
    return (d.number_format, _look(d.font), _look(d.fill), _look(d.border), _look(d.alignment), _look(d.protection))


def _column(d: Any) -> tuple[Any, ...]:
    return (d.width, d.customWidth, d.hidden, d.min, d.max, _dimension_style(d))


def _row(d: Any) -> tuple[Any, ...]:
    return (d.height, d.customHeight, d.hidden, _dimension_style(d))


def _validations(ws: Worksheet) -> list[tuple[Any, ...]]:
    return sorted(
        (str(dv.sqref), dv.type, dv.formula1, dv.formula2, dv.operator, dv.allow_blank, dv.showErrorMessage, dv.showInputMessage,
         dv.errorStyle, dv.promptTitle, dv.prompt, dv.errorTitle, dv.error)
        for dv in ws.data_validations.dataValidation
    )


def _conditional(ws: Worksheet) -> list[tuple[Any, ...]]:
    out = []
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            dxf = rule.dxf
            out.append((str(cf.sqref), rule.type, rule.operator, tuple(rule.formula or ()), rule.priority,
                        _look(dxf.font) if dxf else None, _look(dxf.fill) if dxf else None))
    return sorted(out, key=repr)


def _sheet(ws: Worksheet) -> dict[str, Any]:
    looks: dict[tuple[int, ...], tuple[Any, ...]] = {}
    return {
        "cells": {c.coordinate: _cell(c, looks) for c in ws._cells.values() if c.value is not None or c.has_style},
        "columns": {k: _column(d) for k, d in sorted(ws.column_dimensions.items())},
        "rows": {k: _row(d) for k, d in sorted(ws.row_dimensions.items())},
        "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        "validations": _validations(ws),
        "conditional": _conditional(ws),
        "freeze": ws.freeze_panes,
        "filter": ws.auto_filter.ref,
        "protection": _look(ws.protection),
        "print": (ws.print_title_rows, ws.print_title_cols, str(ws.print_area), _look(ws.page_setup), _look(ws.print_options),
                  _look(ws.page_margins), _look(ws.sheet_properties), ws.oddFooter.center.text, ws.sheet_state),
        "view": _look(ws.sheet_view),
        "charts": [_chart(ch, ws) for ch in ws._charts],
        "breaks": ([(b.id, b.man) for b in ws.row_breaks.brk], [(b.id, b.man) for b in ws.col_breaks.brk]),
    }


# --- charts: what a chart shows and where, not how its XML spells it ---------------------------
# openpyxl wrote the report's charts with a one-cell anchor sized in EMU, chart-level data
# labels, categories as a number reference without cache, ``'回访报告'!F4`` and no axis
# number format; XlsxWriter (books/xlsx.py) writes a one-cell anchor sized in whole pixels,
# series-level data labels, categories as a text reference with its cache, ``回访报告!$F$4``
# and an axis format linked to the source. Both are read here as the same chart: its kind,
# titles, axes (a missing ``delete`` is "not deleted"; no number format, or one linked to
# the source, shows the cells' format), series ranges, the labels shown, the legend, the
# anchor (its kind and cell), the size in pixels (16 cm is 604.7 px: both round to 605; a
# two-cell anchor's from the cells it spans) and whether it moves with its cell.

EMU_PER_PX = 9525


def _text(title: Any) -> str | None:
    if title is None or title.tx is None or title.tx.rich is None:
        return None
    return "".join(r.t for p in title.tx.rich.p for r in (p.r or ()))


def _ref(ref: Any) -> str | None:
    """A range reference without quotes and $ (one range, absolute or not, says the same)."""
    return None if ref is None else ref.f.replace("$", "").replace("'", "")


def _labels(dl: Any) -> tuple[bool, ...] | None:
    if dl is None:
        return None
    return tuple(bool(getattr(dl, k)) for k in ("showVal", "showSerName", "showCatName", "showLegendKey", "showPercent"))


def _axis(axis: Any) -> tuple[Any, ...]:
    fmt = axis.number_format
    number = ("source",) if fmt is None or fmt.sourceLinked else (fmt.formatCode, False)
    return (_text(axis.title), bool(axis.delete), number, axis.scaling.min, axis.scaling.max, axis.scaling.orientation,
            axis.majorGridlines is not None, axis.majorTickMark or "cross", axis.minorTickMark or "cross")


def _col_px(width: float) -> int:
    """A column `width` (as stored) in pixels at a 7 px digit, as Excel lays out drawings."""
    return int((256 * width + int(128 / 7)) / 256 * 7)


def _position(anchor: Any, ws: Worksheet) -> tuple[Any, ...]:
    start = anchor._from
    if type(anchor).__name__ == "OneCellAnchor":
        size = (round(anchor.ext.width / EMU_PER_PX), round(anchor.ext.height / EMU_PER_PX))
        moves = "oneCell"
    else:
        widths = {c: d.width for d in ws.column_dimensions.values() if d.min for c in range(d.min, (d.max or d.min) + 1)}

        def col(c: int) -> int:  # a group <col min="4" max="6"> gives each of its columns its width
            width = widths.get(c + 1)
            return _col_px(width) if width else 64

        def row(r: int) -> int:
            d = ws.row_dimensions.get(r + 1)
            return round(d.height * 4 / 3) if d is not None and d.height is not None else 20

        end = anchor.to
        width = sum(col(c) for c in range(start.col, end.col)) - start.colOff // EMU_PER_PX + end.colOff // EMU_PER_PX
        height = sum(row(r) for r in range(start.row, end.row)) - start.rowOff // EMU_PER_PX + end.rowOff // EMU_PER_PX
        size, moves = (width, height), anchor.editAs or "twoCell"
    # the kind of anchor too: LibreOffice sizes a two-cell anchor from its own column widths
    return (type(anchor).__name__, (start.col, start.row, start.colOff, start.rowOff), size, moves)


def _chart(ch: Any, ws: Worksheet) -> tuple[Any, ...]:
    series = [(_ref(s.tx.strRef) if s.tx is not None else None, _ref(s.val.numRef if s.val is not None else None),
               _ref(s.cat.numRef or s.cat.strRef) if s.cat is not None else None, _labels(s.dLbls) or _labels(ch.dataLabels))
              for s in ch.series]
    return (type(ch).__name__, getattr(ch, "type", None), getattr(ch, "grouping", None), _text(ch.title), ch.legend is not None,
            _axis(ch.x_axis), _axis(ch.y_axis), series, _position(ch.anchor, ws))


def snapshot(source: Path | Workbook, spelled: bool = False) -> dict[str, Any]:
    """The workbook at `source` as plain data; an openpyxl workbook is saved and read back,
    so both sides are compared as a reader sees the file. What two writers spell differently
    for the same file is made one (`same_meaning`): a file written with openpyxl before and
    XlsxWriter now is the same file (the close's outputs compared old tree against new,
    /work/wt/snapcmp.py); ``spelled=True`` keeps the spellings."""
    if isinstance(source, Workbook):
        buffer = BytesIO()
        source.save(buffer)
        buffer.seek(0)
        wb = load_workbook(buffer)
    else:
        wb = load_workbook(source)
    out: dict[str, Any] = {
        "sheets": wb.sheetnames,
        "active": wb.active.title if wb.active is not None else None,
        "names": {name: dn.attr_text for name, dn in sorted(wb.defined_names.items())},
        "creator": wb.properties.creator,  # not the times: a new book is stamped when built and saved
    }
    for ws in wb.worksheets:
        out[f"sheet:{ws.title}"] = _sheet(ws)
    return out if spelled else same_meaning(out)


def snapshot_diff(a: dict[str, Any], b: dict[str, Any], limit: int = 12) -> list[str]:
    """Where `b` differs from `a` (path and both values, shortened), at most `limit` lines."""
    out: list[str] = []

    def walk(x: Any, y: Any, where: str) -> None:
        if len(out) >= limit:
            return
        if isinstance(x, dict) and isinstance(y, dict):
            for key in sorted(set(x) | set(y), key=str):
                if key not in x or key not in y:
                    out.append(f"{where}/{key}: only in {'second' if key in y else 'first'}")
                else:
                    walk(x[key], y[key], f"{where}/{key}")
        elif x != y:
            out.append(f"{where}: {str(x)[:300]} != {str(y)[:300]}")

    walk(a, b, "")
    return out


# What two writers spell differently for the same file (openpyxl before, XlsxWriter now):
# an ARGB colour's alpha (openpyxl writes 00, XlsxWriter and Excel FF; Excel ignores it), a
# border side written empty rather than left out (no line either way), the first sheet's
# tab marked selected (Excel opens on the active sheet either way), an empty text as an
# empty inline string or an empty shared string (a text cell holding "" either way),
# adjacent columns of one width as a group or one by one, a validation's default operator
# and error style left out or stated, and the cell selected in each frozen pane.
_SAME_MEANING = (
    (re.compile(r"rgb='00([0-9A-F]{6})'"), r"rgb='FF\1'"),
    (re.compile(r"<openpyxl\.styles\.borders\.Side object>\nParameters:\nstyle=None, color=None"), "None"),
    (re.compile(r"tabSelected=True"), "tabSelected=None"),
)


def same_meaning(x: Any) -> Any:
    """A snapshot (or part of one) with the spellings above made one."""
    if isinstance(x, dict):
        return {k: same_meaning(_SPELLINGS[k](v) if k in _SPELLINGS else v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        if x[:2] in (("None", "inlineStr"), ("''", "s")):  # a cell: (repr(value), data_type, …)
            x = ("''", "s", *x[2:])
        return type(x)(same_meaning(v) for v in x)
    if isinstance(x, str):
        for pattern, replacement in _SAME_MEANING:
            x = pattern.sub(replacement, x)
    return x


def _column_by_column(columns: dict[str, tuple[Any, ...]]) -> dict[str, tuple[Any, ...]]:
    """Adjacent columns of the same width and style, written as one group (<col min="4"
    max="5">: XlsxWriter) or one by one (openpyxl), as one entry per column."""
    from openpyxl.utils import get_column_letter

    out = {}
    for _, (width, custom, hidden, lo, hi, style) in columns.items():
        for c in range(lo, hi + 1):
            out[get_column_letter(c)] = (width, custom, hidden, c, c, style)
    return out


def _validations_stated(validations: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """A validation's operator and error style left out (their defaults: between, stop) or
    stated, and an empty prompt left out or written empty, as one."""
    out = []
    for sqref, kind, f1, f2, operator, blank, error, prompt, style, *texts in validations:
        out.append((sqref, kind, f1, f2, operator or "between", blank, error, prompt, style or "stop", *(t or None for t in texts)))
    return sorted(out)


_SELECTION = re.compile(r"activeCell='[A-Z]+\d+', activeCellId=None, sqref='[A-Z]+\d+'")


def _selection_in_panes(view: str) -> str:
    """Which cell of each frozen pane is selected when the file opens (openpyxl: A1,
    XlsxWriter: the pane's first cell): not what the sheet holds or shows."""
    return _SELECTION.sub("activeCell=…", view) if "pane=<" in view else view


_SPELLINGS = {"columns": _column_by_column, "validations": _validations_stated, "view": _selection_in_panes}


def stored_cells(source: Path | bytes) -> dict[tuple[str, str], tuple[Any, ...]]:
    """Every cell the file stores, with its own style, as plain data — also the cells a merged
    area covers, whose borders Excel draws and which a normal load replaces by the merged
    area's (read-only mode does not merge). An empty text cell is one however it is spelled."""
    wb = load_workbook(BytesIO(source) if isinstance(source, bytes) else source, read_only=True)
    out = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if type(c).__name__ == "EmptyCell":
                    continue
                out[ws.title, c.coordinate] = same_meaning((repr(c.value), c.data_type, c.number_format, _look(c.font), _look(c.border),
                                                            _look(c.alignment), _look(c.fill), _look(c.protection),
                                                            bool(c.style_array.quotePrefix)))
    wb.close()
    return out
