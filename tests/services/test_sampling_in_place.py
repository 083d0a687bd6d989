"""Sampling into a 台账 staff worked on keeps everything they put there (issue 13, item 5).

The 台账 is the hand-typed month's (our code wrote it), opened in LibreOffice headless through
its UNO bridge and saved there after a clerk's additions: a pasted picture, a chart on 统计,
a comment with formatting (a bold, larger, red start) on an empty cell of a row sampling fills and a plain
one, a sheet 备忘 with a formula, a defined name, a cross-sheet dropdown (LibreOffice writes
it as a plain ``<dataValidation>``); then what Excel writes and LibreOffice does not is added
to the saved XML: x14 list validations from another sheet (on 台账 and 完工量) and custom views
(tests/support/staff_edits.py). Sampling then appends the day's callbacks.

Proven: every part but four is byte for byte what it was (compared as compressed bytes); of
the four, the 台账 part differs only in the rows written, its ``<dimension>`` and the cached
values of its formulas; the 抽样 part in its 可抽完工量 cells and cached values; ``styles.xml``
by two appended cell formats (the quote prefix for "=HYPERLINK(…)" and "-"); ``workbook.xml``
by ``fullCalcOnLoad="1"``. The rows read back with calamine as sampled, and LibreOffice
recalculates the quotas and the formulas of rows past the template correctly. A 台账 holding
what cannot be kept (a table that would have to grow) is refused: message, exit code 2,
file unchanged.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from python_calamine import CalamineWorkbook

from tests.support import libreoffice
from tests.support.staff_edits import COMMENT_TEXT, excel_additions, libreoffice_additions
from tests.support.uno_run import require_uno
from xinao_xl.books import callback_ledger
from xinao_xl.books.append import append_records
from xinao_xl.books.completed_export import write_completed_export
from xinao_xl.books.filecheck import load_workbook
from xinao_xl.books.read import BookReader, sheet_parts
from xinao_xl.books.save import history_versions, sha256, temp_leftovers
from xinao_xl.books.zipparts import ZipParts
from xinao_xl.cli import main
from xinao_xl.policy.callbacks import daily_quotas
from xinao_xl.services.sampling import ledger_path, sample_day

from . import hand_month as H
from .test_sampling import export_rows, order

pytestmark = pytest.mark.libreoffice

DAY = date(2026, 11, 20)
SPEC = callback_ledger.ledger_sheet()
SAMPLE = callback_ledger.sample_sheet(H.RULES)
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
FORMULA_LIKE = {"customer": '=HYPERLINK("http://example.com","点我")', "address": "-"}
FIRST = SPEC.first_row + len(H.CALLS)  # 14: the hand-typed month has 11 callbacks in rows 3-13
COMMENT_CELL = (11, FIRST)  # L15 (0-based column 11, row index 14): 客户意见 of the second row sampling fills


@pytest.fixture(scope="module")
def staff_month(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    require_uno()
    root = tmp_path_factory.mktemp("staff") / "m"
    H.build(root)
    write_completed_export(root / "完工.xlsx", export_rows() + [dict(order(60, "维修", datetime(2026, 11, 19, 16)), **FORMULA_LIKE)])
    ledger = ledger_path(root, H.MONTH)
    saved = libreoffice_additions(ledger, root.parent / "staff.xlsx", COMMENT_CELL)
    parts = sheet_parts(saved)
    added = excel_additions(saved, parts["台账"], parts["完工量"])
    shutil.copy(saved, ledger)
    return root, added


@pytest.fixture()
def month(staff_month: tuple[Path, dict[str, bytes]], tmp_path: Path) -> Path:
    shutil.copytree(staff_month[0], tmp_path / "m")
    return tmp_path / "m"


def _members(path: Path) -> ZipParts:
    return ZipParts(path.read_bytes())


def _raw(package: ZipParts, name: str) -> bytes:
    m = next(m for m in package.members if m.name == name)
    return package.data[m.data_start:m.data_start + m.compressed]


def _rows(xml: bytes) -> dict[int, ET.Element]:
    sheet_data = ET.fromstring(xml).find(f"{MAIN}sheetData")
    return {int(row.get("r")): row for row in sheet_data}


def _without_cached_formula_values(row: ET.Element) -> bytes:
    """The row as XML with each formula cell's cached value (and its type) left out."""
    row = ET.fromstring(ET.tostring(row))
    for cell in row:
        if cell.find(f"{MAIN}f") is not None:
            for v in cell.findall(f"{MAIN}v"):
                cell.remove(v)
            cell.attrib.pop("t", None)
    return ET.tostring(row)


def _outside_rows(xml: bytes) -> tuple[bytes, bytes]:
    """The part before <sheetData> (dimension blanked) and after </sheetData>."""
    start, end = xml.index(b"<sheetData"), xml.index(b"</sheetData>")
    return re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref=""', xml[:start]), xml[end:]


def test_sampling_keeps_every_part_staff_added(month: Path, staff_month: tuple[Path, dict[str, bytes]]) -> None:
    added = staff_month[1]
    path = ledger_path(month, H.MONTH)
    before = _members(path)
    parts = sheet_parts(path)
    result = sample_day(month / "完工.xlsx", DAY, "孙雪燕", month, seed=1)
    assert result.rows == list(range(FIRST, FIRST + 26))  # 25 as in test_sampling, and the formula-like order
    after = _members(path)
    assert after.names == before.names
    changed = {n for n in before.names if before.read(n) != after.read(n)}
    assert changed == {parts["台账"], parts["抽样"], "xl/styles.xml", "xl/workbook.xml"}
    # what staff added, in parts nobody needs to change: the same compressed bytes
    for name in before.names:
        if name not in changed:
            assert _raw(after, name) == _raw(before, name), name
    kept = set(before.names) - changed
    assert {"xl/media/image1.png", "xl/charts/chart1.xml", "xl/comments1.xml", "xl/drawings/vmlDrawing1.vml", "xl/drawings/drawing1.xml",
            "xl/drawings/drawing2.xml", parts["完工量"], parts["备忘"], "xl/sharedStrings.xml", "[Content_Types].xml"} <= kept
    comments = after.read("xl/comments1.xml").decode()
    assert 'ref="L15"' in comments and COMMENT_TEXT[3:] in comments
    assert '<rPr><b val="true"/><sz val="12"/><color rgb="FFC00000"/>' in comments  # the bold, larger, red start kept
    assert added["x14_other"] in after.read(parts["完工量"])

    # workbook.xml: only asks for a recalculation on open; names and custom views stay
    book_before, book_after = before.read("xl/workbook.xml"), after.read("xl/workbook.xml")
    calc = re.search(rb"<calcPr[^>]*?(/?>)", book_before)
    assert book_after == book_before[:calc.end() - len(calc.group(1))] + b' fullCalcOnLoad="1"' + book_before[calc.end() - len(calc.group(1)):]
    assert added["book_view"] in book_after and "员工分组".encode() in book_after

    # styles.xml: two cell formats appended (quote prefix), nothing else
    styles_before, styles_after = before.read("xl/styles.xml"), after.read("xl/styles.xml")
    n = int(re.search(rb'<cellXfs count="(\d+)"', styles_before).group(1))
    close = styles_before.index(b"</cellXfs>")
    head = styles_before[:close].replace(f'<cellXfs count="{n}"'.encode(), f'<cellXfs count="{n + 2}"'.encode())
    assert styles_after.startswith(head) and styles_after.endswith(styles_before[close:])
    appended = styles_after[len(head):len(styles_after) - len(styles_before[close:])]
    assert appended.count(b'quotePrefix="1"') == 2 and appended.count(b"<xf ") == 2

    # the 台账 part: outside the rows, only <dimension>; rows not written, only cached formula values
    ledger_before, ledger_after = before.read(parts["台账"]), after.read(parts["台账"])
    assert _outside_rows(ledger_after) == _outside_rows(ledger_before)
    assert b'<dimension ref="A1:V3002"' in ledger_after  # rows 14-39 lie inside the template's area
    assert added["x14"] in ledger_after and added["sheet_view"] in ledger_after
    rows_before, rows_after = _rows(ledger_before), _rows(ledger_after)
    assert rows_before.keys() == rows_after.keys()
    for r, row in rows_before.items():
        if r not in result.rows:
            assert _without_cached_formula_values(rows_after[r]) == _without_cached_formula_values(row), r
        else:  # the row keeps its attributes and its formula cells; the entry cells A-J are filled
            assert rows_after[r].attrib == row.attrib
            cells = {c.get("r"): c for c in rows_after[r]}
            assert [a[:1] for a in cells] == list("ABCDEFGHIJKTU"), r  # K: LibreOffice's empty styled cell, kept
            assert cells[f"T{r}"].find(f"{MAIN}f").text == SPEC.render(SPEC.column("due"), r)[1:]

    # the 抽样 part: 可抽完工量 written; rows and cells otherwise as they were
    sample_before, sample_after = _rows(before.read(parts["抽样"])), _rows(after.read(parts["抽样"]))
    for r, row in sample_before.items():
        new = {c.get("r"): c for c in sample_after[r]}
        if f"B{r}" in new and new[f"B{r}"].find(f"{MAIN}v") is not None and r in {SAMPLE.row_of(b.name) for b in H.RULES.business_types}:
            name = next(b.name for b in H.RULES.business_types if SAMPLE.row_of(b.name) == r)
            assert float(new[f"B{r}"].find(f"{MAIN}v").text) == result.eligible[name]
            continue
        assert _without_cached_formula_values(sample_after[r]) == _without_cached_formula_values(row), r

    assert len(history_versions(path)) == 1 and sha256(history_versions(path)[0]) == sha256(staff_month[0] / H.MONTH / path.name)
    assert temp_leftovers(path.parent) == []


@pytest.mark.filterwarnings("ignore:Data Validation extension is not supported:UserWarning")
def test_an_openpyxl_resave_would_lose_them(staff_month: tuple[Path, dict[str, bytes]], tmp_path: Path) -> None:
    """Why sampling no longer re-saves the 台账 through openpyxl (as it did before issue 13)."""
    path = ledger_path(staff_month[0], H.MONTH)
    copy = tmp_path / "openpyxl.xlsx"
    load_workbook(path).save(copy)
    with zipfile.ZipFile(copy) as z:
        names = z.namelist()
        assert not any(n.startswith("xl/media/") for n in names)  # the picture (openpyxl without Pillow)
        assert b"x14:dataValidation" not in z.read(sheet_parts(copy)["台账"])
        assert b"customSheetView" not in z.read(sheet_parts(copy)["台账"])
        comments = z.read(next(n for n in names if "comments" in n)).decode()
        assert 'rgb="FFC00000"' not in comments  # the comment's formatting


def test_the_rows_read_back_as_sampled(month: Path) -> None:
    path = ledger_path(month, H.MONTH)
    result = sample_day(month / "完工.xlsx", DAY, "孙雪燕", month, seed=1)
    records = BookReader(path).table(SPEC).records()
    by_row = {r["_row"]: r for r in records}
    assert [by_row[r]["order"] for r in result.rows] == [o.order_no for o in result.sample.taken]
    for r, o in zip(result.rows, result.sample.taken, strict=True):
        got = by_row[r]
        assert (got["call_date"], got["done_date"], got["phone"], got["customer"], got["address"], got["agent"], got["business"]) == \
            (DAY, o.completed_at.date(), o.phone, o.customer, o.address, "孙雪燕", o.business), r
    assert any(by_row[r]["customer"] == FORMULA_LIKE["customer"] for r in result.rows)  # text, not a formula
    assert [by_row[r]["order"] for r in range(SPEC.first_row, FIRST)] == [c["order"] for c in H.CALLS]  # staff's rows untouched
    raw = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(SPEC.name).to_python()
    assert raw[FIRST - 1][:3] == [DAY, by_row[FIRST]["business"], by_row[FIRST]["order"]]
    assert CalamineWorkbook.from_path(str(path)).get_sheet_by_name("备忘").to_python()[0][0] == "甲组"


def test_libreoffice_recalculates_the_quotas_and_keeps_what_staff_added(month: Path, tmp_path: Path) -> None:
    path = ledger_path(month, H.MONTH)
    result = sample_day(month / "完工.xlsx", DAY, "孙雪燕", month, seed=1)
    # eligible 维修 21 (20 + the formula-like order), 置换 3, 零散 2 (all taken: 四.2); 维修 15 + the shortfall passed on
    # from 置换 (10 − 3 = 7) and the empty types, capped at the 21 available → 21; 置换 3 of its 10; 21 + 3 + 2 = 26
    expected = daily_quotas(result.eligible, H.RULES)
    assert expected["维修"] == 21 and expected["置换"] == 3 and expected["零散"] == 2
    forced = libreoffice.recalculate(path, tmp_path / "forced")
    plain = libreoffice.resave(path, tmp_path / "plain")  # LibreOffice's default: no forced recalculation
    for out in (forced, plain):
        book = CalamineWorkbook.from_path(str(out))
        rows = book.get_sheet_by_name(SAMPLE.name).to_python()
        today = {b.name: rows[SAMPLE.row_of(b.name) - 1][7] for b in H.RULES.business_types}
        assert today == {k: float(v) for k, v in expected.items()}, out
        assert rows[SAMPLE.row_of("total") - 1][7] == sum(expected.values()) == 26
        ledger = book.get_sheet_by_name(SPEC.name).to_python()
        assert ledger[FIRST - 1][19:21] == ["", ""]  # no 流转日期 yet: 反馈时限 and 是否超时 blank
        with zipfile.ZipFile(out) as z:  # LibreOffice read all of it: picture, chart, comment, the x14 validation
            names = z.namelist()
            assert any(n.startswith("xl/media/") for n in names) and any(n.startswith("xl/charts/") for n in names)
            assert COMMENT_TEXT[3:] in z.read(next(n for n in names if n.startswith("xl/comments"))).decode()
            assert b'sqref="W3:W200"' in z.read(sheet_parts(out)["台账"])


def test_gnumeric_reads_and_recalculates_the_sampled_ledger(month: Path, tmp_path: Path) -> None:
    """A second engine: Gnumeric (``ssconvert --recalc``) reads the inline strings and the
    kept parts and computes the same quotas as the policy."""
    ssconvert = shutil.which("ssconvert")
    if ssconvert is None:
        if libreoffice.in_ci():  # .ci/run installs gnumeric: under CI a missing engine is a failure, not a skip
            pytest.fail("Gnumeric (ssconvert) is not installed")
        pytest.skip("Gnumeric (ssconvert) is not installed")
    result = sample_day(month / "完工.xlsx", DAY, "孙雪燕", month, seed=1)
    subprocess.run([ssconvert, "--recalc", "-S", str(ledger_path(month, H.MONTH)), str(tmp_path / "out_%s.csv")],
                   check=True, capture_output=True, timeout=300, env=dict(os.environ, HOME=str(tmp_path)))
    with open(tmp_path / f"out_{SAMPLE.name}.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    expected = daily_quotas(result.eligible, H.RULES)
    assert {b.name: int(rows[SAMPLE.row_of(b.name) - 1][7]) for b in H.RULES.business_types} == expected
    with open(tmp_path / f"out_{SPEC.name}.csv", encoding="utf-8", newline="") as f:
        ledger = list(csv.reader(f))
    assert [ledger[r - 1][SPEC.index("order") - 1] for r in result.rows] == [o.order_no for o in result.sample.taken]
    assert FORMULA_LIKE["customer"] in [ledger[r - 1][SPEC.index("customer") - 1] for r in result.rows]


def test_rows_past_the_template_recalculate(staff_month: tuple[Path, dict[str, bytes]], tmp_path: Path) -> None:
    """Rows 3003-3004, past the template's 3,000: their formula columns are written as the
    template writes them and LibreOffice computes them.

    流转 2026-11-10 10:00 → 反馈时限 = INT(11-10) + 2 natural days + 23:59:59 = 2026-11-12 23:59:59;
    反馈 11-13 09:00 is after it → 是否超时 是; 反馈 11-12 15:00 is before it → 否."""
    path = tmp_path / "台账.xlsx"
    shutil.copy(ledger_path(staff_month[0], H.MONTH), path)
    base: dict[str, Any] = {"call_date": DAY, "business": "维修", "result": "不满意", "flow": "是", "flow_date": datetime(2026, 11, 10, 10)}
    rows = append_records(path, SPEC, SPEC.last_row + 1, [dict(base, order="LATE", feedback_date=datetime(2026, 11, 13, 9)),
                                                         dict(base, order="ONTIME", feedback_date=datetime(2026, 11, 12, 15))])
    assert rows == [3003, 3004]
    out = libreoffice.recalculate(path, tmp_path / "out")
    ledger = CalamineWorkbook.from_path(str(out)).get_sheet_by_name(SPEC.name).to_python()
    due, late = SPEC.index("due") - 1, SPEC.index("late") - 1
    assert [ledger[r - 1][due] for r in rows] == [datetime(2026, 11, 12, 23, 59, 59)] * 2
    assert [ledger[r - 1][late] for r in rows] == ["是", "否"]


def _with_table(path: Path, part: str) -> None:
    """Staff formatted the 台账's records as a table (Excel's 套用表格格式): A2:V13, as Excel
    writes it (a table part, its relationship, its content type, <tableParts>)."""
    package = ZipParts(path.read_bytes())
    columns = "".join(f'<tableColumn id="{i}" name="{c.header}"/>' for i, c in enumerate(SPEC.columns, start=1))
    table = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><table xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             f'id="1" name="回访表" displayName="回访表" ref="A2:V{FIRST - 1}"><autoFilter ref="A2:V{FIRST - 1}"/>'
             f'<tableColumns count="{len(SPEC.columns)}">{columns}</tableColumns>'
             '<tableStyleInfo name="TableStyleMedium2" showRowStripes="1"/></table>').encode()
    sheet = package.read(part).replace(b"<extLst>", b'<tableParts count="1"><tablePart r:id="rIdTable1"/></tableParts><extLst>', 1)
    rels_part = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
    rels = package.read(rels_part).replace(b"</Relationships>", b'<Relationship Id="rIdTable1" Type="http://schemas.openxmlformats.org/'
                                           b'officeDocument/2006/relationships/table" Target="../tables/table1.xml"/></Relationships>')
    types = package.read("[Content_Types].xml").replace(b"</Types>", b'<Override PartName="/xl/tables/table1.xml" ContentType="application/'
                                                        b'vnd.openxmlformats-officedocument.spreadsheetml.table+xml"/></Types>')
    data = package.rebuilt({part: sheet, rels_part: rels, "[Content_Types].xml": types})
    path.write_bytes(data)
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("xl/tables/table1.xml", table)


def test_a_table_that_would_have_to_grow_is_refused(month: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = ledger_path(month, H.MONTH)
    _with_table(path, sheet_parts(path)["台账"])
    assert BookReader(path).table(SPEC).records()[-1]["order"] == H.CALLS[-1]["order"]  # a workbook readers accept
    before = sha256(path)
    code = main(["sample", str(month / "完工.xlsx"), "--date", "2026-11-20", "--agent", "孙雪燕", "--dir", str(month), "--seed", "1"])
    err = capsys.readouterr().err
    assert code == 2
    assert "表格（列表对象）“回访表”的下方" in err and "转换为区域" in err and "文件保持原样" in err and "Traceback" not in err, err
    assert sha256(path) == before and history_versions(path) == [] and temp_leftovers(path.parent) == []
