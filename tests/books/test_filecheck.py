"""The file check in front of every reader: what passes, and the tricks a hostile file
would try once the obvious ones (tests/cli/test_corpus.py) are refused."""

from __future__ import annotations

import io
import struct
import time
import zipfile
from pathlib import Path

import pytest

from tests.corpus import hostile as H
from xinao_xl.books import filecheck
from xinao_xl.books.filecheck import BookReadError, Limits, check_workbook, load_workbook
from xinao_xl.books.read import BookReader

ROOT = Path(__file__).resolve().parents[2]
LEDGER = ROOT / "workbooks" / "客户回访信息台账.xlsx"


@pytest.fixture(scope="module")
def good() -> bytes:
    return LEDGER.read_bytes()


def refused(tmp_path: Path, data: bytes, name: str = "x.xlsx", limits: Limits = filecheck.LIMITS) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(BookReadError) as info:
        check_workbook(path, limits)
    assert str(info.value).startswith(f"无法读取 {name}：")
    return str(info.value)


def passes(tmp_path: Path, data: bytes, limits: Limits = filecheck.LIMITS) -> None:
    path = tmp_path / "ok.xlsx"
    path.write_bytes(data)
    check_workbook(path, limits)


def sheet(cells: bytes, root: bytes = b"worksheet", prefix: bytes = b"") -> bytes:
    ns = b' xmlns%s="%s"' % (b":" + prefix[:-1] if prefix else b"", H.MAIN_NS)
    return b'<?xml version="1.0"?>\n<%s%s%s><%ssheetData>%s</%ssheetData></%s%s>' % (prefix, root, ns, prefix, cells, prefix, prefix, root)


def test_every_template_passes() -> None:
    for path in sorted((ROOT / "workbooks").glob("*.xlsx")):
        check_workbook(path)


def test_a_passed_file_is_not_scanned_again_until_it_changes(tmp_path: Path, good: bytes) -> None:
    path = tmp_path / "t.xlsx"
    path.write_bytes(good)
    check_workbook(path)
    key = next(k for k in filecheck._checked if k[0] == str(path.resolve()))
    assert key[1] == len(good)
    path.write_bytes(H.far_cell("XFD1048576")(good))  # same name, other content: checked again
    with pytest.raises(BookReadError, match="XFD1048576"):
        check_workbook(path)


def test_doctype_behind_comments_and_processing_instructions(tmp_path: Path, good: bytes) -> None:
    hidden = b'<?xml version="1.0"?>\n<!-- <worksheet> in a comment is no root --><?pi x?>\n<!DOCTYPE x [<!ENTITY a "b">]>\n'
    bad = H.rezip(good, {H.SHEET1: lambda x: hidden + x[x.index(b"<worksheet"):]})
    assert "DOCTYPE" in refused(tmp_path, bad)


def test_doctype_in_utf16(tmp_path: Path, good: bytes) -> None:
    text = '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE x [<!ENTITY a "b">]>\n<worksheet/>'
    bad = H.rezip(good, {"docProps/app.xml": b"\xff\xfe" + text.encode("utf-16-le")})
    assert "docProps/app.xml 含有 DOCTYPE" in refused(tmp_path, bad)


def test_a_prolog_that_never_ends(tmp_path: Path, good: bytes) -> None:
    bad = H.rezip(good, {"docProps/core.xml": b'<?xml version="1.0"?>' + b"<!--" + b"x" * (100 * 1024) + b"-->"})
    assert "XML 开头异常" in refused(tmp_path, bad)


def test_empty_rows_far_down_pass(tmp_path: Path, good: bytes) -> None:
    """A row with a height but no cell does not stretch a reader's range (calamine reads
    only cells): staff who resized rows down to the bottom are not refused."""
    rows = b'<row r="1048576" ht="30" customHeight="1"/>'
    passes(tmp_path, H.rezip(good, {H.SHEET1: lambda x: x.replace(b"</sheetData>", rows + b"</sheetData>")}))


def test_a_cell_out_of_its_row_is_found(tmp_path: Path, good: bytes) -> None:
    """The cell's own address counts, not its row's: calamine puts it where it says."""
    cell = b'<row r="5"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    bad = H.rezip(good, {H.SHEET1: lambda x: x.replace(b"</sheetData>", cell + b"</sheetData>")})
    assert "A1048576 单元格" in refused(tmp_path, bad)


def test_cells_without_addresses_are_counted_as_the_readers_count_them(tmp_path: Path, good: bytes) -> None:
    """<c> without r follows the cell before: 3,000 of them in one row reach column 3,000."""
    row = b'<row r="2000">' + b"<c><v>1</v></c>" * 3000 + b"</row>"
    bad = H.rezip(good, {H.SHEET1: lambda x: x.replace(b"</sheetData>", row + b"</sheetData>")})
    message = refused(tmp_path, bad)
    assert "3,002 行 × 3,000 列" in message  # the template's formula rows reach row 3,002
    small = H.rezip(good, {H.SHEET1: lambda x: x.replace(b"</sheetData>", b'<row r="3003"><c><v>1</v></c><c><v>2</v></c></row></sheetData>')})
    passes(tmp_path, small)


def test_a_prefixed_sheet_is_measured_too(tmp_path: Path, good: bytes) -> None:
    """Files from the .NET Open XML SDK spell the elements <x:c>."""
    cell = b'<x:row r="1"><x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>'
    bad = H.rezip(good, {H.SHEET1: sheet(cell, prefix=b"x:")})
    assert "XFD1048576" in refused(tmp_path, bad)
    # the same namespace under a second prefix, cells without r: A1048576 and ten more to its right
    mixed = sheet(b'<x:row r="1048576"><x:c r="A1048576"><x:v>1</x:v></x:c>' + b"<y:c><y:v>2</y:v></y:c>" * 10 + b"</x:row>", prefix=b"x:")
    mixed = mixed.replace(b"<x:worksheet ", b'<x:worksheet xmlns:y="%s" ' % H.MAIN_NS)
    assert "1,048,576 行 × 11 列" in refused(tmp_path, H.rezip(good, {H.SHEET1: mixed}))


def test_limits_are_what_decides(tmp_path: Path, good: bytes) -> None:
    """The template's 台账 is 3,002 rows x 22 columns = 66,044 cells (its formula rows)."""
    passes(tmp_path, good, Limits(cells=66_044))
    assert "66,044 个单元格，上限 66,043" in refused(tmp_path, good, limits=Limits(cells=66_043))
    assert "部件" in refused(tmp_path, good, limits=Limits(member_bytes=100_000))  # sheet1.xml is 800 KB
    assert "文件过大" in refused(tmp_path, good, limits=Limits(file_bytes=1000))


def test_shared_strings_count_must_fit_the_part(tmp_path: Path, good: bytes) -> None:
    sst = b'<?xml version="1.0"?>\n<sst xmlns="%s" count="%d" uniqueCount="%d">%s</sst>'
    strings = b"<si><t>x</t></si>" * 10
    ok = H.rezip(good, H.SST_LINKS, {H.SST: sst % (H.MAIN_NS, 10, 10, strings)})
    passes(tmp_path, ok)
    bad = H.rezip(good, H.SST_LINKS, {H.SST: sst % (H.MAIN_NS, 10, 1000, strings)})
    assert "1,000 个字符串" in refused(tmp_path, bad)


def _as_zip64(data: bytes) -> bytes:
    """The same zip with a zip64 end record (what a writer emits past 65,535 parts or 4 GB)."""
    at = data.rfind(b"PK\x05\x06")
    entries, size, offset = struct.unpack_from("<HII", data, at + 10)[0], *struct.unpack_from("<II", data, at + 12)
    record = struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, entries, entries, size, offset)
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, at, 1)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return data[:at] + record + locator + end


def test_zip64_end_record(tmp_path: Path, good: bytes) -> None:
    data = _as_zip64(good)
    assert len(zipfile.ZipFile(io.BytesIO(data)).infolist()) == len(zipfile.ZipFile(io.BytesIO(good)).infolist())
    passes(tmp_path, data)
    assert "部件" in refused(tmp_path, _as_zip64(H.directory_claim(good)))


def test_readers_and_openpyxl_loads_go_through_the_check(tmp_path: Path, good: bytes) -> None:
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(H.shared_strings_claim(good))  # calamine would abort the process on it
    with pytest.raises(BookReadError, match="共享字符串"):
        BookReader(path)
    with pytest.raises(BookReadError, match="共享字符串"):
        load_workbook(path)
    ok = tmp_path / "ok.xlsx"
    ok.write_bytes(good)
    assert load_workbook(ok).sheetnames[0] == "台账"


def test_overlapping_merges_are_refused_by_the_reader(tmp_path: Path, good: bytes) -> None:
    """Excel never writes overlapping merged areas; 100 copies of A1:V3000 would make the
    reader copy 6.6 million values."""
    merges = b"<mergeCells>" + b'<mergeCell ref="A1:V3000"/>' * 100 + b"</mergeCells>"
    last = b'<row r="3003"><c r="V3003"><v>1</v></c></row>'  # a value down there: the template's rows hold formulas only

    def overlapping(xml: bytes) -> bytes:
        start, end = xml.find(b"<mergeCells"), xml.find(b"</mergeCells>")
        if start >= 0:
            xml = xml[:start] + xml[end + len(b"</mergeCells>"):]
        return xml.replace(b"</sheetData>", last + b"</sheetData>" + merges, 1)
    bad = tmp_path / "merges.xlsx"
    bad.write_bytes(H.rezip(good, {H.SHEET1: overlapping}))
    with pytest.raises(BookReadError, match="合并区域"):
        BookReader(bad).rows("台账")


def test_the_check_is_quick_on_a_real_workbook(tmp_path: Path, good: bytes) -> None:
    path = tmp_path / "t.xlsx"
    path.write_bytes(good)
    t0 = time.perf_counter()
    filecheck._Check(path, len(good), filecheck.LIMITS).run()
    assert time.perf_counter() - t0 < 0.5  # 800 KB of sheet XML; measured ~0.02 s
