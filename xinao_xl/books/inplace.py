"""Writing cells into a staff workbook in place, keeping everything else byte for byte.

Why not openpyxl: re-saving a workbook through openpyxl rebuilds every part from what
openpyxl models, and drops or changes the rest — a pasted picture (without Pillow, every
image), Excel 2010 (x14) validations and conditional formats, chart settings, the fonts of
comments. Staff add such things to the 回访台账; after ten samplings the last version that
held them rotates out of 历史版本, and the loss is permanent (issue 13).

How: the workbook is edited as the zip of XML parts it is (`zipparts.ZipParts`). Only the
parts a write needs are changed, and within them only the bytes that must change:

- the target sheet's part: the rows written are spliced into ``<sheetData>`` (a row that
  exists keeps its attributes and other cells, new cells go in column order, new rows in
  row order), ``<dimension>`` is widened, and the sheet's formula cells lose their cached
  value (the values written may change them; LibreOffice 7.4 shows a cached value without
  recomputing it even when the file asks for a recalculation, but computes a formula that
  has none); every other byte of the part stays;
- ``styles.xml``, only when a written cell needs a style the file does not hold (a date in
  a cell formatted as text, a text that starts like a formula and so needs Excel's quote
  prefix, an entry cell that must stay editable on the protected sheet): a copy of the
  cell's own style with that one change is appended to ``<cellXfs>``;
- a row's height (`SheetEdit.height`: ``ht`` without ``customHeight``, never lowered) and
  the quote prefix of stored formula-like text (`SheetEdit.quote`, `WorkbookEdit.keep_text`)
  change the row's start tag or the cell's style only;
- ``docProps/core.xml``, only when asked (`WorkbookEdit.set_core_properties`: author, times);
- ``workbook.xml``, only to ask for a full recalculation on load (``fullCalcOnLoad``, when
  it does not already): formulas on other sheets cache values computed before the write;
  Excel recalculates them on open (LibreOffice 7.4 ignores the request: there they show
  the old values until recalculated, Ctrl+Shift+F9).

Text is written as inline strings (``sharedStrings.xml`` stays as it is); a cell's style is
the one Excel would give typing into it (the cell's own, else its row's, else its
column's). Every other part — pictures, drawings, charts, comments and their VML, other
sheets, defined names, custom views, content types — is copied as its compressed bytes.

What is refused (`InPlaceRefusedError`, with the sheet, cell and what to do): writing over
a cell that holds something (a formula, a value) unless the caller replaces values there,
a cell inside a merged area, an array formula or a table (ListObject) that would have to
grow, a sheet part in a form this module does not edit safely (Strict OOXML, rows or cells
without their address, rows out of order, comments or CDATA among the rows), a zip this
module cannot copy faithfully (zip64, split). Nothing is written then.

    book = WorkbookEdit(Path("2026-11/2026-11_客户回访信息台账.xlsx"))
    sheet = book.sheet("台账")
    sheet.set(14, 1, date(2026, 11, 20), number_format="yyyy-mm-dd", unlock=True)
    sheet.set_formula(3003, 20, '=IF(Q3003="","",…)')
    book.save()                       # temp file, then replace; previous in 历史版本
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from defusedxml import ElementTree as SafeET
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, to_excel

from xinao_xl.policy.errors import XinaoError

from .cells import looks_like_formula
from .filecheck import check_bytes, read_bytes
from .save import WriteRefusedError, write_bytes_atomic
from .zipparts import ZipLayoutError, ZipParts

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_ABOVE = 64  # rows looked up for the formula cell a new row's formula takes its style from


class InPlaceRefusedError(WriteRefusedError):
    """A write into a staff workbook would lose or break something there (Chinese message)."""


# --- values as cell XML --------------------------------------------------------------------

_ESCAPE_LIKE = re.compile(r"_x[0-9A-Fa-f]{4}_")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xstring(text: str) -> bytes:
    """Text as OOXML stores it: characters XML cannot hold (and CR, which XML turns into LF)
    as ``_xHHHH_``, a literal ``_xHHHH_`` protected by ``_x005F_``, then XML escapes."""
    text = _ESCAPE_LIKE.sub(lambda m: "_x005F" + m.group(0), text)
    text = _NOT_XML.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode("utf-8")


def _number(value: float) -> bytes:
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"not a finite number: {value!r}")
    if isinstance(value, int):
        return str(value).encode()
    return (str(int(value)) if value.is_integer() else repr(value)).encode()


# --- number formats ---------------------------------------------------------------------------

_BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10, "@": 49}
_BUILTIN_KINDS = {
    **dict.fromkeys((14, 15, 16, 17, 27, 28, 29, 30, 31, 34, 35, 36, 50, 51, 52, 53, 54, 57, 58), "date"),
    **dict.fromkeys((18, 19, 20, 21, 32, 33, 45, 46, 47, 55, 56), "time"),
    22: "datetime",
    49: "text",
}
_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')


@cache
def format_kind(code: str) -> str:
    """What a number format shows: "date", "time", "datetime", "text" or "number"."""
    if "@" in _LITERALS.sub("", code):
        return "text"
    bare = _LITERALS.sub("", code.split(";")[0]).lower()
    has_date = "y" in bare or "d" in bare
    has_time = "h" in bare or "s" in bare
    if has_date and has_time:
        return "datetime"
    if has_date or ("m" in bare and not has_time):
        return "date"
    return "time" if has_time else "number"


def _fits(have: str, wanted: str) -> bool:
    """Whether a cell formatted as `have` shows a value meant for `wanted` as it should."""
    if wanted == "date":
        return have in ("date", "datetime")
    if wanted in ("datetime", "text"):
        return have == wanted
    if wanted == "time":
        return have in ("time", "datetime")
    return True


# --- small XML helpers (bytes) -----------------------------------------------------------------

_ATTR = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_XMLNS = re.compile(rb"""\sxmlns(?::[\w.-]+)?\s*=\s*(?:"[^"]*"|'[^']*')""")
_TRUE = (b"1", b"true")


def _attrs(tag: bytes) -> dict[bytes, bytes]:
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3) for m in _ATTR.finditer(tag)}


def _set_attr(tag: bytes, name: bytes, value: bytes) -> bytes:
    """A start tag with attribute `name` set to `value` (replaced in place, else added last)."""
    pattern = re.compile(rb"(\s" + re.escape(name) + rb"""\s*=\s*)(?:"[^"]*"|'[^']*')""")
    if pattern.search(tag):
        return pattern.sub(lambda m: m.group(1) + b'"' + value + b'"', tag, count=1)
    end = 2 if tag.endswith(b"/>") else 1
    return tag[:-end].rstrip() + b" " + name + b'="' + value + b'"' + tag[-end:]


def _drop_attr(tag: bytes, name: bytes) -> bytes:
    """A start tag without attribute `name`."""
    return re.sub(rb"\s" + re.escape(name) + rb"""\s*=\s*(?:"[^"]*"|'[^']*')""", b"", tag, count=1)


def _escape_attr(text: str) -> bytes:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").encode("utf-8")


class _Names:
    """Element names of one part under the prefix its root uses for the main namespace."""

    def __init__(self, prefix: bytes) -> None:
        self.prefix = prefix
        self.p = prefix + b":" if prefix else b""
        self.rx = re.escape(self.p)

    def start(self, local: bytes) -> re.Pattern[bytes]:
        return re.compile(rb"<" + self.rx + local + rb"\b([^>]*)>")

    def close(self, local: bytes) -> bytes:
        return b"</" + self.p + local + b">"

    def tag(self, local: bytes) -> bytes:
        return self.p + local


def _root(xml: bytes, local: bytes, part: str) -> tuple[_Names, bytes]:
    """The prefix of the root element `local` and its start tag; the namespace must be
    transitional SpreadsheetML (Strict files are refused with what to do)."""
    m = re.search(rb"<(?:([A-Za-z_][\w.-]*):)?" + local + rb"\b([^>]*)>", xml)
    if m is None:
        raise _Refusal(f"部件 {part} 的结构异常（找不到 {local.decode()} 元素）")
    prefix = m.group(1) or b""
    ns = _attrs(m.group(2)).get(b"xmlns:" + prefix if prefix else b"xmlns", b"").decode()
    if ns == STRICT_NS:
        raise _Refusal("文件是“Strict Open XML 电子表格”格式：请在Excel中“另存为”普通的“Excel 工作簿(*.xlsx)”后再试")
    if ns != MAIN_NS:
        raise _Refusal(f"部件 {part} 不是常见的 Excel 工作表格式")
    return _Names(prefix), m.group(0)


class _Refusal(XinaoError):
    """Raised inside (a Chinese message without the file name); `WorkbookEdit` turns it into `InPlaceRefusedError` with the file name."""


# --- styles.xml --------------------------------------------------------------------------------


class _Styles:
    """The cell formats (``<cellXfs>``) and number formats of ``styles.xml``; new formats are
    appended, nothing else in the part changes."""

    def __init__(self, xml: bytes | None) -> None:
        self.xml = xml
        self.added: list[bytes] = []
        self.added_formats: list[tuple[int, str]] = []
        self._derived: dict[tuple[int, str | None, bool, bool], int] = {}
        self._answers: dict[tuple[int, str | None, bool, bool], int] = {}  # derive's, by what was asked
        if xml is None:
            self.xfs: list[bytes] = [b"<xf/>"]
            self.formats: dict[int, str] = {}
            return
        self.n, _ = _root(xml, b"styleSheet", "xl/styles.xml")
        block = self.n.start(b"cellXfs").search(xml)
        close = xml.find(self.n.close(b"cellXfs"), block.end()) if block else -1
        if block is None or close < 0 or block.group(1).endswith(b"/"):
            raise _Refusal("样式部件 styles.xml 的结构异常（找不到单元格格式表）")
        self.xfs_start, self.xfs_tag, self.xfs_close = block.start(), block.group(0), close
        xf = re.compile(rb"<" + self.n.rx + rb"xf\b[^>]*?/>|<" + self.n.rx + rb"xf\b[^>]*>.*?" + re.escape(self.n.close(b"xf")), re.S)
        self.xfs = xf.findall(xml, block.end(), close)
        self.formats = {}
        for m in self.n.start(b"numFmt").finditer(xml):
            a = _attrs(m.group(1))
            if b"numFmtId" in a and b"formatCode" in a:
                self.formats[int(a[b"numFmtId"])] = _xml_text(a[b"formatCode"])

    def _xf(self, style: int) -> bytes:
        every = self.xfs + self.added
        if not 0 <= style < len(every):
            raise _Refusal(f"单元格引用了不存在的格式（第 {style} 号）：文件已损坏，请在Excel中打开并另存后再试")
        return every[style]

    def _start(self, style: int) -> bytes:
        xf = self._xf(style)
        return xf[:xf.index(b">") + 1]

    def kind(self, style: int) -> str:
        num = int(_attrs(self._start(style)).get(b"numFmtId", b"0"))
        if num in self.formats:
            return format_kind(self.formats[num])
        return _BUILTIN_KINDS.get(num, "number")

    def locked(self, style: int) -> bool:
        xf = self._xf(style)
        m = re.search(rb"<" + self.n.rx + rb"protection\b([^>]*)>", xf) if self.xml is not None else None
        return m is None or _attrs(m.group(1)).get(b"locked", b"1") in _TRUE

    def quoted(self, style: int) -> bool:
        return _attrs(self._start(style)).get(b"quotePrefix", b"0") in _TRUE

    def derive(self, style: int, number_format: str | None = None, quote: bool = False, unlock: bool = False) -> int:
        """`style` with what the value needs: its number format, the quote prefix, unlocked.
        The same style when it has them already; else a copy with only those changed."""
        asked = (style, number_format, quote, unlock)
        found = self._answers.get(asked)
        if found is None:
            found = self._answers[asked] = self._derive(style, number_format, quote, unlock)
        return found

    def _derive(self, style: int, number_format: str | None, quote: bool, unlock: bool) -> int:
        want_format = number_format if number_format and not _fits(self.kind(style), format_kind(number_format)) else None
        want_quote = quote and not self.quoted(style)
        want_unlock = unlock and self.locked(style)
        if not (want_format or want_quote or want_unlock):
            return style
        key = (style, want_format, want_quote, want_unlock)
        if key in self._derived:
            return self._derived[key]
        if self.xml is None:
            raise _Refusal("工作簿没有样式部件（styles.xml），无法为写入的单元格设置格式")
        xf = self._xf(style)
        head_end = xf.index(b">") + 1
        head, body = xf[:head_end], xf[head_end:]
        if want_format:
            head = _set_attr(_set_attr(head, b"numFmtId", str(self._format_id(want_format)).encode()), b"applyNumberFormat", b"1")
        if want_quote:
            head = _set_attr(head, b"quotePrefix", b"1")
        if want_unlock:
            head = _set_attr(head, b"applyProtection", b"1")
            if head.endswith(b"/>"):
                head, body = head[:-2].rstrip() + b">", self.n.close(b"xf")
            body = self._unlocked(body)
        new = head + body
        every = self.xfs + self.added
        found = every.index(new) if new in every else -1
        if found < 0:
            self.added.append(new)
            found = len(every)
        self._derived[key] = found
        return found

    def _unlocked(self, body: bytes) -> bytes:
        protection = re.search(rb"<" + self.n.rx + rb"protection\b[^>]*>", body)
        if protection:
            return body[:protection.start()] + _set_attr(protection.group(0), b"locked", b"0") + body[protection.end():]
        element = b"<" + self.n.tag(b"protection") + b' locked="0"/>'
        alignment = re.search(rb"<" + self.n.rx + rb"alignment\b[^>]*?(?:/>|>.*?" + re.escape(self.n.close(b"alignment")) + rb")", body, re.S)
        at = alignment.end() if alignment else 0
        return body[:at] + element + body[at:]

    def _format_id(self, code: str) -> int:
        if code in _BUILTIN_FORMATS:
            return _BUILTIN_FORMATS[code]
        plain = code.replace("\\", "")
        for num, existing in {**self.formats, **dict(self.added_formats)}.items():
            if existing.replace("\\", "") == plain:
                return num
        num = max([163, *self.formats, *(n for n, _ in self.added_formats)]) + 1
        self.added_formats.append((num, code))
        return num

    def to_bytes(self) -> bytes | None:
        """The new ``styles.xml``, or None when nothing was added."""
        if self.xml is None or not (self.added or self.added_formats):
            return None
        xml = self.xml
        edits: list[tuple[int, int, bytes]] = []
        if self.added:
            tag = self.xfs_tag
            if b"count" in _attrs(tag):
                tag = _set_attr(tag, b"count", str(len(self.xfs) + len(self.added)).encode())
            edits.append((self.xfs_start, self.xfs_start + len(self.xfs_tag), tag))
            edits.append((self.xfs_close, self.xfs_close, b"".join(self.added)))
        if self.added_formats:
            new = b"".join(b"<" + self.n.tag(b"numFmt") + b' numFmtId="' + str(num).encode() + b'" formatCode="' + _escape_attr(code) + b'"/>'
                           for num, code in self.added_formats)
            block = self.n.start(b"numFmts").search(xml)
            if block and not block.group(1).endswith(b"/"):
                close = xml.find(self.n.close(b"numFmts"), block.end())
                tag = _set_attr(block.group(0), b"count", str(len(self.formats) + len(self.added_formats)).encode())
                edits += [(block.start(), block.end(), tag), (close, close, new)]
            else:
                element = (b"<" + self.n.tag(b"numFmts") + b' count="' + str(len(self.added_formats)).encode() + b'">' + new
                           + self.n.close(b"numFmts"))
                if block:  # <numFmts/>
                    edits.append((block.start(), block.end(), element))
                else:  # numFmts is the first child of styleSheet
                    root = re.search(rb"<" + self.n.rx + rb"styleSheet\b[^>]*>", xml)
                    edits.append((root.end(), root.end(), element))
        return _splice(xml, edits)


def _xml_text(value: bytes) -> str:
    import html

    return html.unescape(value.decode("utf-8"))


def _splice(data: bytes, edits: Iterable[tuple[int, int, bytes]]) -> bytes:
    """`data` with each (start, end) span replaced; spans must not overlap."""
    out, at = [], 0
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1])):
        if start < at:
            raise AssertionError("overlapping edits")
        out += [data[at:start], new]
        at = end
    out.append(data[at:])
    return b"".join(out)


# --- one sheet ---------------------------------------------------------------------------------


@dataclass
class _Write:
    value: Any = None
    formula: str | None = None
    number_format: str | None = None
    unlock: bool = False
    replace: bool = False
    style: int | None = None  # the style index to start from, instead of the cell's own
    blank: bool = False  # an empty cell in `style` (a form's empty field keeps its border)


@dataclass(frozen=True)
class _Clear:
    """A block whose cells lose their contents: rows first..last (None: to the sheet's end),
    columns first..last; ``keep_style`` leaves each cell as an empty cell in its look."""

    first_row: int
    last_row: int | None
    first_col: int
    last_col: int
    keep_style: bool

    def covers(self, row: int, column: int) -> bool:
        return (self.first_row <= row and (self.last_row is None or row <= self.last_row)
                and self.first_col <= column <= self.last_col)


@dataclass
class _Row:
    number: int
    start: int  # the row element's first byte
    open_end: int  # after its start tag
    end: int  # after the element
    closed: bool  # <row …/>


@dataclass
class _Cell:
    column: int
    start: int
    end: int
    attrs: dict[bytes, bytes]
    content: bytes


class SheetEdit:
    """The cells to write into one sheet; applied when the workbook is saved."""

    def __init__(self, book: WorkbookEdit, name: str, part: str) -> None:
        self.book = book
        self.name = name
        self.part = part
        self.writes: dict[tuple[int, int], _Write] = {}
        self.clears: list[_Clear] = []
        self.heights: dict[int, float] = {}
        self.quotes: set[tuple[int, int]] = set()

    @property
    def edited(self) -> bool:
        return bool(self.writes or self.clears or self.heights or self.quotes)

    def set(self, row: int, column: int, value: Any, *, number_format: str | None = None, unlock: bool = False,
            replace: bool = False, style: int | None = None) -> None:
        """Write a value (text stays text, never a formula). `number_format` is applied only
        when the cell's own format does not show such a value (a date in a text cell);
        `unlock` keeps the cell editable on a protected sheet; ``replace`` lets the value
        replace a value (never a formula) already there — otherwise a cell holding anything
        is refused; `style` (an index, `style_of`) is the look to start from instead of the
        cell's own."""
        if value is None:
            return
        self._check(row, column)
        self.writes[(row, column)] = _Write(value=value, number_format=number_format, unlock=unlock, replace=replace, style=style)

    def set_formula(self, row: int, column: int, formula: str, *, style: int | None = None) -> None:
        """Write a formula we generated (``=…``) into an empty (or cleared) cell; it takes
        `style`, else the style of the formula cell above it in its column (the template's
        look of that column)."""
        if not formula.startswith("="):
            raise ValueError(f"not a formula: {formula!r}")
        self._check(row, column)
        self.writes[(row, column)] = _Write(formula=formula[1:], style=style)

    def height(self, row: int, points: float) -> None:
        """Give `row` at least `points` of height (the lines its wrapped text needs), stored
        as ``ht`` without ``customHeight`` as `printing.FittedRow` does: Excel takes it as the
        row's automatic height and fits it again when the text changes. A row already as
        tall keeps its height; the row's other attributes stay."""
        self._check(row, 1)
        if not points > 0:
            raise ValueError(f"not a row height: {points!r}")
        self.heights[row] = max(points, self.heights.get(row, 0.0))

    def quote(self, row: int, column: int) -> None:
        """Give a stored text cell Excel's quote prefix (`cells.keep_text`): its contents stay
        as they are, its style becomes a copy with ``quotePrefix``. A cell the file does not
        store, or one also written, is left to the write."""
        self._check(row, column)
        self.quotes.add((row, column))

    def set_blank(self, row: int, column: int, style: int) -> None:
        """An empty cell in the look `style` (an empty field of a block being rewritten keeps
        its border); refused where a cell holds something, like `set`."""
        self._check(row, column)
        self.writes[(row, column)] = _Write(style=style, blank=True)

    def clear(self, first_row: int, last_row: int | None, first_col: int, last_col: int, *, keep_style: bool = False) -> None:
        """Empty a block of our own (a sheet the program fills, such as the 考核表's 汇入):
        values and formulas go, so cells written there afterwards are not refused; a row left
        without cells goes too. ``keep_style`` keeps each cell's look (an empty styled cell)."""
        self._check(first_row, first_col)
        self._check(last_row or first_row, last_col)
        self.clears.append(_Clear(first_row, last_row, first_col, last_col, keep_style))

    def style_of(self, row: int, column: int) -> int:
        """The style index of a cell as the file holds it now (0 when the cell is not stored)."""
        xml = _SheetXml(self, self.book.zip.read(self.part), _Styles(None), self.book.date1904, [])
        found = xml._row(row)
        if found is None:
            return 0
        for cell in xml._cells(found):
            if cell.column == column:
                return int(cell.attrs.get(b"s", b"0"))
        return 0

    def _check(self, row: int, column: int) -> None:
        if not (1 <= row <= 1_048_576 and 1 <= column <= 16_384):
            raise ValueError(f"cell outside a sheet: row {row}, column {column}")


class _SheetXml:
    """The byte-level edit of one worksheet part."""

    def __init__(self, edit: SheetEdit, xml: bytes, styles: _Styles, date1904: bool, tables: list[tuple[str, str]]) -> None:
        self.edit = edit
        self.xml = xml
        self.styles = styles
        self.epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
        self.tables = tables
        self.n, root_tag = _root(xml, b"worksheet", edit.part)
        self.namespaces = b" ".join(m.group(0).strip() for m in _XMLNS.finditer(root_tag))
        self._locate_rows()
        self._columns = self._column_styles()

    def where(self, row: int, column: int) -> str:
        return f"工作表“{self.edit.name}”{get_column_letter(column)}{row} 单元格"

    # --- reading the part -----------------------------------------------------------------

    def _locate_rows(self) -> None:
        xml, n = self.xml, self.n
        open_tag = n.start(b"sheetData").search(xml)
        if open_tag is None:
            raise _Refusal(f"工作表“{self.edit.name}”的结构异常（没有 sheetData）")
        self.data_open = open_tag
        self.data_empty = open_tag.group(1).rstrip().endswith(b"/")
        if self.data_empty:
            self.data_start = self.data_end = open_tag.end()
            self.rows: list[_Row] = []
            self.numbers: list[int] = []
            return
        self.data_start = open_tag.end()
        self.data_end = xml.find(n.close(b"sheetData"), self.data_start)
        if self.data_end < 0:
            raise _Refusal(f"工作表“{self.edit.name}”的结构异常（sheetData 未结束）")
        if xml.find(b"<!", self.data_start, self.data_end) >= 0 or xml.find(b"<?", self.data_start, self.data_end) >= 0:
            raise _Refusal(f"工作表“{self.edit.name}”的行中含有注释或 CDATA（Excel 不会这样写）：请在Excel中打开并另存后再试")
        row_close = n.close(b"row")
        rows, numbers = [], []
        at = self.data_start
        for m in n.start(b"row").finditer(xml, self.data_start, self.data_end):
            if xml[at:m.start()].strip():
                raise _Refusal(f"工作表“{self.edit.name}”的行之间有无法识别的内容：请在Excel中打开并另存后再试")
            attrs = m.group(1)
            number = re.search(rb'(?:^|\s)r\s*=\s*["\'](\d+)["\']', attrs)
            if number is None:
                raise _Refusal(f"工作表“{self.edit.name}”中有未标明行号的行（某些程序这样写）：请在Excel中打开并另存后再试")
            r = int(number.group(1))
            if numbers and r <= numbers[-1]:
                raise _Refusal(f"工作表“{self.edit.name}”的第 {r} 行顺序异常：请在Excel中打开并另存后再试")
            closed = attrs.rstrip().endswith(b"/")
            end = m.end() if closed else xml.find(row_close, m.end(), self.data_end)
            if end < 0:
                raise _Refusal(f"工作表“{self.edit.name}”的第 {r} 行未结束：文件已损坏")
            end = end if closed else end + len(row_close)
            rows.append(_Row(r, m.start(), m.end(), end, closed))
            numbers.append(r)
            at = end
        if xml[at:self.data_end].strip():
            raise _Refusal(f"工作表“{self.edit.name}”的行之间有无法识别的内容：请在Excel中打开并另存后再试")
        self.rows, self.numbers = rows, numbers

    def _row(self, number: int) -> _Row | None:
        i = bisect.bisect_left(self.numbers, number)
        return self.rows[i] if i < len(self.numbers) and self.numbers[i] == number else None

    def _cells(self, row: _Row) -> list[_Cell]:
        """The cells of an existing row, each checked against an XML parse of the row."""
        if row.closed:
            return []
        xml, n = self.xml, self.n
        content_end = row.end - len(n.close(b"row"))
        cell_close = n.close(b"c")
        cells: list[_Cell] = []
        at = row.open_end
        for m in n.start(b"c").finditer(xml, row.open_end, content_end):
            if m.start() < at:
                continue  # inside the previous cell (cannot happen in well-formed XML)
            attrs = _attrs(m.group(1))
            ref = re.fullmatch(rb"([A-Z]{1,3})(\d+)", attrs.get(b"r", b""))
            if ref is None or int(ref.group(2)) != row.number:
                raise _Refusal(f"工作表“{self.edit.name}”第 {row.number} 行有未标明位置的单元格：请在Excel中打开并另存后再试")
            if m.group(1).rstrip().endswith(b"/"):
                end, content = m.end(), b""
            else:
                close = xml.find(cell_close, m.end(), content_end)
                if close < 0:
                    raise _Refusal(f"工作表“{self.edit.name}”第 {row.number} 行的单元格未结束：文件已损坏")
                end, content = close + len(cell_close), xml[m.end():close]
            column = _column_number(ref.group(1))
            if cells and column <= cells[-1].column:
                raise _Refusal(f"工作表“{self.edit.name}”第 {row.number} 行的单元格顺序异常：请在Excel中打开并另存后再试")
            cells.append(_Cell(column, m.start(), end, attrs, content))
            at = end
        self._check_parse(row, cells)
        return cells

    def _check_parse(self, row: _Row, cells: list[_Cell]) -> None:
        fragment = b"<wrap " + self.namespaces + b">" + self.xml[row.start:row.end] + b"</wrap>"
        try:
            element = SafeET.fromstring(fragment)
        except Exception:  # ParseError, or defusedxml's refusals
            raise _Refusal(f"工作表“{self.edit.name}”第 {row.number} 行的 XML 无法解析：文件已损坏") from None
        refs = [c.get("r") for c in element[0] if c.tag == f"{{{MAIN_NS}}}c"]
        if refs != [f"{get_column_letter(c.column)}{row.number}" for c in cells]:
            raise _Refusal(f"工作表“{self.edit.name}”第 {row.number} 行的结构无法识别：请在Excel中打开并另存后再试")

    def _holds(self, cell: _Cell) -> str | None:
        """What a cell holds: "公式", "内容" or None when empty (a style only)."""
        content = cell.content
        if re.search(rb"<" + self.n.rx + rb"f\b", content):
            return "公式"
        if re.search(rb"<" + self.n.rx + rb"is\b", content):
            return "内容"
        v = re.search(rb"<" + self.n.rx + rb"v\b[^>]*?(?:/>|>(.*?)" + re.escape(self.n.close(b"v")) + rb")", content, re.S)
        return "内容" if v and v.group(1) else None

    def _column_styles(self) -> list[tuple[int, int, int]]:
        cols = self.n.start(b"cols").search(self.xml, 0, self.data_open.start())
        if cols is None:
            return []
        out = []
        for m in self.n.start(b"col").finditer(self.xml, cols.end(), self.data_open.start()):
            a = _attrs(m.group(1))
            if b"style" in a:
                out.append((int(a.get(b"min", b"0")), int(a.get(b"max", b"0")), int(a[b"style"])))
        return out

    def _base_style(self, row: _Row | None, cell: _Cell | None, column: int) -> int:
        """The style Excel gives a cell typed into: the cell's own, else its row's, else its column's."""
        if cell is not None:
            return int(cell.attrs.get(b"s", b"0"))
        if row is not None:
            a = _attrs(self.xml[row.start:row.open_end])
            if a.get(b"customFormat", b"0") in _TRUE and b"s" in a:
                return int(a[b"s"])
        for low, high, style in self._columns:
            if low <= column <= high:
                return style
        return 0

    def _formula_style(self, row_number: int, column: int) -> int:
        """The style of the nearest formula cell above in `column` (the template's look)."""
        letter = get_column_letter(column).encode()
        i = bisect.bisect_left(self.numbers, row_number)
        for row in reversed(self.rows[max(0, i - _ABOVE):i]):
            ref = letter + str(row.number).encode()
            m = re.search(rb"<" + self.n.rx + rb"c\b[^>]*?\sr\s*=\s*[\"']" + ref + rb"[\"'][^>]*>", self.xml[row.open_end:row.end])
            if m is None:
                continue
            cell_end = self.xml.find(self.n.close(b"c"), row.open_end + m.end(), row.end)
            content = b"" if m.group(0).endswith(b"/>") else self.xml[row.open_end + m.end():cell_end]
            if re.search(rb"<" + self.n.rx + rb"f\b", content):
                return int(_attrs(m.group(0)).get(b"s", b"0"))
        return self._base_style(None, None, column)

    # --- what must not be written over -----------------------------------------------------

    def _guard_areas(self) -> None:
        """Merged areas, array formulas and tables the written cells would break."""
        tail = self.xml[self.data_end:]
        merged = [range_boundaries(m.group(1).decode()) for m in
                  re.finditer(rb"<" + self.n.rx + rb"mergeCell\b[^>]*?\sref\s*=\s*[\"']([^\"']+)[\"']", tail)]
        arrays = []
        if b"array" in self.xml or b"dataTable" in self.xml:
            for m in self.n.start(b"f").finditer(self.xml, self.data_start, self.data_end):
                a = _attrs(m.group(1))
                if a.get(b"t") in (b"array", b"dataTable") and b"ref" in a:
                    arrays.append(range_boundaries(a[b"ref"].decode()))
        tables = [(name, range_boundaries(ref)) for name, ref in self.tables]
        for (row, column) in sorted(self.edit.writes):
            for c1, r1, c2, r2 in merged:
                if c1 <= column <= c2 and r1 <= row <= r2:
                    raise _Refusal(f"{self.where(row, column)}在合并单元格 {get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2} 中："
                                   "请取消合并后再试")
            for c1, r1, c2, r2 in arrays:
                if c1 <= column <= c2 and r1 <= row <= r2:
                    raise _Refusal(f"{self.where(row, column)}属于数组公式 {get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}：请删除该数组公式后再试")
            for name, (c1, r1, c2, r2) in tables:
                if c1 <= column <= c2 and row >= r1:
                    if row == r1 or row > r2:
                        raise _Refusal(f"{self.where(row, column)}{'是' if row == r1 else '在'}表格（列表对象）“{name}”"
                                       f"{'的标题行' if row == r1 else '的下方，写入须扩大表格范围'}：本工具不改动表格，"
                                       "请在Excel中将该表格“转换为区域”后再试")

    # --- writing ------------------------------------------------------------------------------

    def apply(self) -> bytes:
        if not self.edit.edited:
            return self.xml
        self._guard_areas()
        by_row: dict[int, dict[int, _Write]] = {}
        for (row, column), w in sorted(self.edit.writes.items()):
            by_row.setdefault(row, {})[column] = w
        for row in self.edit.heights:
            by_row.setdefault(row, {})
        for row, _ in self.edit.quotes:
            if self._row(row) is not None:  # a cell not stored has nothing to quote
                by_row.setdefault(row, {})
        by_row = dict(sorted(by_row.items()))
        edits: list[tuple[int, int, bytes]] = []
        new_rows: dict[int, list[bytes]] = {}
        cleared = {r.number for r in self.rows if any(c.first_row <= r.number and (c.last_row is None or r.number <= c.last_row)
                                                      for c in self.edit.clears)}
        for number in sorted(cleared):
            row = self._row(number)
            assert row is not None
            edits += self._rebuilt_row(row, by_row.pop(number, {}))
        for number, writes in by_row.items():
            row = self._row(number)
            if row is None:
                cells = b"".join(self._cell(number, column, w, None, None) for column, w in writes.items())
                at = self.rows[bisect.bisect_left(self.numbers, number)].start if number < (self.numbers or [0])[-1] else self.data_end
                tag = self._height(b"<" + self.n.tag(b"row") + b' r="' + str(number).encode() + b'">', number)
                new_rows.setdefault(at, []).append(tag + cells + self.n.close(b"row") if cells else tag[:-1] + b"/>")
            else:
                edits += self._row_edits(row, writes)
        for at, rows in new_rows.items():
            edits.append((at, at, b"".join(rows)))
        if self.data_empty:  # <sheetData/>: give it a body
            edits = [(s, e, b) for s, e, b in edits if s != self.data_end]
            body = b"".join(b for rows in new_rows.values() for b in rows)
            edits.append((self.data_open.start(), self.data_open.end(),
                          b"<" + self.n.tag(b"sheetData") + b">" + body + self.n.close(b"sheetData")))
        edits += self._dimension()
        if self.edit.writes or self.edit.clears:  # a height or a quote prefix changes no value
            edits += self._stale_values(edits)
        return _splice(self.xml, edits)

    def _stale_values(self, edits: list[tuple[int, int, bytes]]) -> list[tuple[int, int, bytes]]:
        """Drop the cached value of every formula cell of the sheet (not of cells written):
        the values written may change them, and LibreOffice shows a cached value as it is
        even when asked to recalculate on load; a formula without one is computed on open
        by every program."""
        n = self.n
        cell = re.compile(rb"<" + n.rx + rb"c\b([^>]*)>(\s*<" + n.rx + rb"f\b[^>]*?(?:/>|>[^<]*" + re.escape(n.close(b"f")) + rb"))\s*<"
                          + n.rx + rb"v\b[^>]*?(?:/>|>([^<]*)" + re.escape(n.close(b"v")) + rb")\s*" + re.escape(n.close(b"c")))
        typed = re.compile(rb"""\st\s*=\s*(?:"[^"]*"|'[^']*')""")
        written = sorted((s, e) for s, e, _ in edits if e > s)
        starts = [s for s, _ in written]
        out = []
        for m in cell.finditer(self.xml, self.data_start, self.data_end):
            i = bisect.bisect_right(starts, m.start()) - 1
            if i >= 0 and written[i][1] > m.start():
                continue  # inside a cell or row being replaced
            if not m.group(3) and not typed.search(m.group(1)):
                continue  # nothing cached (openpyxl writes <v/>, a value of no type)
            tag = typed.sub(b"", m.group(1), count=1)
            out.append((m.start(), m.end(), b"<" + n.tag(b"c") + tag + b">" + m.group(2) + n.close(b"c")))
        return out

    def _rebuilt_row(self, row: _Row, writes: dict[int, _Write]) -> list[tuple[int, int, bytes]]:
        """A row some of whose cells a clear empties: the whole row written anew, the cells
        left alone copied as they are, the cleared ones dropped (or kept empty in their look),
        the written ones in column order; a row left with no cell is dropped."""
        cells = self._cells(row)
        clears = [c for c in self.edit.clears if c.first_row <= row.number and (c.last_row is None or row.number <= c.last_row)]
        out: dict[int, bytes] = {}
        kept: dict[int, _Cell] = {}
        for cell in cells:
            clear = next((c for c in clears if c.covers(row.number, cell.column)), None)
            if clear is None:
                out[cell.column] = self._quoted(row.number, cell) or self.xml[cell.start:cell.end]
                kept[cell.column] = cell
            elif clear.keep_style:
                empty = _Cell(cell.column, cell.start, cell.end, {k: v for k, v in cell.attrs.items() if k in (b"r", b"s")}, b"")
                style = empty.attrs.get(b"s")
                out[cell.column] = (b"<" + self.n.tag(b"c") + b' r="' + cell.attrs[b"r"] + b'"'
                                    + (b' s="' + style + b'"' if style else b"") + b"/>")
                kept[cell.column] = empty
        for column, w in writes.items():
            cell = kept.get(column)
            if cell is not None and cell.content:
                held = self._holds(cell)
                if held == "公式" or (held and not w.replace):
                    raise _Refusal(f"{self.where(row.number, column)}已有{'公式' if held == '公式' else '内容'}，不会被覆盖："
                                   "请确认该行是否为空行，清空该单元格后再试")
            out[column] = self._cell(row.number, column, w, row, cell)
        if not out and row.number not in self.edit.heights:
            return [(row.start, row.end, b"")]
        tag = self.xml[row.start:row.end] if row.closed else self.xml[row.start:row.open_end]
        if row.closed:
            tag = tag[:-2].rstrip() + b">"
        body = b"".join(out[c] for c in sorted(out))
        return [(row.start, row.end, self._height(self._spans(tag, writes, list(out)), row.number) + body + self.n.close(b"row"))]

    def _row_edits(self, row: _Row, writes: dict[int, _Write]) -> list[tuple[int, int, bytes]]:
        cells = self._cells(row)
        by_column = {c.column: c for c in cells}
        edits: list[tuple[int, int, bytes]] = []
        # where a new cell goes: before the first cell to its right, else before </row>
        # (and before the row's extLst, which follows the cells)
        tail = cells[-1].end if cells else row.open_end
        for cell in cells:
            if cell.column not in writes:
                quoted = self._quoted(row.number, cell)
                if quoted is not None:
                    edits.append((cell.start, cell.end, quoted))
        for column, w in writes.items():
            cell = by_column.get(column)
            if cell is not None:
                held = self._holds(cell)
                if held == "公式" or (held and not w.replace):
                    what = "公式" if held == "公式" else "内容"
                    raise _Refusal(f"{self.where(row.number, column)}已有{what}，不会被覆盖：请确认该行是否为空行，清空该单元格后再试")
                edits.append((cell.start, cell.end, self._cell(row.number, column, w, row, cell)))
                continue
            right = next((c for c in cells if c.column > column), None)
            at = right.start if right else tail
            edits.append((at, at, self._cell(row.number, column, w, row, None)))
        if row.closed:  # <row r="5"/> → <row r="5">…</row>
            tag = self.xml[row.start:row.end]
            if not writes:
                new = self._height(tag, row.number)
                return [(row.start, row.end, new)] if new != tag else []
            opened = tag[:-2].rstrip() + b">"
            body = b"".join(new for _, _, new in sorted(edits, key=lambda e: e[0]))
            return [(row.start, row.end, self._height(self._spans(opened, writes), row.number) + body + self.n.close(b"row"))]
        tag = self.xml[row.start:row.open_end]
        new_tag = self._height(self._spans(tag, writes, [c.column for c in cells]), row.number)
        if new_tag != tag:
            edits.append((row.start, row.open_end, new_tag))
        return edits

    def _height(self, tag: bytes, number: int) -> bytes:
        """A row's start tag with the height `SheetEdit.height` asked for, unless it is as
        tall already: ``ht`` set, ``customHeight`` dropped (`printing.FittedRow`)."""
        points = self.edit.heights.get(number)
        if points is None:
            return tag
        try:
            old = float(_attrs(tag).get(b"ht", b"0"))
        except ValueError:
            old = 0.0
        if old >= points:
            return tag
        return _set_attr(_drop_attr(tag, b"customHeight"), b"ht", _number(points))

    def _quoted(self, number: int, cell: _Cell) -> bytes | None:
        """A stored cell `SheetEdit.quote` named, in a style with the quote prefix; None when
        it was not named or has the prefix already."""
        if (number, cell.column) not in self.edit.quotes:
            return None
        style = int(cell.attrs.get(b"s", b"0"))
        new = self.styles.derive(style, quote=True)
        if new == style:
            return None
        m = self.n.start(b"c").match(self.xml, cell.start)
        assert m is not None
        tag = _set_attr(m.group(0), b"s", str(new).encode())
        return tag + self.xml[m.end():cell.end]

    def _spans(self, tag: bytes, writes: dict[int, _Write], existing: Iterable[int] = ()) -> bytes:
        """Keep a row's optional ``spans`` hint true when cells are added outside it."""
        a = _attrs(tag)
        if b"spans" not in a:
            return tag
        try:
            low, high = (int(x) for x in a[b"spans"].split(b":"))
        except ValueError:
            return tag
        columns = [*writes, *existing]
        new_low, new_high = min([low, *columns]), max([high, *columns])
        if (new_low, new_high) == (low, high):
            return tag
        return _set_attr(tag, b"spans", f"{new_low}:{new_high}".encode())

    def _cell(self, row_number: int, column: int, w: _Write, row: _Row | None, cell: _Cell | None) -> bytes:
        ref = f"{get_column_letter(column)}{row_number}".encode()
        c, n = self.n.tag(b"c"), self.n
        if w.blank:
            style = w.style or 0
            return b"<" + c + b' r="' + ref + b'"' + (b' s="' + str(style).encode() + b'"' if style else b"") + b"/>"
        if w.formula is not None:
            if w.style is not None:
                style = w.style
            else:
                style = self._formula_style(row_number, column) if cell is None else int(cell.attrs.get(b"s", b"0"))
            head = b"<" + c + b' r="' + ref + b'"' + (b' s="' + str(style).encode() + b'"' if style else b"")
            return head + b"><" + n.tag(b"f") + b">" + xstring(w.formula) + n.close(b"f") + n.close(b"c")
        value = w.value
        base = self._base_style(row, cell, column) if w.style is None else w.style
        number_format = w.number_format
        if isinstance(value, datetime | date) and not (number_format and format_kind(number_format) in ("date", "datetime")):
            number_format = "yyyy-mm-dd hh:mm" if isinstance(value, datetime) else "yyyy-mm-dd"
        text = value if isinstance(value, str) else None
        if text is None and not isinstance(value, bool | int | float | datetime | date):
            text = str(value)  # anything else is written as its text, as cells.set_value does
        if text is not None and number_format and format_kind(number_format) != "text":
            number_format = None  # a text in a date column stays text; no date format forced on it
        style = self.styles.derive(base, number_format, quote=text is not None and looks_like_formula(text), unlock=w.unlock)
        head = b"<" + c + b' r="' + ref + b'"' + (b' s="' + str(style).encode() + b'"' if style else b"")
        if text is not None:
            t = n.tag(b"t")
            space = b' xml:space="preserve"' if text != text.strip() or "\n" in text or "\t" in text else b""
            return (head + b' t="inlineStr"><' + n.tag(b"is") + b"><" + t + space + b">" + xstring(text) + n.close(b"t")
                    + n.close(b"is") + n.close(b"c"))
        if isinstance(value, bool):
            return head + b' t="b"><' + n.tag(b"v") + b">" + (b"1" if value else b"0") + n.close(b"v") + n.close(b"c")
        number = to_excel(value, self.epoch) if isinstance(value, datetime | date) else value
        return head + b"><" + n.tag(b"v") + b">" + _number(number) + n.close(b"v") + n.close(b"c")

    def _dimension(self) -> list[tuple[int, int, bytes]]:
        m = re.search(rb"<" + self.n.rx + rb"dimension\b([^>]*)>", self.xml[:self.data_open.start()])
        if m is None:
            return []
        ref = _attrs(m.group(1)).get(b"ref", b"").decode()
        try:
            c1, r1, c2, r2 = range_boundaries(ref)
        except (ValueError, TypeError):
            return []
        if None in (c1, r1, c2, r2):
            return []
        rows = [r for r, _ in self.edit.writes]
        columns = [c for _, c in self.edit.writes]
        if not rows:  # only cleared: the dimension may stay wider than the cells (Excel's own habit)
            return []
        if not self.rows:  # an empty sheet's dimension (A1, or openpyxl's A1:A1) covers nothing
            c1, r1, c2, r2 = min(columns), min(rows), max(columns), max(rows)
        else:
            c1, r1, c2, r2 = min(c1, *columns), min(r1, *rows), max(c2, *columns), max(r2, *rows)
        new = f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}" if (c1, r1) != (c2, r2) else f"{get_column_letter(c1)}{r1}"
        if new == ref:
            return []
        return [(m.start(), m.end(), _set_attr(m.group(0), b"ref", new.encode()))]


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


# --- the workbook ------------------------------------------------------------------------------


class WorkbookEdit:
    """A staff workbook opened for writing cells in place (see the module).

    The file is read once, here (or `data` is the bytes the caller read and decided on);
    `save` refuses to replace it if it changed since."""

    def __init__(self, path: Path | str, data: bytes | None = None) -> None:
        self.path = Path(path)
        self.changed: list[str] = []  # the parts the last `to_bytes` changed
        self.data = read_bytes(self.path) if data is None else data
        self.digest = hashlib.sha256(self.data).hexdigest()
        check_bytes(self.data, self.path.name, digest=self.digest)
        try:
            self.zip = ZipParts(self.data)
            self._read_directory()
        except (_Refusal, ZipLayoutError) as exc:
            raise self.refusal(str(exc)) from None
        self._sheets: dict[str, SheetEdit] = {}
        self._core: tuple[str, datetime, datetime] | None = None

    def refusal(self, why: str) -> InPlaceRefusedError:
        return InPlaceRefusedError(f"{self.path.name} 未写入：{why}。文件保持原样")

    def _xml(self, part: str) -> Any:
        try:
            return SafeET.fromstring(self.zip.read(part))
        except KeyError:
            raise _Refusal(f"缺少部件 {part}") from None
        except Exception as exc:  # ParseError, defusedxml refusals
            raise _Refusal(f"部件 {part} 无法解析（{type(exc).__name__}）") from None

    def _rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (type, target part) of `part`."""
        folder, _, name = part.rpartition("/")
        rels_part = f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
        if rels_part not in self.zip:
            return {}
        out = {}
        for r in self._xml(rels_part):
            if r.tag != f"{{{_PKG_REL_NS}}}Relationship" or r.get("TargetMode") == "External":
                continue
            target = r.get("Target", "")
            resolved = target.lstrip("/") if target.startswith("/") else _normpath(f"{folder}/{target}" if folder else target)
            out[r.get("Id", "")] = (r.get("Type", ""), resolved)
        return out

    def _read_directory(self) -> None:
        self.book_part = "xl/workbook.xml"
        if self.book_part not in self.zip:
            raise _Refusal("缺少工作簿部件 xl/workbook.xml")
        book = self._xml(self.book_part)
        if book.tag != f"{{{MAIN_NS}}}workbook":
            if book.tag == f"{{{STRICT_NS}}}workbook":
                raise _Refusal("文件是“Strict Open XML 电子表格”格式：请在Excel中“另存为”普通的“Excel 工作簿(*.xlsx)”后再试")
            raise _Refusal("工作簿部件的格式无法识别")
        rels = self._rels(self.book_part)
        self.sheet_parts: dict[str, str] = {}
        for el in book.iter(f"{{{MAIN_NS}}}sheet"):
            kind, target = rels.get(el.get(f"{{{_REL_NS}}}id", ""), ("", ""))
            if kind.endswith("/worksheet"):
                self.sheet_parts[el.get("name", "")] = target
        pr = book.find(f"{{{MAIN_NS}}}workbookPr")
        self.date1904 = pr is not None and pr.get("date1904", "0").lower() in ("1", "true")
        self.styles_part = next((target for kind, target in rels.values() if kind.endswith("/styles")), None)

    @property
    def sheet_names(self) -> list[str]:
        return list(self.sheet_parts)

    def sheet(self, name: str) -> SheetEdit:
        if name not in self.sheet_parts:
            raise self.refusal(f"找不到工作表“{name}”")
        if name not in self._sheets:
            self._sheets[name] = SheetEdit(self, name, self.sheet_parts[name])
        return self._sheets[name]

    def keep_text(self) -> int:
        """Give the quote prefix to every stored text cell that looks like a formula and lacks
        it, on every worksheet (`cells.keep_text` for a workbook edited in place: a "=1+1"
        that came in from an export would turn into a formula the first time someone edits
        the cell); returns how many. Only the sheets holding such cells are rewritten."""
        try:
            shared = self._formula_like_shared()
            styles = _Styles(self.zip.read(self.styles_part) if self.styles_part and self.styles_part in self.zip else None)
            n = 0
            for name, part in self.sheet_parts.items():
                xml = self.zip.read(part)
                if not shared and _LEADING.search(xml) is None:
                    continue  # no inline text, nor a formula's cached text, starts like a formula
                for row, column, style in _formula_like_cells(xml, shared, part):
                    if not styles.quoted(style):
                        self.sheet(name).quote(row, column)
                        n += 1
            return n
        except (_Refusal, ZipLayoutError) as exc:
            raise self.refusal(str(exc)) from None

    def _formula_like_shared(self) -> set[int]:
        """The indices of the shared strings that look like a formula."""
        rels = self._rels(self.book_part)
        part = next((target for kind, target in rels.values() if kind.endswith("/sharedStrings")), None)
        if part is None or part not in self.zip:
            return set()
        out = set()
        for i, si in enumerate(el for el in self._xml(part) if el.tag == f"{{{MAIN_NS}}}si"):
            if looks_like_formula(_string_text(si)):
                out.add(i)
        return out

    def set_core_properties(self, creator: str, created: datetime, modified: datetime) -> None:
        """The author and times of ``docProps/core.xml`` (`writer.fixed_properties` for a
        workbook edited in place); every other property stays. Refused when the file has no
        core properties part (Excel, WPS and LibreOffice always write one)."""
        self._core = (creator, created, modified)
        self.core_part()  # refuse now, not at to_bytes

    def core_part(self) -> str:
        try:
            part = next((target for kind, target in self._rels("").values() if kind.endswith("/core-properties")), None)
        except (_Refusal, ZipLayoutError) as exc:
            raise self.refusal(str(exc)) from None
        if part is None or part not in self.zip:
            raise self.refusal("文件没有文档属性部件（docProps/core.xml）")
        return part

    def to_bytes(self) -> bytes:
        """The edited workbook; raises `InPlaceRefusedError` (nothing written) if a write
        would break something."""
        try:
            styles = _Styles(self.zip.read(self.styles_part) if self.styles_part and self.styles_part in self.zip else None)
            replaced: dict[str, bytes] = {}
            for edit in self._sheets.values():
                if edit.edited:
                    tables = self._tables(edit.part)
                    replaced[edit.part] = _SheetXml(edit, self.zip.read(edit.part), styles, self.date1904, tables).apply()
            new_styles = styles.to_bytes()
            if new_styles is not None:
                replaced[self.styles_part] = new_styles
            if any(edit.writes or edit.clears for edit in self._sheets.values()):
                book = _full_calc_on_load(self.zip.read(self.book_part))
                if book is not None:
                    replaced[self.book_part] = book
            if self._core is not None:
                part = self.core_part()
                replaced[part] = _core_properties(self.zip.read(part), *self._core)
            replaced = {part: xml for part, xml in replaced.items() if xml != self.zip.read(part)}
            self.changed = sorted(replaced)
            return self.zip.rebuilt(replaced) if replaced else self.data
        except (_Refusal, ZipLayoutError) as exc:
            raise self.refusal(str(exc)) from None

    def _tables(self, part: str) -> list[tuple[str, str]]:
        out = []
        for kind, target in self._rels(part).values():
            if kind.endswith("/table") and target in self.zip:
                table = self._xml(target)
                out.append((table.get("displayName") or table.get("name") or target, table.get("ref", "A1")))
        return out

    def save(self, keep_previous: bool = True) -> Path:
        """Write the edits: the whole new file to a temporary file, then in place of the old
        one (kept in 历史版本). Refused, with nothing written, when the file changed since
        it was read (someone saved it meanwhile)."""
        data = self.to_bytes()
        if data is self.data:
            return self.path
        try:
            now = hashlib.sha256(self.path.read_bytes()).hexdigest()
        except OSError:
            now = None
        if now != self.digest:
            raise InPlaceRefusedError(f"{self.path.name} 在处理期间被修改或移走了，未写入：请关闭正在编辑它的程序后重新运行")
        return write_bytes_atomic(self.path, data, keep_previous=keep_previous)


def _full_calc_on_load(xml: bytes) -> bytes | None:
    """workbook.xml asking Excel, WPS and LibreOffice to recalculate every formula on open;
    None when it asks already."""
    n, _ = _root(xml, b"workbook", "xl/workbook.xml")
    calc = n.start(b"calcPr").search(xml)
    if calc is not None:
        if _attrs(calc.group(1)).get(b"fullCalcOnLoad", b"0") in _TRUE:
            return None
        return xml[:calc.start()] + _set_attr(calc.group(0), b"fullCalcOnLoad", b"1") + xml[calc.end():]
    # calcPr follows sheets, functionGroups, externalReferences and definedNames
    at = -1
    for local in (b"sheets", b"functionGroups", b"externalReferences", b"definedNames"):
        close = xml.rfind(n.close(local))
        if close >= 0:
            at = max(at, close + len(n.close(local)))
        empty = re.search(rb"<" + n.rx + local + rb"\b[^>]*/>", xml)
        if empty:
            at = max(at, empty.end())
    if at < 0:
        raise _Refusal("工作簿部件的结构异常（找不到工作表目录）")
    return xml[:at] + b"<" + n.tag(b"calcPr") + b' fullCalcOnLoad="1"/>' + xml[at:]


_CORE_NS = {b"dc": b"http://purl.org/dc/elements/1.1/", b"dcterms": b"http://purl.org/dc/terms/"}
_XSI = b"http://www.w3.org/2001/XMLSchema-instance"


def _core_properties(xml: bytes, creator: str, created: datetime, modified: datetime) -> bytes:
    """core.xml with dc:creator, dcterms:created and dcterms:modified set (each replaced
    where it is, else added before the root's end), written as openpyxl writes them."""
    root = re.search(rb"<(?:([A-Za-z_][\w.-]*):)?coreProperties\b([^>]*)>", xml)
    end = re.search(rb"</(?:[A-Za-z_][\w.-]*:)?coreProperties\s*>", xml)
    if root is None or end is None or root.group(2).rstrip().endswith(b"/"):
        raise _Refusal("文档属性部件 docProps/core.xml 的结构异常")
    declared = {v: k.partition(b":")[2] for k, v in _attrs(root.group(0)).items() if k.startswith(b"xmlns:")}
    root_tag, added = root.group(0), b""
    prefixes = {}
    for want, ns in (*_CORE_NS.items(), (b"xsi", _XSI)):
        prefix = declared.get(ns)
        if prefix is None:
            prefix = want if want not in declared.values() else want + b"0"
            root_tag = _set_attr(root_tag, b"xmlns:" + prefix, ns)
        prefixes[want] = prefix
    edits = [(root.start(), root.end(), root_tag)] if root_tag != root.group(0) else []
    dc, terms, xsi = prefixes[b"dc"], prefixes[b"dcterms"], prefixes[b"xsi"]
    stamp = b' ' + xsi + b':type="' + terms + b':W3CDTF"'
    for prefix, local, attrs, text in ((dc, b"creator", b"", xstring(creator)),
                                       (terms, b"created", stamp, created.strftime("%Y-%m-%dT%H:%M:%SZ").encode()),
                                       (terms, b"modified", stamp, modified.strftime("%Y-%m-%dT%H:%M:%SZ").encode())):
        element = b"<" + prefix + b":" + local + attrs + b">" + text + b"</" + prefix + b":" + local + b">"
        old = re.search(rb"<" + re.escape(prefix) + rb":" + local + rb"\b[^>]*?(?:/>|>.*?</" + re.escape(prefix) + rb":" + local + rb"\s*>)",
                        xml, re.S)
        if old is not None:
            edits.append((old.start(), old.end(), element))
        else:
            added += element
    if added:
        edits.append((end.start(), end.start(), added))
    return _splice(xml, edits)


def _string_text(si: Any) -> str:
    """The text of a shared or inline string element (its runs joined, phonetic hints left out)."""
    parts = []
    for el in si.iter():
        if el.tag == f"{{{MAIN_NS}}}rPh":
            break  # phonetic runs follow the text
        if el.tag == f"{{{MAIN_NS}}}t":
            parts.append(el.text or "")
    return _unescaped("".join(parts))


def _unescaped(text: str) -> str:
    """Text with OOXML's ``_xHHHH_`` escapes read back (`xstring` in reverse)."""
    if "_x" not in text:
        return text
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


# a <t> or <v> whose text starts with a character `looks_like_formula` names (or its escape)
_LEADING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?[tv]\b[^>]*>(?:[=+\-@\t\r]|\xef\xbc[\x9d\x8b\x8d\xa0]|_x000[9dD]_)")


def _formula_like_cells(xml: bytes, shared: set[int], part: str) -> list[tuple[int, int, int]]:
    """(row, column, style) of every text cell of a sheet part whose text looks like a
    formula: a shared string in `shared`, an inline string, a string without its formula."""
    n, root_tag = _root(xml, b"worksheet", part)
    namespaces = b" ".join(m.group(0).strip() for m in _XMLNS.finditer(root_tag))
    cell = re.compile(rb"<" + n.rx + rb"c\b([^>]*?)(?:/>|>(.*?)" + re.escape(n.close(b"c")) + rb")", re.S)
    out = []
    for m in cell.finditer(xml):
        attrs = _attrs(m.group(1))
        kind, content = attrs.get(b"t"), m.group(2) or b""
        if kind == b"s":
            v = re.search(rb">\s*(\d+)\s*<", content)
            if v is None or int(v.group(1)) not in shared:
                continue
        elif kind == b"inlineStr":
            inline = re.search(rb"<" + n.rx + rb"is\b.*?" + re.escape(n.close(b"is")), content, re.S)
            if inline is None:
                continue
            try:
                element = SafeET.fromstring(b"<w " + namespaces + b">" + inline.group(0) + b"</w>")
            except Exception:  # ParseError, defusedxml refusals: not ours to judge here
                continue
            if not looks_like_formula(_string_text(element[0])):
                continue
        elif kind == b"str":
            if re.search(rb"<" + n.rx + rb"f\b", content):
                continue
            v = re.search(rb"<" + n.rx + rb"v\b[^>]*>([^<]*)<", content)
            if v is None or not looks_like_formula(_unescaped(_xml_text(v.group(1)))):
                continue
        else:
            continue
        ref = re.fullmatch(rb"([A-Z]{1,3})(\d+)", attrs.get(b"r", b""))
        if ref is None:
            continue  # a cell without its address: the sheet is refused if it is written
        out.append((int(ref.group(2)), _column_number(ref.group(1)), int(attrs.get(b"s", b"0"))))
    return out


def _normpath(part: str) -> str:
    out: list[str] = []
    for piece in part.split("/"):
        if piece == "..":
            if out:
                out.pop()
        elif piece not in ("", "."):
            out.append(piece)
    return "/".join(out)


__all__ = ["InPlaceRefusedError", "SheetEdit", "WorkbookEdit", "format_kind", "xstring"]
