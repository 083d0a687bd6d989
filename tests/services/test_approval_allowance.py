"""考核 5.3–5.4: the review and approval on the 考核表's 汇总, the close's warning or refusal
(setting 审批后方可结账), the close record keeping who reviewed and approved, and the
服务津贴申请 with the closed figures on one A4 page (rendered through LibreOffice)."""

from __future__ import annotations

import json
import subprocess
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.services.month import MONTH, NOW, build_month
from tests.support import libreoffice
from xinao_xl.books import allowance_form, assessment
from xinao_xl.books.lock import MonthBusyError, MonthLock
from xinao_xl.books.month_folder import MonthFolder
from xinao_xl.policy.rules import load_rules
from xinao_xl.services import allowance
from xinao_xl.services.close import NotApprovedError, close_month, preview_close

RULES = load_rules()
STRICT = RULES.with_values({"approval_required": True})
BASES = {"客服部": 500, "管网部": 400}  # 服务津贴基数 typed on 汇总 (元)


def _type_on_summary(folder: Path, bases: dict[str, float], reviewed: set[str]) -> None:
    """The office types bases, and 审核人/审核日期/审批人/审批日期 for the departments `reviewed`."""
    path = folder / f"{MONTH}_{assessment.STEM}.xlsx"
    wb = load_workbook(path)
    ws = wb[assessment.SUMMARY]
    spec = assessment.summary_sheet(RULES)
    for dept in RULES.departments:
        r = spec.row_of(dept.name)
        if dept.name in bases:
            ws[f"{spec.letter('base')}{r}"] = bases[dept.name]
        if dept.name in reviewed:
            ws[f"{spec.letter('reviewer')}{r}"] = "王审核"
            ws[f"{spec.letter('reviewed')}{r}"] = date(2026, 12, 7)
            ws[f"{spec.letter('approver')}{r}"] = "李主管"
            ws[f"{spec.letter('approved')}{r}"] = date(2026, 12, 8)
    wb.save(path)


def test_the_close_warns_of_unreviewed_departments_by_default(tmp_path: Path) -> None:
    folder = build_month(tmp_path)
    _type_on_summary(folder, BASES, {d.name for d in RULES.departments} - {"管网部"})
    result = close_month(MONTH, tmp_path, now=NOW, rules=RULES)
    (note,) = [n for n in result.notes if "考核办法5.3" in n]
    assert "管网部未审核、未审批" in note and "客服部" not in note
    record = json.loads(MonthFolder(tmp_path, MONTH).record_path.read_text(encoding="utf-8"))
    assert record["审核审批"]["客服部"] == {"审核人": "王审核", "审核日期": "2026-12-07", "审批人": "李主管", "审批日期": "2026-12-08"}
    assert record["审核审批"]["管网部"] == {"审核人": "", "审核日期": "", "审批人": "", "审批日期": ""}


def test_with_the_setting_the_close_refuses_until_every_department_is_approved(tmp_path: Path) -> None:
    folder = build_month(tmp_path)
    _type_on_summary(folder, BASES, {d.name for d in RULES.departments} - {"管网部"})
    assert any("管网部未审核" in n and "结账会被拒绝" in n for n in preview_close(MONTH, tmp_path, now=NOW, rules=STRICT).notes)
    with pytest.raises(NotApprovedError, match="审批后方可结账.*管网部未审核、未审批"):
        close_month(MONTH, tmp_path, now=NOW, rules=STRICT)
    mf = MonthFolder(tmp_path, MONTH)
    assert not mf.closed and not mf.out_dir.exists() and not mf.record_path.exists()
    _type_on_summary(folder, {}, {"管网部"})
    result = close_month(MONTH, tmp_path, now=NOW, rules=STRICT)
    assert mf.closed and not [n for n in result.notes if "考核办法5.3" in n]


@pytest.fixture(scope="module")
def closed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    root = tmp_path_factory.mktemp("closed")
    folder = build_month(root)
    _type_on_summary(folder, BASES, {d.name for d in RULES.departments})
    return root, close_month(MONTH, root, now=NOW, rules=RULES)


def _form_rows(path: Path) -> dict[str, tuple]:
    ws = load_workbook(path)[allowance_form.SHEET]
    return {r[0]: r[1:5] for r in ws.iter_rows(min_row=5, values_only=True) if r[0] in {d.name for d in RULES.departments} | {"合计"}}


def test_the_allowance_application_holds_the_closed_figures(closed: tuple[Path, object]) -> None:
    root, result = closed
    path = result.outputs["服务津贴申请"]
    assert path == MonthFolder(root, MONTH).output("服务津贴申请") and path.name == "2026-11_服务津贴申请.xlsx"
    rows = _form_rows(path)
    for name, card in result.cards.items():
        score, grade, base, money = rows[name]
        assert score == card.score and (grade if grade != "—" else "") == card.grade
        assert base == (card.allowance_base if card.allowance_base is not None else "未填")
        assert money == (card.allowance if card.allowance is not None else "—")
    # by hand: 兼职服务津贴 = 基数 × 得分 / 100 (考核 9), rounded to 2 places
    k = result.cards["客服部"]
    assert rows["客服部"][3] == round(500 * k.score / 100, 2)
    g = result.cards["管网部"]
    assert rows["管网部"][3] == round(400 * g.score / 100, 2)
    assert rows["合计"][2:] == (900, round(rows["客服部"][3] + rows["管网部"][3], 2))
    ws = load_workbook(path)[allowance_form.SHEET]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(t.startswith("编制人") for t in texts) and any(t.startswith("服务主管审批") for t in texts)
    assert "（考核 9）" in texts and "审核 王审核 / 审批 李主管" in texts


def test_the_command_writes_the_same_figures_from_the_close_record(closed: tuple[Path, object], tmp_path: Path) -> None:
    root, result = closed
    path = allowance.make_allowance_form(MONTH, root)
    assert path == result.outputs["服务津贴申请"]  # the close's own is kept
    before = _form_rows(path)
    again = allowance.make_allowance_form(MONTH, root, replace=True)
    assert _form_rows(again) == before
    build_month(tmp_path)
    with pytest.raises(allowance.AllowanceFormError, match="尚未结账"):
        allowance.make_allowance_form(MONTH, tmp_path)


def test_the_form_is_refused_while_another_writer_holds_the_month(closed: tuple[Path, object]) -> None:
    """One writer at a time: while a forced re-close holds the month, the form is refused at
    once naming the holder, and the file the close wrote stays as it was."""
    root, result = closed
    path = result.outputs["服务津贴申请"]
    before = path.read_bytes()
    with MonthLock(MonthFolder(root, MONTH).path, "结账", user="孙雪燕"), pytest.raises(MonthBusyError, match="孙雪燕"):
        allowance.make_allowance_form(MONTH, root, replace=True)
    assert path.read_bytes() == before


def test_the_allowance_application_prints_on_one_a4_page(closed: tuple[Path, object], tmp_path: Path, require_libreoffice: str) -> None:
    _, result = closed
    pdf = libreoffice.render_pdf(result.outputs["服务津贴申请"], tmp_path)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    size = next(line for line in info.splitlines() if line.startswith("Page size:"))
    assert pages == 1, info
    assert "595" in size and ("841" in size or "842" in size), size  # A4 portrait, in points


def test_the_note_groups_departments_by_what_they_miss() -> None:
    from xinao_xl.services.approval import Review, approval_notes

    done = {"reviewer": "王", "reviewed": date(2026, 12, 7), "approver": "李", "approved": date(2026, 12, 8)}
    reviews = {d.name: Review(d.name, **done) for d in RULES.departments}
    assert approval_notes(reviews) == []
    reviews["客服部"] = Review("客服部")
    reviews["管网部"] = Review("管网部")
    reviews["计财部"] = Review("计财部", "王", date(2026, 12, 7))  # reviewed, not approved
    (note,) = approval_notes(reviews)
    assert note.startswith("考核表“汇总”中客服部、管网部未审核、未审批；计财部未审批（考核办法5.3")
    (note,) = approval_notes({d.name: Review(d.name) for d in RULES.departments})
    assert note.startswith("考核表“汇总”中各部门都未审核、未审批（")
