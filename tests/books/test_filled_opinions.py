"""books/closing.py: the close's 意见统计表, filled in place (`filled_opinions_bytes`).

The staff's 意见统计表 gets the month's opinions appended by `inplace.WorkbookEdit` instead of
an openpyxl load and re-save. Proven here, on a 意见统计表 staff worked on (two records typed,
one of them with a formula-like text and no quote prefix, a comment, a pasted picture):

- every cell the file stores, and every row height, is what the openpyxl path
  (`filled_opinions`, kept as the fallback) gives: values, types, number formats, fonts,
  alignment, unlocked entry cells, quote prefixes, 序号 numbered on, heights of wrapped text;
- the picture and the comment are there byte for byte (openpyxl without Pillow drops every
  picture);
- formula-like text, typed by staff before or appended now, is text with the quote prefix;
- docProps/core.xml says xinao-xl and the day of the close; the same inputs give the same bytes;
- where the file cannot be edited in place (a table in the way), the openpyxl path makes it;
- LibreOffice opens the file with the appended rows there.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.worksheet.table import Table
from python_calamine import CalamineWorkbook

from tests.corpus.hostile import rezip
from tests.support import libreoffice
from tests.support.snapshot import snapshot, snapshot_diff, stored_cells
from xinao_xl.books import opinions
from xinao_xl.books.closing import _opinions_in_place, filled_opinions, filled_opinions_bytes
from xinao_xl.books.inplace import InPlaceRefusedError, WorkbookEdit
from xinao_xl.books.printing import row_height, text_lines
from xinao_xl.books.read import BookReader
from xinao_xl.books.save import workbook_bytes
from xinao_xl.books.zipparts import ZipParts

SPEC = opinions.opinions_sheet()
NOW = datetime(2026, 12, 3, 9, 30)
STAFF_FORMULA_LIKE = "=1+1 是客户原话"  # typed by staff before the close, stored without the quote prefix
HOSTILE = {"opinion": '=HYPERLINK("http://x","点我")', "suggestion": "+1", "reason": "-1", "note": "@x"}
LONG = "燃气表走字太快，" * 12  # 96 characters: many lines in the 24-wide 客户意见


def call(n: int, **extra: Any) -> dict[str, Any]:
    """A row as `MonthBooks.opinion_rows` gives it."""
    return {"visit_date": date(2026, 11, 10 + n % 10), "staff": "李师傅", "customer": f"客户{n}", "phone": f"1380000{n:04d}",
            "address": f"柳园路{n}号", "call_date": datetime(2026, 11, 12 + n % 10, 9, 15), "opinion": f"意见{n}",
            "suggestion": None, "reason": None, "dept": "客服部", "note": f"据回访台账第{n + 2}行", **extra}


ROWS = [call(1), call(2, opinion=LONG), call(3, **HOSTILE), call(4, address="东昌府区" * 8, reason="多次上门未解决")]


# --- a 意见统计表 staff worked on --------------------------------------------------------------


def _png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes((200, 30 + 9 * y, 40)) for y in range(8))  # 1 × 8 pixels, a red gradient
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 8, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


_DRAWING = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
            b'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
            b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            b'<xdr:oneCellAnchor><xdr:from><xdr:col>13</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>3</xdr:row><xdr:rowOff>0</xdr:rowOff>'
            b'</xdr:from><xdr:ext cx="952500" cy="635000"/><xdr:pic><xdr:nvPicPr><xdr:cNvPr id="2" name="Picture 1"/><xdr:cNvPicPr/>'
            b'</xdr:nvPicPr><xdr:blipFill><a:blip r:embed="rIdImg"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill>'
            b'<xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="952500" cy="635000"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/>'
            b'</a:prstGeom></xdr:spPr></xdr:pic><xdr:clientData/></xdr:oneCellAnchor></xdr:wsDr>')


def with_picture(data: bytes, sheet_part: str) -> bytes:
    """The workbook with a picture pasted on `sheet_part` (the parts Excel writes for one)."""
    rels_part = sheet_part.replace("worksheets/", "worksheets/_rels/") + ".rels"

    def drawing(body: bytes) -> bytes:
        at = body.find(b"<legacyDrawing")
        return body[:at] + b'<drawing xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rIdPic"/>' + body[at:]

    return rezip(data, {
        sheet_part: drawing,
        rels_part: lambda body: body.replace(b"</Relationships>", b'<Relationship Id="rIdPic" Type="http://schemas.openxmlformats.org/'
                                             b'officeDocument/2006/relationships/drawing" Target="/xl/drawings/drawing1.xml"/></Relationships>'),
        "[Content_Types].xml": lambda body: body.replace(b"</Types>", b'<Default Extension="png" ContentType="image/png"/><Override '
                                                         b'PartName="/xl/drawings/drawing1.xml" ContentType="application/'
                                                         b'vnd.openxmlformats-officedocument.drawing+xml"/></Types>'),
    }, {
        "xl/drawings/drawing1.xml": _DRAWING,
        "xl/drawings/_rels/drawing1.xml.rels": (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            b'2006/relationships"><Relationship Id="rIdImg" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships/image" Target="../media/image1.png"/></Relationships>'),
        "xl/media/image1.png": _png(),
    })


def staff_book(path: Path, *, table: bool = False, picture: bool = True) -> BookReader:
    """The month's 意见统计表 as the tool makes it, then two records typed by staff (one
    formula-like text without the quote prefix, as an export pastes it), a comment; a
    picture pasted (a table over the records: `table`)."""
    wb = opinions.build_opinions("2026-11")
    ws = wb[SPEC.name]
    for n, (customer, opinion) in enumerate((("张三", "表具漏气"), ("李四", STAFF_FORMULA_LIKE)), start=1):
        r = SPEC.first_row + n - 1
        for key, value in (("seq", n), ("customer", customer), ("call_date", datetime(2026, 11, n, 10)), ("opinion", opinion)):
            cell = ws.cell(row=r, column=SPEC.index(key), value=value)
            cell.data_type = "s" if isinstance(value, str) else cell.data_type
    ws.cell(row=SPEC.first_row, column=SPEC.index("note")).comment = Comment("已电话回复客户", "王班长")
    if table:
        last = SPEC.index("note")
        ws.add_table(Table(displayName="意见", ref=f"A{SPEC.header_row}:{chr(64 + last)}{SPEC.first_row + 1}"))
    data = workbook_bytes(wb)
    if picture:
        data = with_picture(data, "xl/worksheets/sheet1.xml")
    path.write_bytes(data)
    return BookReader(path)


@pytest.fixture()
def staff(tmp_path: Path) -> BookReader:
    return staff_book(tmp_path / "2026-11_客户回访意见统计表.xlsx")


def filled(reader: BookReader, rows: list[dict[str, Any]] = ROWS) -> bytes:
    return filled_opinions_bytes(reader, reader.table(SPEC), rows, NOW)


def old_path(reader: BookReader, rows: list[dict[str, Any]] = ROWS) -> bytes:
    return workbook_bytes(filled_opinions(reader, reader.table(SPEC), rows, NOW))


def _sheet(data: bytes) -> Any:
    return load_workbook(io.BytesIO(data))[SPEC.name]


# --- the same workbook as the openpyxl path ------------------------------------------------------


def test_every_cell_and_row_height_is_what_the_openpyxl_path_gives(tmp_path: Path) -> None:
    reader = staff_book(tmp_path / "意见.xlsx", picture=False)
    new, old = filled(reader), old_path(reader)
    assert new == _opinions_in_place(reader, reader.table(SPEC), ROWS, NOW)  # made in place, not by the fallback
    assert stored_cells(new) == stored_cells(old)
    assert snapshot_diff(snapshot(io.BytesIO(old)), snapshot(io.BytesIO(new))) == []


def test_appended_rows_values_formats_unlocked_and_numbered_on(staff: BookReader) -> None:
    ws = _sheet(filled(staff))
    first = SPEC.first_row + 2  # staff typed rows 3 and 4
    for n, rec in enumerate(ROWS):
        r = first + n
        seq = ws.cell(row=r, column=SPEC.index("seq"))
        assert seq.value == 3 + n  # staff's last 序号 is 2: 2 + 1, 2 + 2, …
        for key, value in rec.items():
            cell = ws.cell(row=r, column=SPEC.index(key))
            if value is None:
                assert cell.value is None
                continue
            read = cell.value.date() if type(value) is date else cell.value  # openpyxl reads a date cell as a datetime
            assert read == value, (key, r)
            assert cell.protection.locked is False
            if isinstance(value, str):
                assert cell.data_type == "s"
            else:
                assert cell.number_format == SPEC.column(key).fmt
    assert ws.cell(row=first + len(ROWS), column=1).value is None  # nothing written past the last


def test_wrapped_text_gets_its_row_height_without_custom_height(staff: BookReader) -> None:
    data = filled(staff)
    ws = _sheet(data)
    first = SPEC.first_row + 2
    # row 2 of ROWS: 96 wide characters in 客户意见 (width 24) → text_lines lines, 15 pt a line + 3
    lines = text_lines(LONG, SPEC.column("opinion").width)
    # 96 wide characters × 13.4 px = 1286.4 px in a 24-unit column of 24 × 7 − 6 = 162 px: 7.94 → 8 lines
    assert lines == 8
    assert ws.row_dimensions[first + 1].height == row_height(lines) == 8 * 14.5 + 3 == 119
    xml = ZipParts(data).read("xl/worksheets/sheet1.xml")
    for n, rec in enumerate(ROWS):
        wrapped = [text_lines(v, SPEC.column(k).width) for k, v in rec.items() if SPEC.column(k).wrap and isinstance(v, str)]
        tag = re.search(rb'<row r="' + str(first + n).encode() + rb'"[^>]*>', xml).group(0)
        height = re.search(rb'ht="([\d.]+)"', tag)
        assert (float(height.group(1)) if height else None) == (row_height(max(wrapped)) if max(wrapped) > 1 else None), n
        assert b"customHeight" not in tag  # Excel refits it when the text changes (printing.FittedRow)


# --- what staff added stays ---------------------------------------------------------------------


def test_a_picture_and_a_comment_survive_byte_for_byte(staff: BookReader) -> None:
    before, after = ZipParts(staff.data), ZipParts(filled(staff))
    kept = [name for name in before.names if name.startswith(("xl/media/", "xl/drawings/", "xl/comments"))]
    assert {"xl/media/image1.png", "xl/drawings/drawing1.xml", "xl/comments/comment1.xml"} <= set(kept)
    for name in kept:
        assert after.read(name) == before.read(name)
    assert b'r:id="rIdPic"' in after.read("xl/worksheets/sheet1.xml")
    assert set(after.names) == set(before.names)
    # the openpyxl path (no Pillow here) loses the picture: why the close edits in place
    assert "xl/media/image1.png" not in ZipParts(old_path(staff)).names
    assert load_workbook(io.BytesIO(filled(staff)))[SPEC.name].cell(row=SPEC.first_row, column=SPEC.index("note")).comment.text == "已电话回复客户"


# --- text stays text ----------------------------------------------------------------------------


def test_formula_like_staff_text_comes_out_quoted(staff: BookReader) -> None:
    before = _sheet(staff.data).cell(row=SPEC.first_row + 1, column=SPEC.index("opinion"))
    assert (before.value, before.data_type, before.quotePrefix) == (STAFF_FORMULA_LIKE, "s", False)
    after = _sheet(filled(staff)).cell(row=SPEC.first_row + 1, column=SPEC.index("opinion"))
    assert (after.value, after.data_type, after.quotePrefix) == (STAFF_FORMULA_LIKE, "s", True)
    plain = _sheet(filled(staff)).cell(row=SPEC.first_row, column=SPEC.index("opinion"))
    assert plain.quotePrefix is False  # "表具漏气" needs none


def test_formula_like_text_in_shared_strings_is_quoted_too(tmp_path: Path) -> None:
    """A file Excel saved holds its text as shared strings (the tool's own, inline)."""
    reader = staff_book(tmp_path / "a.xlsx", picture=False)
    book = WorkbookEdit(reader.path, reader.data)
    xml = book.zip.read("xl/worksheets/sheet1.xml")
    inline = rb'<c r="H4"([^>]*) t="inlineStr"><is><t>[^<]*</t></is></c>'
    assert re.search(inline, xml)
    xml = re.sub(inline, rb'<c r="H4"\1 t="s"><v>0</v></c>', xml)
    shared = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><r><t>'
              + STAFF_FORMULA_LIKE[:2] + "</t></r><r><t>" + STAFF_FORMULA_LIKE[2:] + "</t></r><rPh sb=\"0\" eb=\"1\"><t>ア</t></rPh></si></sst>")
    data = _with_shared_strings(book.zip.rebuilt({"xl/worksheets/sheet1.xml": xml}), shared.encode())
    path = tmp_path / "shared.xlsx"
    path.write_bytes(data)
    reader = BookReader(path)
    assert _sheet(data)["H4"].quotePrefix is False
    out = _sheet(filled(reader))["H4"]
    assert (out.value, out.quotePrefix) == (STAFF_FORMULA_LIKE, True)


def _with_shared_strings(data: bytes, sst: bytes) -> bytes:
    return rezip(data, {
        "xl/_rels/workbook.xml.rels": lambda body: body.replace(
            b"</Relationships>", b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                                 b'sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
        "[Content_Types].xml": lambda body: body.replace(
            b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                         b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'),
    }, {"xl/sharedStrings.xml": sst})


def test_hostile_appended_text_is_text_with_the_quote_prefix(staff: BookReader) -> None:
    ws = _sheet(filled(staff))
    r = SPEC.first_row + 2 + 2  # the third appended row carries HOSTILE
    for key, text in HOSTILE.items():
        cell = ws.cell(row=r, column=SPEC.index(key))
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True), key
    values = CalamineWorkbook.from_filelike(io.BytesIO(filled(staff))).get_sheet_by_name(SPEC.name).to_python()
    assert values[r - 1][SPEC.index("opinion") - 1] == HOSTILE["opinion"]  # a reader sees the text, not a link


# --- properties, reproducible -------------------------------------------------------------------


def test_core_properties_say_the_tool_and_the_day_and_the_bytes_repeat(staff: BookReader) -> None:
    data = filled(staff)
    assert data == filled(staff)  # the same inputs on the same day: the same file
    assert data == filled_opinions_bytes(staff, staff.table(SPEC), ROWS, datetime(2026, 12, 3, 17, 5))  # later that day
    props = load_workbook(io.BytesIO(data)).properties
    assert (props.creator, props.created, props.modified) == ("xinao-xl", datetime(2026, 12, 3), datetime(2026, 12, 3))
    old = load_workbook(io.BytesIO(old_path(staff))).properties
    assert (old.creator, old.created) == (props.creator, props.created)
    core = ZipParts(data).read("docProps/core.xml")
    assert core.count(b"<dc:creator>") == 1 and b"2026-12-03T00:00:00Z</dcterms:modified>" in core


# --- the fallback -------------------------------------------------------------------------------


def test_a_file_that_cannot_be_edited_in_place_is_filled_through_openpyxl(tmp_path: Path) -> None:
    reader = staff_book(tmp_path / "table.xlsx", table=True, picture=False)
    with pytest.raises(InPlaceRefusedError, match="表格"):  # the rows go below the staff's table, which would have to grow
        book = WorkbookEdit(reader.path, reader.data)
        book.sheet(SPEC.name).set(SPEC.first_row + 2, 1, 3)
        book.to_bytes()
    data = filled(reader)
    assert stored_cells(data) == stored_cells(old_path(reader))
    ws = _sheet(data)
    assert [ws.cell(row=SPEC.first_row + 2 + n, column=1).value for n in range(len(ROWS))] == [3, 4, 5, 6]
    assert ws.cell(row=SPEC.first_row + 4, column=SPEC.index("opinion")).quotePrefix is True


# --- LibreOffice opens it -----------------------------------------------------------------------


@pytest.mark.libreoffice
def test_libreoffice_opens_the_file_with_the_appended_rows(staff: BookReader, tmp_path: Path, require_libreoffice: str) -> None:
    src = tmp_path / "in" / "意见.xlsx"
    src.parent.mkdir()
    src.write_bytes(filled(staff))
    out = libreoffice.recalculate(src, tmp_path / "out")
    ws = load_workbook(out)[SPEC.name]
    first = SPEC.first_row + 2
    assert [ws.cell(row=first + n, column=SPEC.index("customer")).value for n in range(len(ROWS))] == [r["customer"] for r in ROWS]
    assert ws.cell(row=first + 2, column=SPEC.index("opinion")).value == HOSTILE["opinion"]
    assert ws.cell(row=first + 2, column=SPEC.index("opinion")).data_type == "s"
    assert ws.cell(row=first, column=SPEC.index("call_date")).value == ROWS[0]["call_date"]
    assert ws.row_dimensions[first + 1].height == pytest.approx(row_height(text_lines(LONG, SPEC.column("opinion").width)), abs=0.5)
    assert ws.cell(row=SPEC.first_row + 1, column=SPEC.index("opinion")).value == STAFF_FORMULA_LIKE
