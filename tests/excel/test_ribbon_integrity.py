"""校验本簿 on a closed month: a workbook changed after the close is reported (file, when
closed, by whom) before the cell findings, as `xinao-xl validate` does."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from tests.excel.test_ribbon import FakeSession
from tests.services.month import MONTH, NOW, build_month
from xinao_xl.books import assessment, callback_ledger
from xinao_xl.books.workbooks import file_name
from xinao_xl.excel import ribbon
from xinao_xl.services.close import close_month


def test_validate_book_reports_a_workbook_changed_after_the_close(tmp_path: Path) -> None:
    folder = build_month(tmp_path)
    close_month(MONTH, tmp_path, user="孙雪燕", now=NOW)
    session = FakeSession(folder / file_name(assessment.STEM, MONTH))
    assert "在结账后被修改" not in ribbon.validate_book(session, now=NOW)

    ledger = folder / file_name(callback_ledger.STEM, MONTH)
    wb = load_workbook(ledger)
    wb[callback_ledger.LEDGER]["K3"] = "不满意"
    wb.save(ledger)
    message = ribbon.validate_book(FakeSession(folder / file_name(assessment.STEM, MONTH)), now=NOW)
    lines = message.splitlines()
    assert lines[1].startswith(f"[错误] {ledger.name}：{ledger.name} 在结账后被修改")
    assert "2026-12-01 10:00 由 孙雪燕 结账" in lines[1]
