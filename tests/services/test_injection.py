"""Formula injection through the whole close: text that staff or customers typed, starting
with = + - @ (tab/CR-prefixed, full-width ＝＋－＠ too), goes from the 台账, the 投诉台账
and 加减分明细 into the 意见统计表, the 流转单, the 回访报告, the closed 考核表 (加减分明细,
结账明细) and next month's carried rows as text, never as a formula — also after LibreOffice
recalculates an output.

The sample month (services/sample_data.py) gets the hostile texts written the way a
business-system export holds them: string cells without Excel's quote prefix.
"""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell

from xinao_xl.books import assessment, callback_ledger, complaint_ledger, opinions
from xinao_xl.books import lists as L
from xinao_xl.books.cells import looks_like_formula
from xinao_xl.books.read import BookReader
from xinao_xl.books.workbooks import file_name
from xinao_xl.policy.rules import load_rules
from xinao_xl.services.close import CloseResult, close_month
from xinao_xl.services.sample_data import make_sample_month
from xinao_xl.services.validate import validate_month

MONTH, NEXT = "2026-11", "2026-12"
NOW = datetime(2026, 12, 3, 9, 0)
RULES = load_rules()
LEDGER = callback_ledger.ledger_sheet()
COMPLAINTS = complaint_ledger.ledger_sheet(RULES)
ITEMS = assessment.items_sheet(RULES)

CALL_TEXT = {  # the 不满意 callback whose 流转单 is still open (so it is carried over)
    "customer": "@SUM(1+1)",
    "phone": "+86 13812345678",
    "address": "-1+1",
    "staff": "－张师傅",
    "opinion": '=HYPERLINK("http://x","点击")',
    "suggestion": "\t=1+2 希望周末上门",
    "reason": "＝SUM(1,2) 等待时间长",
    "handling": "\r=3 已电话致歉",
}
COMPLAINT_TEXT = {  # an open complaint (carried over)
    "customer": "＠SUM(1+1)",
    "phone": "＋86 13912345678",
    "address": "-2+3 柳园路",
    "content": '=HYPERLINK("http://y","投诉")',
    "note": "@备注",
}
ITEM_TEXT = {"desc": "=1+1 例会未参加", "source": "+SG001"}  # the 手工扣分 row
# Opinions of satisfied callbacks as customers say them, a sign first (the demo month, which a
# new clerk studies, used to carry these; hostile texts belong here): to the 意见统计表.
OPINION_TEXTS = ("=希望上门前电话联系", "-安检时间安排在周末更方便", "+建议增加线上缴费渠道")
# The reader trims the ends of a text (a leading tab or line break goes), so the outputs
# hold the typed text stripped; what stays still starts with = and must stay text.
PAYLOAD_MARKS = ("HYPERLINK(\"http://", "SUM(1+1)", "SUM(1,2)", "1+2 希望", "=3 已电话", "1+1 例会")


def _typed(ws: Any, row: int, col: int, text: str) -> None:
    """A string cell without the quote prefix, as an export or another tool writes it."""
    cell = ws.cell(row=row, column=col)
    cell.value = text
    cell.data_type = "s"


def _row_where(path: Path, spec: Any, test: Any) -> int:
    return next(r["_row"] for r in BookReader(path).table(spec).records() if test(r))


def inject(folder: Path) -> dict[str, int]:
    """Write the hostile texts into the month's books; returns the rows used."""
    rows = {}
    for stem, spec, texts, test in (
        (callback_ledger.STEM, LEDGER, CALL_TEXT, lambda r: r.get("flow") == "是" and r.get("feedback_date") is None),
        # an open complaint (not the demo's rejected round, which stays behind once its next round is 办结)
        (complaint_ledger.STEM, COMPLAINTS, COMPLAINT_TEXT, lambda r: r.get("closed") is None and r.get("review") != "驳回"),
        (assessment.STEM, ITEMS, ITEM_TEXT, lambda r: r.get("type") == L.ITEM_MANUAL),
    ):
        path = folder / file_name(stem, MONTH)
        row = rows[stem] = _row_where(path, spec, test)
        wb = load_workbook(path)
        for key, text in texts.items():
            _typed(wb[spec.name], row, spec.index(key), text)
        wb.save(path)
    path = folder / file_name(callback_ledger.STEM, MONTH)
    satisfied = [r["_row"] for r in BookReader(path).table(LEDGER).records() if r.get("result") == "满意" and not r.get("opinion")]
    wb = load_workbook(path)
    for row, text in zip(satisfied, OPINION_TEXTS, strict=False):
        _typed(wb[LEDGER.name], row, LEDGER.index("opinion"), text)
    wb.save(path)
    return rows


@pytest.fixture(scope="module")
def closed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CloseResult, dict[str, int]]:
    root = tmp_path_factory.mktemp("inject")
    month = make_sample_month(MONTH, root, now=NOW)
    rows = inject(month.folder)
    assert not [f for f in validate_month(month.folder, now=NOW) if f.is_error]  # hostile text is valid text
    return root, close_month(MONTH, root, user="测试员", now=NOW), rows


def _outputs(root: Path, result: CloseResult) -> list[Path]:
    return [*result.outputs.values(), *result.next_paths]


def _text_cell(cell: Cell, typed: str) -> None:
    """The cell holds exactly the typed text (ends trimmed), as text, marked as text for Excel."""
    assert cell.value == typed.strip(), cell.coordinate
    assert cell.data_type == "s", cell.coordinate
    assert cell.quotePrefix, cell.coordinate


def test_every_output_keeps_formula_like_text_as_text(closed) -> None:
    root, result, _ = closed
    paths = _outputs(root, result)
    assert len(paths) == 9  # five outputs (the 服务津贴申请 since issue 19), four books of next month
    formula_like = 0
    for path in paths:
        wb = load_workbook(path)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if c.data_type == "f":
                        assert not any(m in str(c.value) for m in PAYLOAD_MARKS), f"{path.name} {ws.title}!{c.coordinate}"
                    elif isinstance(c.value, str) and looks_like_formula(c.value):
                        assert c.data_type == "s" and c.quotePrefix, f"{path.name} {ws.title}!{c.coordinate}"
                        formula_like += 1
        with zipfile.ZipFile(path) as z:  # the file itself: no <f> element holds a payload
            for name in z.namelist():
                if name.startswith("xl/worksheets/sheet"):
                    formulas = re.findall(r"<f[^>]*>([^<]*)</f>", z.read(name).decode("utf-8"))
                    assert not any(m in f for f in formulas for m in PAYLOAD_MARKS), f"{path.name} {name}"
    assert formula_like >= 25  # the payloads above, the opinions among them


def test_opinions_of_satisfied_calls_reach_the_opinions_sheet_as_text(closed) -> None:
    _, result, _ = closed
    ws = load_workbook(result.outputs["意见统计表"])[opinions.SHEET]
    spec = opinions.opinions_sheet()
    cells = {ws.cell(row=r, column=spec.index("opinion")).value: ws.cell(row=r, column=spec.index("opinion"))
             for r in range(spec.first_row, ws.max_row + 1)}
    for text in OPINION_TEXTS:
        _text_cell(cells[text], text)


def test_opinions_flow_forms_and_report_hold_the_typed_text(closed) -> None:
    _, result, _ = closed
    ws = load_workbook(result.outputs["意见统计表"])[opinions.SHEET]
    spec = opinions.opinions_sheet()
    (row,) = [r for r in range(spec.first_row, ws.max_row + 1) if ws.cell(row=r, column=spec.index("customer")).value == CALL_TEXT["customer"]]
    for key in ("customer", "phone", "address", "staff", "opinion", "suggestion", "reason"):
        _text_cell(ws.cell(row=row, column=spec.index(key)), CALL_TEXT[key])

    (form,) = [ws for ws in load_workbook(result.outputs["流转单"]).worksheets if ws["B4"].value == CALL_TEXT["customer"]]
    _text_cell(form["B4"], CALL_TEXT["customer"])
    _text_cell(form["D4"], CALL_TEXT["phone"])  # internal: printed in full for the call back
    _text_cell(form["B5"], CALL_TEXT["address"])
    opinion = form["A8"]  # 客户意见或建议: opinion, suggestion and 不满原因 joined
    assert opinion.value.startswith(CALL_TEXT["opinion"] + "\n" + CALL_TEXT["suggestion"].strip()) and opinion.data_type == "s"
    assert opinion.value.endswith("不满原因：" + CALL_TEXT["reason"])
    _text_cell(form["A11"], CALL_TEXT["handling"])

    report = load_workbook(result.outputs["回访报告"])
    detail = report["不满意明细"]
    (r,) = [r for r in range(2, detail.max_row + 1) if detail.cell(row=r, column=3).value == CALL_TEXT["customer"]]
    _text_cell(detail.cell(row=r, column=3), CALL_TEXT["customer"])
    assert detail.cell(row=r, column=4).value == "138****5678"  # +86 dropped, masked
    _text_cell(detail.cell(row=r, column=6), CALL_TEXT["reason"])
    problems = [c for row in report["回访报告"].iter_rows() for c in row if c.value == CALL_TEXT["reason"]]
    assert len(problems) == 1 and problems[0].column == 1
    _text_cell(problems[0], CALL_TEXT["reason"])


def test_closed_assessment_keeps_hand_entries_as_text(closed) -> None:
    _, result, rows = closed
    wb = load_workbook(result.outputs["考核表"])
    items = wb[ITEMS.name]
    for key, text in ITEM_TEXT.items():  # typed without the quote prefix; the copy adds it
        _text_cell(items.cell(row=rows[assessment.STEM], column=ITEMS.index(key)), text)
    detail = [row for row in wb["结账明细"].iter_rows(min_row=2) if row[1].value == "手工"]
    assert len(detail) == 1
    _text_cell(detail[0][2], ITEM_TEXT["desc"])  # 内容
    _text_cell(detail[0][5], ITEM_TEXT["source"])  # 来源
    assert detail[0][4].value == -0.5  # the points still count: 手工扣分 0.5


def test_next_month_carries_the_text_as_text(closed) -> None:
    root, result, _ = closed
    assert result.carried == {"complaints": 2, "flow_forms": 1, "allowance_bases": 7}
    folder = root / NEXT
    ledger = load_workbook(folder / file_name(callback_ledger.STEM, NEXT))[LEDGER.name]
    row = LEDGER.first_row  # the one carried flow form
    for key, text in CALL_TEXT.items():
        _text_cell(ledger.cell(row=row, column=LEDGER.index(key)), text)
    complaints = load_workbook(folder / file_name(complaint_ledger.STEM, NEXT))[COMPLAINTS.name]
    (row,) = [r for r in (COMPLAINTS.first_row, COMPLAINTS.first_row + 1) if complaints.cell(row=r, column=COMPLAINTS.index("customer")).value == COMPLAINT_TEXT["customer"]]
    for key in ("customer", "phone", "address", "content"):
        _text_cell(complaints.cell(row=row, column=COMPLAINTS.index(key)), COMPLAINT_TEXT[key])
    assert complaints.cell(row=row, column=COMPLAINTS.index("note")).value == f"上月结转（{MONTH}） {COMPLAINT_TEXT['note']}"


@pytest.mark.libreoffice
def test_libreoffice_recalculation_keeps_the_text(closed, require_libreoffice: Any, tmp_path: Path) -> None:
    from tests.support.libreoffice import recalculate_many

    root, result, _ = closed
    sources = [result.outputs["意见统计表"], result.outputs["流转单"], root / NEXT / file_name(callback_ledger.STEM, NEXT)]
    notes, forms, ledger = recalculate_many(sources, tmp_path)

    ws = load_workbook(notes, data_only=True)[opinions.SHEET]
    spec = opinions.opinions_sheet()
    found = [r for r in range(spec.first_row, ws.max_row + 1) if ws.cell(row=r, column=spec.index("customer")).value == CALL_TEXT["customer"]]
    assert len(found) == 1
    for key in ("customer", "phone", "address", "opinion", "reason"):
        cell = ws.cell(row=found[0], column=spec.index(key))
        assert (cell.value, cell.data_type) == (CALL_TEXT[key].strip(), "s")
    form = next(ws for ws in load_workbook(forms, data_only=True).worksheets if ws["B4"].value == CALL_TEXT["customer"])
    assert form["A8"].value.startswith(CALL_TEXT["opinion"]) and form["A8"].data_type == "s"
    ws = load_workbook(ledger, data_only=True)[LEDGER.name]
    for key, text in CALL_TEXT.items():
        cell = ws.cell(row=LEDGER.first_row, column=LEDGER.index(key))
        assert (cell.value, cell.data_type) == (text.strip(), "s"), key
    # the carried row's own formulas still compute (流转日期 + 2 days): the text broke nothing
    assert isinstance(ws.cell(row=LEDGER.first_row, column=LEDGER.index("due")).value, datetime)
    wb = load_workbook(ledger)  # and LibreOffice wrote no formula for any payload
    assert not any(c.data_type == "f" and any(m in str(c.value) for m in PAYLOAD_MARKS) for row in wb[LEDGER.name].iter_rows() for c in row)
