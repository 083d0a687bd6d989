"""The 流转单 written with XlsxWriter (books/xlsx.py) is the workbook openpyxl wrote.

The reference is the openpyxl builder as it was (tests/support/openpyxl_flow_form.py); both
files are read back with openpyxl and compared as a reader sees them (sheet names and
order, every cell's value, type and look, merges, sizes, validations, protection, print
setup, names, freeze panes: `snapshot`) and cell by cell as stored (`stored_cells`: also the
cells a merged area covers). What the two writers only spell differently is made one first
(`snapshot.same_meaning`, which lists it).
"""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook
from openpyxl.styles import Alignment

from tests.support import openpyxl_flow_form as before
from tests.support.snapshot import same_meaning, snapshot, snapshot_diff, stored_cells
from xinao_xl.books.flow_form import BLANK_SHEET, FlowForm, build_flow_forms

NOW = datetime(2026, 12, 3, 17, 45)
LONG = "燃气表走字快，" * 60  # 420 Han characters: taller than the 110-point box (a fitted row)
FORMS = [
    FlowForm("LZ001", "客服部", "张三", "13812345678", "东昌路1号", "维修", "GD1", date(2026, 11, 4), "上门太晚\n不满原因：等待", "孙雪燕",
             date(2026, 11, 5), datetime(2026, 11, 5, 10), datetime(2026, 11, 7, 23, 59, 59), ""),
    # text that looks like a formula gets the quote prefix on its own sheet only
    FlowForm("LZ001", "管网部", "=HYPERLINK(\"x\")", "+8613812345678", "-东昌路", "置换", "@GD2", None, "=不满意", "李四",
             None, None, None, "－已处理"),
    # a number where text is expected, blanks, and a number that needs a safe sheet name
    FlowForm("LZ/003:a", "", 3, 5.5, "", "", "", None, "", "", None, None, None, ""),
    FlowForm(BLANK_SHEET.replace("'", "_"), "客服部", "王五", "", "", "", "", None, "", "", None, None, None, ""),
    # long texts: the address and business rows and both boxes grow to fit them
    FlowForm("LZ005", "工程部", "赵六", "13900000005", "东昌府区" + "柳园南路" * 12, "户内改管" * 15, "GD5", date(2026, 11, 20), LONG,
             "孙雪燕", date(2026, 11, 21), datetime(2026, 11, 21, 9, 30), datetime(2026, 11, 23, 23, 59, 59), "已上门复核；" * 60),
]


def _both(forms: list[FlowForm]) -> tuple[bytes, bytes]:
    old = BytesIO()
    before.build_flow_forms(forms, "2026-11", NOW).save(old)
    return old.getvalue(), build_flow_forms(forms, "2026-11", NOW)


@pytest.mark.parametrize("forms", [FORMS, FORMS[:1], []], ids=["five", "one", "none"])
def test_xlsxwriter_file_equals_the_openpyxl_file(forms: list[FlowForm]) -> None:
    old, new = _both(forms)
    a, b = same_meaning(snapshot(BytesIO(old))), same_meaning(snapshot(BytesIO(new)))
    assert snapshot_diff(a, b, limit=5) == []
    assert stored_cells(old) == stored_cells(new)
    was, now = load_workbook(BytesIO(old)).properties, load_workbook(BytesIO(new)).properties
    assert (now.creator, now.created) == (was.creator, was.created) == ("xinao-xl", datetime(2026, 12, 3))
    # openpyxl stamped "modified" with the time of the save, whatever it was given; now it is
    # the day of `now` too, as writer.fixed_properties meant it
    assert now.modified == datetime(2026, 12, 3) and was.modified > NOW


def test_the_comparison_sees_a_changed_look() -> None:
    """The proof above can fail: a form whose opinion box lost its wrap is told apart."""
    old, _ = _both(FORMS[:1])
    wb = load_workbook(BytesIO(old))
    wb["LZ001"]["A8"].alignment = Alignment(vertical="top")
    changed = BytesIO()
    wb.save(changed)
    assert stored_cells(old) != stored_cells(changed.getvalue())
    assert snapshot_diff(same_meaning(snapshot(BytesIO(old))), same_meaning(snapshot(changed))) != []


def _rows(data: bytes, sheet: int) -> dict[int, str]:
    with zipfile.ZipFile(BytesIO(data)) as z:
        xml = z.read(f"xl/worksheets/sheet{sheet}.xml").decode()
    return {int(m.group(1)): m.group(0) for m in re.finditer(r'<row r="(\d+)"[^>]*>', xml)}


def test_fitted_rows_stay_automatic_and_set_rows_custom() -> None:
    """A row the tool fitted to its text keeps no customHeight (Excel refits it when staff edit
    the text: printing.FittedRow); the rows of the layout keep theirs, heights to the point."""
    old, new = _both(FORMS)
    rows = _rows(new, 5)  # LZ005: address, business and both boxes are long
    for r in (5, 6, 8, 11):
        assert "ht=" in rows[r] and "customHeight" not in rows[r], rows[r]
    assert 'ht="110"' in rows[14] and 'customHeight="1"' in rows[14]  # the empty 风险防范措施 box
    assert 'ht="22"' in rows[9] and 'ht="16"' in rows[17]  # not rounded to whole pixels (21.75, 15.75)
    heights = {r: re.search(r'ht="([\d.]+)"', t).group(1) for r, t in rows.items() if "ht=" in t}
    assert heights == {r: re.search(r'ht="([\d.]+)"', t).group(1) for r, t in _rows(old, 5).items() if "ht=" in t}
    # 420 Han characters in A:D (88 units: 610 px a line, 13.4 px a character) take 10 lines:
    # 10 × 14.5 + 3 = 148 points
    assert heights[8] == "148"


def test_customer_text_stays_text_with_the_quote_prefix() -> None:
    wb = load_workbook(BytesIO(build_flow_forms(FORMS, "2026-11", NOW)))
    assert wb.sheetnames == ["LZ001", "LZ001(2)", "LZ_003_a", "流转单_空白", "LZ005"]
    second = wb["LZ001(2)"]
    assert second["A4"].value == "客户姓名" and second["B4"].quotePrefix and not wb["LZ001"]["B4"].quotePrefix
    assert second["B4"].value == '=HYPERLINK("x")' and second["B4"].data_type == "s"
    assert second["A8"].value == "=不满意" and second["A8"].data_type == "s" and second["A8"].quotePrefix
    assert second["A11"].value == "－已处理" and second["A11"].quotePrefix  # the full-width minus too
    assert wb["LZ_003_a"]["B4"].value == 3 and wb["LZ_003_a"].print_area == "'LZ_003_a'!$A$1:$D$19"


def test_same_inputs_same_day_same_bytes() -> None:
    """The close's outputs are compared by checksum: no save time goes into the file."""
    assert build_flow_forms(FORMS, "2026-11", NOW) == build_flow_forms(FORMS, "2026-11", NOW.replace(hour=8))
    assert build_flow_forms(FORMS, "2026-11", NOW) != build_flow_forms(FORMS, "2026-11", datetime(2026, 12, 4))
