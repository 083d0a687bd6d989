"""books/inplace.py, zipparts.py, append.py: cells written into a workbook in place.

What is proven here, on workbooks our code writes (the LibreOffice-saved 台账 with pictures,
charts, comments and x14 validations is in tests/services/test_sampling_in_place.py):

- parts the write does not need are copied as their compressed bytes (and header fields);
- text is text (never a formula; formula-like text gets Excel's quote prefix), dates are
  serials of the workbook's date system in a date format, special characters survive;
- records go into existing rows in column order, new rows in row order, rows past the
  template get its formulas (and the look of the formula cells above); ``<dimension>``,
  ``spans`` and the cached values of formulas follow;
- a style the file lacks is added as a copy of the cell's own with one change, and only then;
- each refusal leaves the file byte for byte as it was, with a Chinese message.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, Protection
from openpyxl.worksheet.table import Table
from python_calamine import CalamineWorkbook

from tests.support import libreoffice
from xinao_xl.books import callback_ledger
from xinao_xl.books.append import append_records
from xinao_xl.books.inplace import InPlaceRefusedError, WorkbookEdit, format_kind, xstring
from xinao_xl.books.read import BookReader, sheet_parts
from xinao_xl.books.save import (
    HISTORY_DIR,
    WriteRefusedError,
    history_versions,
    sha256,
    temp_leftovers,
)
from xinao_xl.books.zipparts import ZipParts

SPEC = callback_ledger.ledger_sheet()
LEDGER_PART = "xl/worksheets/sheet1.xml"
DAY = date(2026, 11, 20)


def record(n: int, **extra: object) -> dict[str, object]:
    return {"call_date": DAY, "business": "维修", "order": f"WG{n:05d}", "done_date": date(2026, 11, 19), "customer": f"客户{n}",
            "phone": f"1380000{n:04d}", "address": f"柳园路{n}号", "staff": "李师傅", "dept": "客服部", "agent": "孙雪燕", **extra}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("template") / "ledger.xlsx"
    callback_ledger.build_callback_ledger("2026-11").save(path)
    return path.read_bytes()


@pytest.fixture()
def ledger(template: bytes, tmp_path: Path) -> Path:
    path = tmp_path / "2026-11_客户回访信息台账.xlsx"
    path.write_bytes(template)
    return path


def _part(path: Path, part: str) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(part)


def _raw(package: ZipParts, name: str) -> bytes:
    m = next(m for m in package.members if m.name == name)
    return package.data[m.data_start:m.data_start + m.compressed]


# --- the zip ---------------------------------------------------------------------------------------


def test_untouched_parts_are_copied_as_their_compressed_bytes(ledger: Path) -> None:
    before = ZipParts(ledger.read_bytes())
    rows = append_records(ledger, SPEC, SPEC.first_row, [record(1), record(2)], form_cells={"抽样": {(3, 2): 20}})
    assert rows == [3, 4]
    after = ZipParts(ledger.read_bytes())
    assert after.names == before.names  # same parts, same order
    sample_part = sheet_parts(ledger)["抽样"]
    # the template holds fullCalcOnLoad already and its column styles fit every value: only the two sheets change
    changed = [n for n in before.names if before.read(n) != after.read(n)]
    assert changed == [LEDGER_PART, sample_part]
    for name in before.names:
        if name in changed:
            continue
        assert _raw(after, name) == _raw(before, name), name
        old, new = (next(m for m in p.members if m.name == name) for p in (before, after))
        assert (new.crc, new.size, new.method, new.local[4:6]) == (old.crc, old.size, old.method, old.local[4:6]), name
    with zipfile.ZipFile(ledger) as z:
        assert z.testzip() is None
    assert len(history_versions(ledger)) == 1


def test_a_zip_with_data_descriptors_and_a_comment(tmp_path: Path) -> None:
    """zipfile writes sizes after the data when the target cannot seek; such members are
    copied with their sizes moved into the header, the archive comment kept."""

    class Unseekable(io.RawIOBase):
        def __init__(self) -> None:
            self.buffer = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, b: bytes) -> int:  # type: ignore[override]
            self.buffer += b
            return len(b)

    stream = Unseekable()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as z:
        z.comment = "备注".encode()
        z.writestr("a.xml", b"<a>" + b"x" * 5000 + b"</a>")
        z.writestr("b.bin", bytes(range(256)) * 10)
    package = ZipParts(bytes(stream.buffer))
    assert all(m.flags & 0x08 for m in package.members)  # sizes after the data
    data = package.rebuilt({"a.xml": b"<a>new</a>"})
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        assert z.read("a.xml") == b"<a>new</a>" and z.read("b.bin") == bytes(range(256)) * 10
        assert z.comment == "备注".encode()
    assert _raw(ZipParts(data), "b.bin") == _raw(package, "b.bin")


# --- values ---------------------------------------------------------------------------------------

TEXTS = {"customer": "=1+1", "address": "-", "staff": "@李", "agent": "＝全角", "phone": "+8613800000001"}


def test_text_is_written_as_text_with_the_quote_prefix_where_it_looks_like_a_formula(ledger: Path) -> None:
    append_records(ledger, SPEC, SPEC.first_row, [record(1, **TEXTS), record(2)])
    xml = _part(ledger, LEDGER_PART)
    assert b"<f>1+1" not in xml and b"<f>" + "＝".encode() not in xml
    ws = load_workbook(ledger)[SPEC.name]
    for key, text in TEXTS.items():
        cell = ws.cell(row=3, column=SPEC.index(key))
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True), key
        assert cell.protection.locked is False  # staff can correct it on the protected sheet
    plain = ws.cell(row=4, column=SPEC.index("customer"))
    assert (plain.value, plain.quotePrefix) == ("客户2", False)
    read = BookReader(ledger).table(SPEC).records()
    assert {k: read[0][k] for k in TEXTS} == TEXTS


@pytest.mark.parametrize("text", ["回车\r换行", "a_x0041_b", " 前后空格 ", "两行\n地址", "控制\x01字符", "<&>\"'"])
def test_special_characters_read_back_unchanged(ledger: Path, text: str) -> None:
    append_records(ledger, SPEC, SPEC.first_row, [record(1, address=text)])
    sheet = CalamineWorkbook.from_path(str(ledger)).get_sheet_by_name(SPEC.name).to_python()
    assert sheet[2][SPEC.index("address") - 1] == text


def test_xstring_escapes() -> None:
    assert xstring("a\rb") == b"a_x000D_b"
    assert xstring("_x0041_") == b"_x005F_x0041_"  # read back as the literal _x0041_
    assert xstring("<&>") == b"&lt;&amp;&gt;"


def test_dates_are_serials_of_the_workbook_date_system(ledger: Path, tmp_path: Path) -> None:
    append_records(ledger, SPEC, SPEC.first_row, [record(1)])
    xml = _part(ledger, LEDGER_PART)
    # 2026-11-20 is 46,346 days after 1899-12-30 (Excel's day 0 in the 1900 system)
    assert (date(2026, 11, 20) - date(1899, 12, 30)).days == 46346
    assert re.search(rb'<c r="A3" s="\d+"><v>46346</v></c>', xml)
    ws = load_workbook(ledger)[SPEC.name]
    assert ws["A3"].value == datetime(2026, 11, 20) and ws["A3"].number_format == "yyyy-mm-dd"

    # a workbook in the 1904 system: 1,462 days fewer (1900-01-01 .. 1904-01-01, Excel's leap day counted)
    wb = Workbook()
    wb.epoch = datetime(1904, 1, 1)
    wb.active.title = "S"
    wb.active["A1"] = "标题"
    path = tmp_path / "mac.xlsx"
    wb.save(path)
    book = WorkbookEdit(path)
    book.sheet("S").set(2, 1, datetime(2026, 11, 20, 18), number_format="yyyy-mm-dd hh:mm")
    book.save(keep_previous=False)
    assert re.search(rb'<c r="A2" s="\d+"><v>44884.75</v></c>', _part(path, "xl/worksheets/sheet1.xml"))
    assert load_workbook(path)["S"]["A2"].value == datetime(2026, 11, 20, 18)


def test_format_kinds() -> None:
    assert [format_kind(c) for c in ("yyyy\\-mm\\-dd", "yyyy-mm-dd hh:mm", "@", "General", "0.00%", '[<=1]0.00%;0.00"%"', "hh:mm", "mmm")] == \
        ["date", "datetime", "text", "number", "number", "number", "time", "date"]


# --- rows, cells, formulas ------------------------------------------------------------------------


def test_cells_go_into_existing_rows_in_column_order(ledger: Path) -> None:
    append_records(ledger, SPEC, SPEC.first_row, [record(1)])
    row = re.search(rb'<row r="3"[^>]*>(.*?)</row>', _part(ledger, LEDGER_PART), re.S).group(1)
    refs = [m.decode() for m in re.findall(rb'<c r="([A-Z]+)3"', row)]
    assert refs == ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "T", "U"]  # T, U: the template's formulas, kept


def test_rows_past_the_template_get_its_formulas_and_look(ledger: Path) -> None:
    last = SPEC.last_row  # 3002: the template prepares 3,000 rows
    before = _part(ledger, LEDGER_PART)
    rows = append_records(ledger, SPEC, last, [record(1), record(2), record(3)])
    assert rows == [3002, 3003, 3004]
    xml = _part(ledger, LEDGER_PART)
    formulas = BookReader(ledger).formulas(SPEC.name)
    for r in (3003, 3004):
        for key in ("due", "late"):
            address = f"{SPEC.letter(key)}{r}"
            assert formulas[address] == SPEC.render(SPEC.column(key), r), address
    style = {k: re.search(rb'<c r="' + f"{SPEC.letter(k)}3002".encode() + rb'" s="(\d+)"', before).group(1) for k in ("due", "late")}
    for key in ("due", "late"):
        assert re.search(rb'<c r="' + f"{SPEC.letter(key)}3004".encode() + rb'" s="' + style[key] + rb'"><f>', xml)
    assert b'<dimension ref="A1:V3004"' in xml
    assert xml.index(b'<row r="3003">') > xml.index(b'<row r="3002"') and xml.index(b'<row r="3004">') > xml.index(b'<row r="3003">')
    ws = load_workbook(ledger)[SPEC.name]
    assert ws["T3004"].fill.fgColor.rgb == ws["T3002"].fill.fgColor.rgb  # the template's look
    assert ws["T3004"].protection.locked == ws["T3002"].protection.locked  # unlocked: the row can be deleted and sorted


def test_spans_and_cached_values_follow(tmp_path: Path) -> None:
    """A row written as Excel writes it (spans, cached formula values): the hint widens, and
    formulas lose their cached value, so every program computes them on open."""
    wb = Workbook()
    ws = wb.active
    ws.title = "S"
    ws["C1"], ws["D1"] = 1, "=C1*2"
    path = tmp_path / "s.xlsx"
    wb.save(path)
    package = ZipParts(path.read_bytes())
    xml = package.read("xl/worksheets/sheet1.xml")
    # (openpyxl writes an empty <v /> with the standard library, <v></v> with lxml)
    xml = re.sub(rb"<f>C1\*2</f><v(?:\s*/>|></v>)", b"<f>C1*2</f><v>2</v>", xml.replace(b'<row r="1">', b'<row r="1" spans="3:4">'))
    path.write_bytes(package.rebuilt({"xl/worksheets/sheet1.xml": xml}))
    book = WorkbookEdit(path)
    book.sheet("S").set(1, 1, "甲")
    book.save(keep_previous=False)
    new = _part(path, "xl/worksheets/sheet1.xml")
    assert b'<row r="1" spans="1:4">' in new
    assert b"<c r=\"D1\"><f>C1*2</f></c>" in new  # the cached 2 is gone
    assert '<c r="A1" t="inlineStr"><is><t>甲</t></is></c><c r="C1"'.encode() in new


def test_a_sheet_without_rows(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.title = "空"
    path = tmp_path / "empty.xlsx"
    wb.save(path)
    package = ZipParts(path.read_bytes())
    xml = package.read("xl/worksheets/sheet1.xml").replace(b"<sheetData></sheetData>", b"<sheetData/>")
    path.write_bytes(package.rebuilt({"xl/worksheets/sheet1.xml": xml}))
    book = WorkbookEdit(path)
    book.sheet("空").set(2, 2, 5)
    book.save(keep_previous=False)
    assert load_workbook(path)["空"]["B2"].value == 5
    xml = _part(path, "xl/worksheets/sheet1.xml")
    assert b'<dimension ref="B2"' in xml and b'<sheetData><row r="2"><c r="B2"><v>5</v></c></row></sheetData>' in xml


def test_an_empty_formatted_row_lends_its_style(tmp_path: Path) -> None:
    """<row r="3" s="1" customFormat="1"/> (a row staff formatted, no cells): a value typed
    into it takes the row's style, as in Excel; the row keeps its attributes."""
    wb = Workbook()
    ws = wb.active
    ws.title = "S"
    ws["C1"] = "粗体"
    ws["C1"].font = Font(bold=True)
    path = tmp_path / "s.xlsx"
    wb.save(path)
    package = ZipParts(path.read_bytes())
    xml = package.read("xl/worksheets/sheet1.xml").replace(b"</sheetData>", b'<row r="3" s="1" customFormat="1" ht="20" customHeight="1"/></sheetData>')
    path.write_bytes(package.rebuilt({"xl/worksheets/sheet1.xml": xml}))
    book = WorkbookEdit(path)
    book.sheet("S").set(3, 1, "甲")
    book.save(keep_previous=False)
    new = _part(path, "xl/worksheets/sheet1.xml")
    assert '<row r="3" s="1" customFormat="1" ht="20" customHeight="1"><c r="A3" s="1" t="inlineStr"><is><t>甲</t></is></c></row>'.encode() in new
    assert load_workbook(path)["S"]["A3"].font.bold


def test_a_prefixed_sheet_part(ledger: Path) -> None:
    """The .NET Open XML SDK writes <x:row>, <x:c>: written cells take the same prefix."""
    package = ZipParts(ledger.read_bytes())
    xml = package.read(LEDGER_PART)
    xml = re.sub(rb"<(/?)(?!\?)([A-Za-z]+)([\s/>])", rb"<\1x:\2\3", xml).replace(b'xmlns="', b'xmlns:x="', 1)
    ledger.write_bytes(package.rebuilt({LEDGER_PART: xml}))
    append_records(ledger, SPEC, SPEC.first_row, [record(1, customer="=2")])
    new = _part(ledger, LEDGER_PART)
    assert b'<x:c r="E3" s="' in new and b"<x:is><x:t>=2</x:t></x:is>" in new and b"<c " not in new
    assert BookReader(ledger).table(SPEC).records()[0]["customer"] == "=2"


def _excel_shaped(path: Path) -> None:
    """The ledger as Excel saves it: each formula column one shared formula (a master cell
    with the text, the others ``<f t="shared" si="…"/>`` with cached ""), rows with ``spans``
    and ``x14ac:dyDescent`` under ``mc:Ignorable``, and a calcChain.xml listing the formulas."""
    package = ZipParts(path.read_bytes())
    xml = package.read(LEDGER_PART)
    xml = xml.replace(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                      b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                      b'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
                      b'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" mc:Ignorable="x14ac"', 1)
    xml = re.sub(rb'<row r="(\d+)">', lambda m: m.group(0) if int(m.group(1)) < 3 else
                 b'<row r="' + m.group(1) + b'" spans="1:22" x14ac:dyDescent="0.25">', xml)
    chain = []
    for si, key in enumerate(("due", "late")):
        letter = SPEC.letter(key).encode()

        def shared(m: re.Match[bytes], si: int = si, letter: bytes = letter) -> bytes:
            r = int(m.group(1))
            chain.append(b'<c r="' + letter + m.group(1) + b'"/>')
            if r == SPEC.first_row:
                ref = letter + b"%d:" % SPEC.first_row + letter + b"%d" % SPEC.last_row
                return b'<c r="' + letter + m.group(1) + b'"' + m.group(2) + b' t="str"><f t="shared" ref="' + ref + b'" si="%d">' % si + m.group(3) + b"</f><v></v></c>"
            return b'<c r="' + letter + m.group(1) + b'"' + m.group(2) + b' t="str"><f t="shared" si="%d"/><v></v></c>' % si

        xml = re.sub(rb'<c r="' + letter + rb'(\d+)"( s="\d+")><f>([^<]*)</f><v(?:\s*/>|></v>)</c>', shared, xml)
    calc_chain = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + b"".join(chain) + b"</calcChain>"
    rels = package.read("xl/_rels/workbook.xml.rels").replace(b"</Relationships>", b'<Relationship Id="rIdChain" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>')
    types = package.read("[Content_Types].xml").replace(b"</Types>", b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>')
    path.write_bytes(package.rebuilt({LEDGER_PART: xml, "xl/_rels/workbook.xml.rels": rels, "[Content_Types].xml": types}))
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/calcChain.xml", calc_chain)


@pytest.mark.libreoffice
def test_an_excel_shaped_ledger(ledger: Path, tmp_path: Path, require_libreoffice: str) -> None:
    """Shared formulas stay shared (their cells are not written; rows past them get plain
    formulas), calcChain.xml is kept (formulas added need no entry; none is removed), and
    LibreOffice computes the shared formulas and the new ones from the rows written.

    流转 2026-11-10 10:00 → 反馈时限 2026-11-10 + 2 days + 23:59:59 = 2026-11-12 23:59:59; 反馈
    11-13 09:00 → 是否超时 是."""
    _excel_shaped(ledger)
    before = ZipParts(ledger.read_bytes())
    flow = {"result": "不满意", "flow": "是", "flow_date": datetime(2026, 11, 10, 10), "feedback_date": datetime(2026, 11, 13, 9)}
    append_records(ledger, SPEC, 3, [record(1, **flow), record(2)], keep_previous=False)
    append_records(ledger, SPEC, SPEC.last_row + 1, [record(3, **flow)], keep_previous=False)
    after = ZipParts(ledger.read_bytes())
    assert [n for n in before.names if before.read(n) != after.read(n)] == [LEDGER_PART]
    xml = after.read(LEDGER_PART)
    assert xml.count(b't="shared" ref=') == 2 and xml.count(b'<f t="shared" si="0"/>') == SPEC.rows - 1
    assert b'<row r="3" spans="1:22" x14ac:dyDescent="0.25"><c r="A3"' in xml
    assert b'<row r="3003"><c r="A3003"' in xml and b"<f>IF(Q3003=" in xml
    out = libreoffice.recalculate(ledger, tmp_path / "out")
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name(SPEC.name).to_python()
    due, late = SPEC.index("due") - 1, SPEC.index("late") - 1
    for r in (3, 3003):
        assert (rows[r - 1][due], rows[r - 1][late]) == (datetime(2026, 11, 12, 23, 59, 59), "是"), r
    assert (rows[3][due], rows[3][late]) == ("", "")  # row 4: no 流转日期


# --- styles -----------------------------------------------------------------------------------------


def test_a_style_the_file_lacks_is_added_as_a_copy_with_one_change(tmp_path: Path) -> None:
    """Column B has no style (locked, General): a date needs a date format and, on a protected
    sheet, an unlocked cell; the new format is the default one with exactly those changes."""
    wb = Workbook()
    ws = wb.active
    ws.title = "S"
    ws["A1"] = "标题"
    ws["C1"] = "备注"
    ws["C1"].protection = Protection(locked=False)
    ws.protection.sheet = True
    path = tmp_path / "s.xlsx"
    wb.save(path)
    styles_before = _part(path, "xl/styles.xml")
    book = WorkbookEdit(path)
    sheet = book.sheet("S")
    sheet.set(2, 2, date(2026, 11, 20), number_format="yyyy-mm-dd", unlock=True)
    sheet.set(3, 2, date(2026, 11, 21), number_format="yyyy-mm-dd", unlock=True)  # the same new style again
    sheet.set(2, 3, "文字", unlock=True)  # C1's style is unlocked already, but C2 has none: the default, locked
    book.save(keep_previous=False)
    assert book.changed == ["xl/styles.xml", "xl/worksheets/sheet1.xml"]
    styles = _part(path, "xl/styles.xml")
    n_before = int(re.search(rb'<cellXfs count="(\d+)"', styles_before).group(1))
    assert re.search(rb'<cellXfs count="(\d+)"', styles).group(1) == str(n_before + 2).encode()
    assert b'<numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>' in styles
    # everything before the added number format and after the added cell formats is as it was
    xfs_end = styles.index(b"</cellXfs>")
    assert styles[xfs_end:] == styles_before[styles_before.index(b"</cellXfs>"):]
    result = load_workbook(path)["S"]
    assert result["B2"].number_format == "yyyy-mm-dd" and result["B2"].protection.locked is False
    assert result["B3"].style_id == result["B2"].style_id
    assert result["C2"].protection.locked is False and result["C2"].number_format == "General"
    assert result["A1"].protection.locked is True  # nothing else changed its look


# --- refusals ---------------------------------------------------------------------------------------


def _assert_refused(path: Path, write, words: str) -> None:
    before = path.read_bytes()
    with pytest.raises(InPlaceRefusedError) as caught:
        write()
    message = str(caught.value)
    assert isinstance(caught.value, WriteRefusedError)  # the CLI and ribbon show it as a refusal (exit code 2)
    assert words in message and path.name in message and "文件保持原样" in message, message
    assert re.search(r"[\u4e00-\u9fff]", message) and "Traceback" not in message
    assert path.read_bytes() == before
    assert history_versions(path) == [] and temp_leftovers(path.parent) == []
    assert not (path.parent / HISTORY_DIR).exists() or not any((path.parent / HISTORY_DIR).iterdir())


def test_refuses_to_write_over_a_value(ledger: Path) -> None:
    append_records(ledger, SPEC, SPEC.first_row, [record(1)], keep_previous=False)
    _assert_refused(ledger, lambda: append_records(ledger, SPEC, SPEC.first_row, [record(2)]), "A3 单元格已有内容")


def test_refuses_to_write_over_a_formula_even_where_values_are_replaced(ledger: Path) -> None:
    spec = callback_ledger.sample_sheet(callback_ledger.load_rules())
    package = ZipParts(ledger.read_bytes())
    part = sheet_parts(ledger)["抽样"]
    # the empty cell as openpyxl writes it: <c … /> (standard library) or <c …></c> (lxml)
    xml, n = re.subn(rb'<c r="B3"( s="\d+")?[^>]*?(?:/>|></c>)', rb'<c r="B3"\1><f>SUM(1,2)</f><v>3</v></c>', package.read(part))
    assert n == 1
    ledger.write_bytes(package.rebuilt({part: xml}))
    _assert_refused(ledger, lambda: append_records(ledger, SPEC, SPEC.first_row, [record(1)], form_cells={spec.name: {(3, 2): 20}}),
                    "B3 单元格已有公式")


def test_refuses_a_merged_cell(ledger: Path) -> None:
    wb = load_workbook(ledger)
    wb[SPEC.name].merge_cells("E3:G3")
    wb.save(ledger)
    _assert_refused(ledger, lambda: append_records(ledger, SPEC, SPEC.first_row, [record(1)]), "合并单元格 E3:G3")


def test_refuses_a_table_that_would_have_to_grow(ledger: Path) -> None:
    """Staff formatted the records as a table (ListObject) A2:V5: a row below it is refused
    (Excel would grow the table; we do not touch tables), a row inside it is written."""
    wb = load_workbook(ledger)
    ws = wb[SPEC.name]
    for r in range(3, 6):
        ws.cell(row=r, column=22, value=f"备注{r}")
    ws.add_table(Table(displayName="回访表", ref="A2:V5"))
    wb.save(ledger)
    _assert_refused(ledger, lambda: append_records(ledger, SPEC, 6, [record(1)]), "表格（列表对象）“回访表”的下方")
    append_records(ledger, SPEC, 3, [record(2)], keep_previous=False)
    assert BookReader(ledger).table(SPEC).records()[0]["order"] == "WG00002"


def test_refuses_an_array_formula(ledger: Path) -> None:
    package = ZipParts(ledger.read_bytes())
    xml = package.read(LEDGER_PART)
    xml = xml.replace(b'<row r="3">', b'<row r="3"><c r="A3"><f t="array" ref="A3:A5">ROW(A1:A3)</f><v>1</v></c>', 1)
    ledger.write_bytes(package.rebuilt({LEDGER_PART: xml}))
    _assert_refused(ledger, lambda: append_records(ledger, SPEC, 4, [record(1)]), "数组公式 A3:A5")


def test_refuses_rows_without_their_number(ledger: Path) -> None:
    package = ZipParts(ledger.read_bytes())
    xml = package.read(LEDGER_PART).replace(b'<row r="5">', b"<row>", 1)
    ledger.write_bytes(package.rebuilt({LEDGER_PART: xml}))
    _assert_refused(ledger, lambda: append_records(ledger, SPEC, SPEC.first_row, [record(1)]), "未标明行号")


def test_refuses_a_strict_workbook(ledger: Path) -> None:
    package = ZipParts(ledger.read_bytes())
    strict = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
    main = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    ledger.write_bytes(package.rebuilt({n: package.read(n).replace(main, strict) for n in ("xl/workbook.xml", LEDGER_PART)}))
    _assert_refused(ledger, lambda: append_records(ledger, SPEC, SPEC.first_row, [record(1)]), "Strict Open XML")


def test_refuses_a_missing_sheet(ledger: Path) -> None:
    wb = load_workbook(ledger)
    wb[SPEC.name].title = "回访记录"
    wb.save(ledger)
    _assert_refused(ledger, lambda: append_records(ledger, SPEC, SPEC.first_row, [record(1)]), "找不到工作表“台账”")


def test_refuses_a_file_saved_meanwhile(ledger: Path) -> None:
    """Someone saved the 台账 between our read and our write: their save is not overwritten."""
    book = WorkbookEdit(ledger)
    book.sheet(SPEC.name).set(3, 1, DAY)
    wb = load_workbook(ledger)
    wb[SPEC.name]["V3"] = "别人刚保存的备注"
    wb.save(ledger)
    saved = sha256(ledger)
    with pytest.raises(InPlaceRefusedError, match="在处理期间被修改"):
        book.save()
    assert sha256(ledger) == saved and history_versions(ledger) == []


# --- row heights, quote prefixes, document properties ----------------------------------------------


def _small_book(tmp_path: Path) -> Path:
    """Row 2 taller by hand (customHeight, hidden), row 3 a short fitted one with a row style,
    row 4 only an empty start tag; on a second sheet a formula-like text without the quote prefix."""
    wb = Workbook()
    ws = wb.active
    ws.title = "甲"
    ws["A1"], ws["A2"], ws["A3"] = "标题", "高行", "矮行"
    ws.row_dimensions[2].height = 60
    ws.row_dimensions[2].hidden = True
    ws.row_dimensions[3].height = 18
    ws.row_dimensions[3].font = Font(bold=True)
    ws.row_dimensions[4].height = None
    other = wb.create_sheet("乙")
    other["B2"] = "+86 138"
    other["B2"].data_type = "s"
    other["B3"] = "普通文字"
    path = tmp_path / "small.xlsx"
    wb.save(path)
    return path


def _row_tag(data: bytes, part: str, row: int) -> bytes:
    xml = ZipParts(data).read(part)
    m = re.search(rb'<row r="' + str(row).encode() + rb'"[^>]*>', xml)
    return m.group(0) if m else b""


def test_height_raises_a_lower_row_never_lowers_a_taller_and_keeps_other_attributes(tmp_path: Path) -> None:
    path = _small_book(tmp_path)
    book = WorkbookEdit(path)
    sheet = book.sheet("甲")
    sheet.height(2, 32.0)  # 60 by hand: stays 60
    sheet.height(3, 32.0)  # 18: becomes 32, keeps its style and customFormat
    sheet.height(5, 47.5)  # not stored: a new empty row of that height
    sheet.height(5, 20.0)  # asked lower again: the taller answer stands
    data = book.to_bytes()
    part = book.sheet_parts["甲"]
    before3 = _row_tag(path.read_bytes(), part, 3)
    assert _row_tag(data, part, 2) == _row_tag(path.read_bytes(), part, 2)
    tag3 = _row_tag(data, part, 3)
    assert b'ht="32"' in tag3 and b"customHeight" not in tag3
    assert _attrs_without(tag3, b"ht") == _attrs_without(before3, b"ht", b"customHeight")
    assert _row_tag(data, part, 5) == b'<row r="5" ht="47.5"/>'
    ws = load_workbook(io.BytesIO(data))["甲"]
    assert (ws.row_dimensions[2].height, ws.row_dimensions[2].hidden) == (60, True)
    assert ws.row_dimensions[3].height == 32 and ws.row_dimensions[3].font.b is True
    assert ws.row_dimensions[5].height == 47.5
    assert book.changed == [part]  # a height changes no value: no recalculation asked, styles untouched


def _attrs_without(tag: bytes, *names: bytes) -> dict[bytes, bytes]:
    from xinao_xl.books.inplace import _attrs

    return {k: v for k, v in _attrs(tag).items() if k not in names}


def test_keep_text_quotes_formula_like_text_on_the_sheet_that_holds_it_only(tmp_path: Path) -> None:
    path = _small_book(tmp_path)
    book = WorkbookEdit(path)
    assert book.keep_text() == 1  # "+86 138" on 乙; "标题", "普通文字" need nothing
    data = book.to_bytes()
    assert sorted(book.changed) == sorted([book.sheet_parts["乙"], "xl/styles.xml"])
    wb = load_workbook(io.BytesIO(data))
    assert (wb["乙"]["B2"].value, wb["乙"]["B2"].data_type, wb["乙"]["B2"].quotePrefix) == ("+86 138", "s", True)
    assert wb["乙"]["B3"].quotePrefix is False
    again = tmp_path / "again.xlsx"
    again.write_bytes(data)
    assert WorkbookEdit(again).keep_text() == 0  # quoted now: nothing left to do


def test_core_properties_are_set_and_added_where_missing(tmp_path: Path) -> None:
    path = _small_book(tmp_path)
    package = ZipParts(path.read_bytes())
    core = package.read("docProps/core.xml")
    stripped = re.sub(rb"<dc:creator[^>]*>.*?</dc:creator>|<dcterms:modified[^>]*>.*?</dcterms:modified>", b"", core)
    assert b"dc:creator" not in stripped and b"dcterms:created" in stripped
    path.write_bytes(package.rebuilt({"docProps/core.xml": stripped}))
    book = WorkbookEdit(path)
    day = datetime(2026, 12, 3)
    book.set_core_properties("xinao-xl", day, day)
    data = book.to_bytes()
    assert book.changed == ["docProps/core.xml"]
    props = load_workbook(io.BytesIO(data)).properties
    assert (props.creator, props.created, props.modified) == ("xinao-xl", day, day)
