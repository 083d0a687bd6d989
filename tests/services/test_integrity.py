"""A closed month's workbooks against the SHA-256 in its 结账记录: verify, validate,
close --force and doctor name the changed file, when the month was closed and by whom."""

from __future__ import annotations

import csv
import json
import os
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from xinao_xl.books import callback_ledger, complaint_ledger
from xinao_xl.books.month_folder import OUT_DIR, MonthFolder, closed_months
from xinao_xl.books.save import sha256
from xinao_xl.books.workbooks import file_name
from xinao_xl.cli import main
from xinao_xl.policy import clock
from xinao_xl.services import doctor, validate
from xinao_xl.services.close import close_month
from xinao_xl.services.integrity import CHANGED, MISSING, RESAVED, verify_month

from . import hand_month as H

CLOSED_AT = "2026-12-03 09:00"  # H.NOW
USER = "测试员"


@pytest.fixture(scope="module")
def closed_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("closed")
    H.build(root)
    close_month(H.MONTH, root, user=USER, now=H.NOW)
    return root


@pytest.fixture
def root(closed_root: Path, tmp_path: Path) -> Path:
    """A fresh copy of the closed month (and 2026-10, 2026-12) for each test."""
    target = tmp_path / "root"
    shutil.copytree(closed_root, target)
    return target


def _ledger(root: Path) -> Path:
    return root / H.MONTH / file_name(callback_ledger.STEM, H.MONTH)


def _edit_ledger(root: Path) -> Path:
    """What staff do after the close: open last month's 台账, change a result, save."""
    path = _ledger(root)
    wb = load_workbook(path)
    wb[callback_ledger.LEDGER]["K7"] = "满意"  # row 7 was 不满意
    wb.save(path)
    os.utime(path, (clock.aware(datetime(2026, 12, 5, 14, 20)).timestamp(),) * 2)  # 14:20 Beijing time, whatever the machine's zone
    return path


def test_an_untouched_closed_month_verifies(root: Path) -> None:
    result = verify_month(root, H.MONTH)
    assert result.closed and result.ok and result.checked == 4
    assert result.messages() == [f"{H.MONTH} 的 4 个输入工作簿与结账记录一致（{H.MONTH} 于 {CLOSED_AT} 由 {USER} 结账）"]
    assert closed_months(root) == [H.MONTH]  # 2026-10 and 2026-12 are not closed
    assert validate.closed_month_findings(validate.month_sources(root / H.MONTH)[0]) == []
    assert [c.level for c in doctor.check_closed_months(root / "2026-12")] == [doctor.OK]


def test_a_changed_input_is_named_with_when_and_by_whom(root: Path) -> None:
    path = _edit_ledger(root)
    result = verify_month(root, H.MONTH)
    assert not result.ok
    assert [(c.name, c.state, c.modified) for c in result.inputs] == [(path.name, CHANGED, datetime(2026, 12, 5, 14, 20))]
    (message,) = result.input_messages()
    assert message.startswith(f"{path.name} 在结账后被修改（文件修改时间 2026-12-05 14:20）（{H.MONTH} 于 {CLOSED_AT} 由 {USER} 结账）")
    assert f"xinao-xl close {H.MONTH} --force" in message

    findings = validate.validate_month(root / H.MONTH, now=H.NOW)
    assert findings[0] == validate.Finding(validate.ERROR, path.name, "", "", message)
    assert validate.has_errors(findings)

    (check,) = doctor.check_closed_months(root / H.MONTH)
    assert (check.item, check.level, check.detail) == (f"已结账月份 {H.MONTH}", doctor.WARNING, message)
    assert [c.item for c in doctor.run_checks(addin_xlwings=None, month_folder=root)][-1] == f"已结账月份 {H.MONTH}"


@pytest.mark.libreoffice
def test_a_workbook_only_resaved_is_not_a_change(root: Path, require_libreoffice: Any, tmp_path: Path) -> None:
    """Opening a closed 台账 and saving it (its NOW() makes Excel ask) changes the bytes,
    not the entries the close read: 已重新保存, no finding. LibreOffice does the saving here."""
    from tests.support.libreoffice import recalculate_many

    path = _ledger(root)
    closed_digest = json.loads(MonthFolder(root, H.MONTH).record_path.read_text(encoding="utf-8"))["inputs"][path.name]
    (saved,) = recalculate_many([path], tmp_path)
    shutil.copyfile(saved, path)
    assert sha256(path) != closed_digest
    result = verify_month(root, H.MONTH)
    assert result.ok and [(c.name, c.state) for c in result.inputs] == [(path.name, RESAVED)]
    assert result.input_messages() == [] and "结账所用的录入内容未变" in result.resaved_messages()[0]
    assert validate.closed_month_findings(validate.month_sources(root / H.MONTH)[0]) == []
    assert [c.level for c in doctor.check_closed_months(root)] == [doctor.OK]
    # a real change on top of the re-save is still a change
    wb = load_workbook(path)
    wb[callback_ledger.LEDGER]["L3"] = "希望提前联系"  # 客户意见 of row 3
    wb.save(path)
    assert [c.state for c in verify_month(root, H.MONTH).inputs] == [CHANGED]


def test_a_forced_reclose_says_what_changed_then_verifies_again(root: Path) -> None:
    path = _edit_ledger(root)
    result = close_month(H.MONTH, root, user="复核员", now=datetime(2026, 12, 6, 8, 0), force=True, reason="更正回访结果")
    assert any(n.startswith(f"{path.name} 在结账后被修改") and USER in n and CLOSED_AT in n for n in result.notes)
    record = json.loads(MonthFolder(root, H.MONTH).record_path.read_text(encoding="utf-8"))
    assert any(path.name in n for n in record["注意"])  # the new record keeps what the old one no longer can
    again = verify_month(root, H.MONTH)
    assert again.ok and "2026-12-06 08:00 由 复核员 结账（强制）" in again.messages()[0]


def test_missing_file_record_problems_and_an_open_month(root: Path) -> None:
    complaints = root / H.MONTH / file_name(complaint_ledger.STEM, H.MONTH)
    complaints.unlink()
    (change,) = verify_month(root, H.MONTH).inputs
    assert (change.name, change.state) == (complaints.name, MISSING)

    record = MonthFolder(root, H.MONTH).record_path
    record.write_text("{不是JSON", encoding="utf-8")
    result = verify_month(root, H.MONTH)
    assert not result.ok and "无法读取" in result.record_problem
    record.unlink()
    assert "找不到结账记录" in verify_month(root, H.MONTH).record_problem

    nxt = verify_month(root, "2026-12")
    assert not nxt.closed and nxt.input_messages() == [] and "尚未结账" in nxt.messages()[0]


def test_changed_outputs_are_reported_by_verify_only(root: Path) -> None:
    report = root / H.MONTH / OUT_DIR / f"{H.MONTH}_客户回访报告.xlsx"
    wb = load_workbook(report)
    wb.active["J1"] = "整改建议：加强上门前电话联系"
    wb.save(report)
    result = verify_month(root, H.MONTH)
    assert result.ok and result.input_messages() == []
    assert [c.name for c in result.outputs] == [f"{OUT_DIR}/{report.name}"]
    assert "整改建议属正常" in result.output_messages()[0]


def test_cli_verify_exit_codes(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", H.MONTH, "--dir", str(root)]) == 0
    assert "一致" in capsys.readouterr().out
    path = _edit_ledger(root)
    assert main(["verify", "--dir", str(root)]) == 1  # every closed month under --dir
    out = capsys.readouterr().out
    assert path.name in out and USER in out and CLOSED_AT in out
    assert main(["verify", "2026-12", "--dir", str(root)]) == 2
    assert "尚未结账" in capsys.readouterr().out
    assert main(["verify", "2026-13", "--dir", str(root)]) == 2
    assert main(["verify", "--dir", str(root / "2026-10")]) == 2
    assert "没有已结账的月份" in capsys.readouterr().err


def test_cli_validate_reports_it_and_writes_a_csv(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _edit_ledger(root)
    target = root / "校验结果.csv"
    code = main(["validate", str(root / H.MONTH), "--now", "2026-12-03T09:00", "--out", str(root / "out"), "--csv", str(target)])
    assert code == 1
    assert path.name in capsys.readouterr().out
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(target, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == list(validate.HEADERS)
    assert rows[1][1:5] == [validate.ERROR, path.name, "", ""] and "在结账后被修改" in rows[1][5]


def test_a_formula_typed_over_with_a_number_is_a_change(root: Path) -> None:
    """The 汇总's 月度服务得分 of a department overwritten with 100 (what validate calls an
    error): the entry cells are as closed, the formula is gone, so verify says 已修改 — not
    已重新保存. The same workbook only re-saved (formulas where they were) stays a re-save."""
    from xinao_xl.books import assessment
    from xinao_xl.policy.rules import load_rules

    path = root / H.MONTH / file_name(assessment.STEM, H.MONTH)
    summary = assessment.summary_sheet(load_rules())
    cell = summary.cell("客服部", "score")
    wb = load_workbook(path)
    ws = wb[assessment.SUMMARY]
    assert ws[cell].data_type == "f"
    wb.save(path)  # openpyxl re-save: bytes differ, entries and formula cells as closed
    assert [(c.name, c.state) for c in verify_month(root, H.MONTH).inputs] == [(path.name, RESAVED)]
    wb = load_workbook(path)
    wb[assessment.SUMMARY][cell].value = 100
    wb.save(path)
    result = verify_month(root, H.MONTH)
    assert [(c.name, c.state) for c in result.inputs] == [(path.name, CHANGED)]
    assert result.input_messages()[0].startswith(f"{path.name} 在结账后被修改")
    assert any(f.is_error and f.workbook == path.name and "公式被改写为“100”" in f.message
               for f in validate.validate_month(root / H.MONTH, now=H.NOW))  # validate agrees


def test_a_record_from_before_formulas_were_covered_is_checked_as_it_was_written(root: Path) -> None:
    """A 结账记录 without 内容摘要版本 holds version-1 digests (entry cells only): still a re-save."""
    from xinao_xl.books.read import BookReader
    from xinao_xl.policy.rules import load_rules
    from xinao_xl.services.integrity import DIGEST_VERSION_KEY, content_digest

    record_file = MonthFolder(root, H.MONTH).record_path
    record = json.loads(record_file.read_text(encoding="utf-8"))
    assert record.pop(DIGEST_VERSION_KEY) == 3  # 3 since issue 19 (the review cells of 汇总)
    path = _ledger(root)
    record["内容摘要"][path.name] = content_digest(BookReader(path), callback_ledger.STEM, load_rules(), version=1)
    record_file.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    wb = load_workbook(path)
    wb.save(path)
    assert [(c.name, c.state) for c in verify_month(root, H.MONTH).inputs] == [(path.name, RESAVED)]


def test_a_version_2_record_knows_no_review_cells(tmp_path: Path) -> None:
    """Records before issue 19 (digest version 2) hold digests of a 考核表 without 审核人 … 审批日期:
    checked their way, typing a reviewer changes nothing; version 3 sees it."""
    from xinao_xl.books import assessment
    from xinao_xl.books.read import BookReader
    from xinao_xl.policy.rules import load_rules
    from xinao_xl.services.integrity import content_digest

    path = tmp_path / "考核表.xlsx"
    assessment.build_assessment("2026-11").save(path)
    before = {v: content_digest(BookReader(path), assessment.STEM, load_rules(), version=v) for v in (2, 3)}
    wb = load_workbook(path)
    wb[assessment.SUMMARY]["K3"] = "王审核"  # 审核人 of the first department
    wb.save(path)
    after = {v: content_digest(BookReader(path), assessment.STEM, load_rules(), version=v) for v in (2, 3)}
    assert after[2] == before[2] and after[3] != before[3]
