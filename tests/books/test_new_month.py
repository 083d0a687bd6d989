"""The new-month and templates use cases, and the committed templates being up to date."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from xinao_xl.books.save import history_versions, sha256
from xinao_xl.books.workbooks import BOOKS
from xinao_xl.services.new_month import (
    MonthExistsError,
    WorkbookOpenError,
    create_month,
    write_templates,
)

from .fingerprint import diff, fingerprint

REPO = Path(__file__).resolve().parents[2]


def test_new_month_writes_the_four_workbooks(tmp_path: Path) -> None:
    paths = create_month("2026-12", tmp_path)
    assert [p.parent for p in paths] == [tmp_path / "2026-12"] * 4
    assert {p.name for p in paths} == {f"2026-12_{stem}.xlsx" for stem, _ in BOOKS}
    assert not list((tmp_path / "2026-12").glob("*.tmp*"))


def test_new_month_refuses_an_existing_month(tmp_path: Path) -> None:
    create_month("2026-12", tmp_path)
    with pytest.raises(MonthExistsError, match="已存在"):
        create_month("2026-12", tmp_path)


def test_overwrite_keeps_the_old_files_and_refuses_an_open_workbook(tmp_path: Path) -> None:
    first = create_month("2026-12", tmp_path)
    digests = [sha256(p) for p in first]
    create_month("2026-12", tmp_path, overwrite=True)
    assert [[sha256(v) for v in history_versions(p)] for p in first] == [[d] for d in digests]
    (tmp_path / "2026-12" / f"~${first[1].name}").write_bytes(b"")
    with pytest.raises(WorkbookOpenError, match="正在被"):
        create_month("2026-12", tmp_path, overwrite=True)


@pytest.mark.parametrize("month", ["2026-13", "202612", "26-12", ""])
def test_bad_month_is_refused_in_chinese(tmp_path: Path, month: str) -> None:
    with pytest.raises(ValueError, match="月份格式"):
        create_month(month, tmp_path)


def test_committed_templates_match_a_fresh_generation(tmp_path: Path) -> None:
    """Fails when workbooks/ is stale: run `xinao-xl templates` and commit the result."""
    fresh = write_templates(tmp_path)
    for path in fresh:
        committed = REPO / "workbooks" / path.name
        assert committed.exists(), f"workbooks/{path.name} 缺失"
        problems = diff(fingerprint(committed), fingerprint(path))
        assert not problems, f"workbooks/{path.name} 与重新生成的不一致: " + "; ".join(problems)


def test_the_templates_carry_no_month(tmp_path: Path) -> None:
    """No "2026-12" in a template's titles, page headers or 规则 sheet: a template is any
    month's, the one of the folder and file name it is copied to."""
    from openpyxl import load_workbook

    from xinao_xl.books.calendar_sheet import SHEET as CALENDAR

    for path in write_templates(tmp_path):
        wb = load_workbook(path)
        for ws in wb.worksheets:
            texts = [ws["A1"].value or "", ws.oddHeader.center.text or ""]
            assert not any(re.search(r"20\d\d-\d\d|20\d\d年\d{1,2}月", t) for t in texts), (path.name, ws.title, texts)
        rules = wb["规则"]
        assert rules["A3"].value == "月份" and rules["B3"].value is None and "文件夹或文件名" in rules["C3"].value
        assert rules["B4"].value is None  # 月初日期
        if CALENDAR in wb.sheetnames:  # the last year the calendar data knows, and the next
            from xinao_xl.policy.calendar import default_calendar

            last = default_calendar().last_package_year()
            assert f"{last}–{last + 1}年" in wb[CALENDAR]["A1"].value


def test_a_template_copied_into_a_month_folder_is_that_months_blank_set(tmp_path: Path) -> None:
    """The four templates copied into 2026-11/ under the month's file names: validation finds
    them clean (the month comes from the folder and file names), and their formulas are
    those `new-month` writes for 2026-11, cell by cell."""
    import shutil

    from xinao_xl.books.read import read_formulas, sheet_parts
    from xinao_xl.books.workbooks import file_name
    from xinao_xl.services.validate import validate_month

    templates = write_templates(tmp_path / "模板")
    folder = tmp_path / "月度" / "2026-11"
    folder.mkdir(parents=True)
    for path in templates:
        shutil.copyfile(path, folder / f"2026-11_{path.name}")
    assert validate_month(folder) == []
    made = create_month("2026-11", tmp_path / "新建")
    for path in made:
        copied = folder / path.name
        for sheet in sheet_parts(path):
            assert read_formulas(copied, sheet) == read_formulas(path, sheet), (path.name, sheet)
    assert {p.name for p in made} == {file_name(stem, "2026-11") for stem, _ in BOOKS}
