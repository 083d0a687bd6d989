"""What staff add to a workbook, made in code: through LibreOffice (UNO) and as Excel writes it.

`libreoffice_additions` opens a workbook in LibreOffice headless through its Python UNO
bridge (the system ``python3`` with ``import uno``, not our venv) and, as a clerk would,
pastes a picture on the 台账, puts a formatted comment (bold red start) on a cell of a row
that sampling will fill and a plain one elsewhere, draws a chart on 统计, adds a sheet 备忘
with a list and a formula, a defined name, and a cross-sheet dropdown on 完工量; then saves
as .xlsx (LibreOffice's own writer: shared strings, its styles, drawings, VML comments).

LibreOffice 7.4 writes that cross-sheet dropdown as a plain ``<dataValidation type="list">``
with ``<formula1>备忘!$A$1:$A$3</formula1>`` in the sheet's ``<dataValidations>``, not in
the Excel 2010 extension list. Excel writes a list that refers to another sheet as
``<x14:dataValidation>`` in the sheet's ``<extLst>``; `excel_additions` adds such validations
(and custom views, which LibreOffice does not write) to the XML of the saved file, as a
workbook saved by Excel would hold them.

    libreoffice_additions(src, dst)           # dst: .xlsx saved by LibreOffice
    excel_additions(dst, sheet_part="xl/worksheets/sheet1.xml", other_part="xl/worksheets/sheet2.xml")
"""

from __future__ import annotations

import re
from pathlib import Path

from xinao_xl.books.zipparts import ZipParts

from .uno_run import UnoError, run_uno_script

X14_URI = "{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}"
X14_NS = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM_NS = "http://schemas.microsoft.com/office/excel/2006/main"
VIEW_GUID = "{6A1F3A0E-2B7C-4C55-9D0E-0B5A1D2C3E4F}"

COMMENT_TEXT = "注意：客户要求上午回访"
COMMENT_BOLD = 3  # characters in bold red at its start

_RUNNER = r'''
import os, struct, sys, zlib, uno
from com.sun.star.awt import Point, Rectangle, Size
from com.sun.star.sheet.ValidationType import LIST
from com.sun.star.table import CellAddress
from lo_session import load, prop, session

src, dst, comment_cell, comment_text, bold = sys.argv[1:]
png = os.path.abspath("照片.png")  # the runner's throw-away working folder


def make_png(path, w=24, h=16):
    """A small RGB picture (a gradient), made here: no image library needed."""
    raw = b"".join(b"\x00" + b"".join(bytes((200, (30 + 9 * x) % 256, 40 + 5 * y)) for x in range(w)) for y in range(h))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


make_png(png)
with session() as (ctx, desktop):
    smgr = ctx.ServiceManager
    doc = load(desktop, src)
    sheets = doc.Sheets
    ledger = sheets.getByName("台账")
    index = ledger.RangeAddress.Sheet
    # a pasted picture, anchored to a cell
    provider = smgr.createInstanceWithContext("com.sun.star.graphic.GraphicProvider", ctx)
    shape = doc.createInstance("com.sun.star.drawing.GraphicObjectShape")
    shape.Graphic = provider.queryGraphic((prop("URL", uno.systemPathToFileUrl(png)),))
    ledger.DrawPage.add(shape)
    shape.Size = Size(3000, 2000)
    shape.Position = Point(20000, 1000)
    shape.Anchor = ledger.getCellByPosition(12, 4)
    shape.Name = "现场照片"
    # comments: one formatted (bold red start, larger), on an empty cell of a row sampling fills
    col, row = (int(x) for x in comment_cell.split(","))
    ledger.Annotations.insertNew(CellAddress(index, col, row), comment_text)
    cursor = ledger.getCellByPosition(col, row).Annotation.AnnotationShape.createTextCursor()
    cursor.gotoStart(False)
    cursor.goRight(int(bold), True)
    for suffix in ("", "Asian"):  # Chinese characters take the Asian font properties
        setattr(cursor, "CharWeight" + suffix, 150.0)
        setattr(cursor, "CharHeight" + suffix, 12.0)
    cursor.CharColor = 0xC00000
    ledger.Annotations.insertNew(CellAddress(index, 0, 3), "第一条回访")
    # a chart of the callbacks per type
    stats = sheets.getByName("统计")
    source = stats.getCellRangeByName("A2:C9").RangeAddress
    stats.Charts.addNewByName("回访量图", Rectangle(1000, 12000, 12000, 7000), (source,), True, True)
    # a sheet of their own, a defined name, a dropdown from that sheet on 完工量
    sheets.insertNewByName("备忘", sheets.Count)
    memo = sheets.getByName("备忘")
    for i, word in enumerate(["甲组", "乙组", "丙组"]):
        memo.getCellByPosition(0, i).String = word
    memo.getCellByPosition(1, 0).Formula = "=COUNTA(A1:A3)"
    doc.NamedRanges.addNewByName("员工分组", "$备忘.$A$1:$A$3", CellAddress(0, 0, 0), 0)
    cells = sheets.getByName("完工量").getCellRangeByName("C3:C9")
    validation = cells.Validation
    validation.Type = LIST
    validation.setFormula1("$备忘.$A$1:$A$3")
    validation.ShowErrorMessage = True
    cells.Validation = validation
    doc.storeToURL(uno.systemPathToFileUrl(dst), (prop("FilterName", "Calc MS Excel 2007 XML"),))
    doc.close(True)
'''


def libreoffice_additions(src: Path, dst: Path, comment_cell: tuple[int, int], timeout: float = 240) -> Path:
    """Open `src` in LibreOffice, add what staff add (module doc), save as `dst` (.xlsx).

    `comment_cell` is (column, row), 0-based, of the formatted comment."""
    run_uno_script(_RUNNER, str(Path(src).resolve()), str(Path(dst).resolve()), f"{comment_cell[0]},{comment_cell[1]}",
                   COMMENT_TEXT, str(COMMENT_BOLD), timeout=timeout)
    if not Path(dst).is_file():
        raise UnoError(f"LibreOffice did not save the workbook {dst}")
    return Path(dst)


def x14_list_validation(sqref: str, source: str) -> bytes:
    """An Excel 2010 list validation whose source is on another sheet, as Excel writes it."""
    return (f'<x14:dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1" '
            f'xr:uid="{{0A1B2C3D-0000-4000-8000-000000000001}}"><x14:formula1><xm:f>{source}</xm:f></x14:formula1>'
            f"<xm:sqref>{sqref}</xm:sqref></x14:dataValidation>").encode()


def _ext_list(validation: bytes) -> bytes:
    return (f'<extLst><ext uri="{X14_URI}" xmlns:x14="{X14_NS}"><x14:dataValidations count="1" xmlns:xm="{XM_NS}" '
            'xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision">').encode() + validation + b"</x14:dataValidations></ext></extLst>"


def _custom_sheet_view() -> bytes:
    return (f'<customSheetViews><customSheetView guid="{VIEW_GUID}" scale="85" showGridLines="0" fitToPage="1">'
            '<pane xSplit="2" ySplit="2" topLeftCell="C3" activePane="bottomRight" state="frozen"/>'
            '<selection pane="bottomRight" activeCell="K3" sqref="K3"/><pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" '
            'header="0.3" footer="0.3"/><pageSetup paperSize="9" orientation="landscape"/></customSheetView></customSheetViews>').encode()


def _insert_before(xml: bytes, names: tuple[bytes, ...], element: bytes) -> bytes:
    """`element` inserted before the first of `names` present (elements that follow it in
    the schema), else before the root's end tag."""
    for name in names:
        m = re.search(rb"<" + name + rb"[\s>/]", xml)
        if m:
            return xml[:m.start()] + element + xml[m.start():]
    end = xml.rindex(b"</")
    return xml[:end] + element + xml[end:]


# CT_Worksheet: what follows customSheetViews, and what follows extLst (nothing)
_AFTER_CUSTOM_VIEWS = (b"mergeCells", b"phoneticPr", b"conditionalFormatting", b"dataValidations", b"hyperlinks", b"printOptions",
                       b"pageMargins", b"pageSetup", b"headerFooter", b"rowBreaks", b"colBreaks", b"customProperties",
                       b"cellWatches", b"ignoredErrors", b"smartTags", b"drawing", b"legacyDrawing", b"legacyDrawingHF",
                       b"picture", b"oleObjects", b"controls", b"webPublishItems", b"tableParts", b"extLst")
_AFTER_BOOK_VIEWS = (b"pivotCaches", b"smartTagPr", b"smartTagTypes", b"webPublishing", b"fileRecoveryPr", b"webPublishObjects", b"extLst")


def excel_additions(path: Path, sheet_part: str, other_part: str, sqref: str = "W3:W200", source: str = "备忘!$A$1:$A$3") -> dict[str, bytes]:
    """Give the workbook at `path` what Excel writes and LibreOffice does not: an x14 list
    validation from another sheet on `sheet_part` (with a custom view) and on `other_part`,
    and a custom workbook view. Rewrites `path`; returns the added XML by what it is."""
    package = ZipParts(Path(path).read_bytes())
    added = {"x14": x14_list_validation(sqref, source), "x14_other": x14_list_validation("D3:D9", source),
             "sheet_view": _custom_sheet_view()}
    sheet = package.read(sheet_part)
    if b"<extLst" in sheet:
        raise AssertionError("the sheet has an extLst already; extend this helper")
    sheet = _insert_before(sheet, _AFTER_CUSTOM_VIEWS, added["sheet_view"])
    sheet = _insert_before(sheet, (), _ext_list(added["x14"]))
    other = package.read(other_part)
    other = _insert_before(other, (), _ext_list(added["x14_other"]))
    book = package.read("xl/workbook.xml")
    views = (f'<customWorkbookViews><customWorkbookView name="回访视图" guid="{VIEW_GUID}" windowWidth="1200" windowHeight="800" '
             'activeSheetId="1"/></customWorkbookViews>').encode()
    book = _insert_before(book, _AFTER_BOOK_VIEWS, views)
    added["book_view"] = views
    Path(path).write_bytes(package.rebuilt({sheet_part: sheet, other_part: other, "xl/workbook.xml": book}))
    return added
