"""The monthly close on a hand-typed month (tests/services/hand_month.py): numbers recomputed
by hand, the outputs, refusal of a second close, identical forced re-run, carry-over."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

import xinao_xl
from xinao_xl.books import assessment, callback_ledger, complaint_ledger, opinions
from xinao_xl.books.month_folder import MARKER, OUT_DIR, MonthFolder
from xinao_xl.books.read import BookReader
from xinao_xl.books.save import sha256
from xinao_xl.books.workbooks import file_name
from xinao_xl.services.close import CloseError, MonthClosedError, ValidationFailed, close_month

from . import hand_month as H


@pytest.fixture(scope="module")
def closed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object, list[tuple[int, int, str]]]:
    root = tmp_path_factory.mktemp("close")
    H.build(root)
    steps: list[tuple[int, int, str]] = []
    result = close_month(H.MONTH, root, user="测试员", now=H.NOW, progress=lambda i, n, text: steps.append((i, n, text)))
    return root, result, steps


def test_customer_service_score_recomputed_by_hand(closed) -> None:
    _, result, _ = closed
    card = result.cards["客服部"]
    # Deductions, in the order of hand_month's docstring:
    #   入户及时率 (50% − 46%) = 4 points × 2            =  8
    #   用户好评率 审核 93%: (95% − 93%) = 2 × 2          =  4
    #   零散 满意度 4/(4+1) = 80%: (98% − 80%) = 18 × 2  = 36
    #   维修 满意度 3/3 = 100% (未接通 left out)          =  0
    #   置换 满意度 no callback → 自评 97%: 1 × 2         =  2
    #   控股神秘客户检测 (95 − 93.5) = 1.5 × 3            =  4.5
    #   服务体系建设相关工作 (by hand)                    =  1.5
    #   投诉 TS001 400 4级 有责                           = 15
    #   投诉 TS002 95158 无责                             =  0
    #   流转单 LZ001 answered 11-13 09:00 > 11-12 24:00   =  2
    #   手工扣分                                          =  1
    deductions = 8 + 4 + 36 + 0 + 2 + 4.5 + 1.5 + 15 + 0 + 2 + 1
    bonuses = 2 * 2 + 4  # 表扬 ×2 at 2 points, 媒体表扬 4
    assert deductions == 74 and bonuses == 8
    assert card.deductions == deductions
    assert card.bonuses == bonuses
    assert card.score == 100 - 74 + 8 == 34
    assert card.company_item == pytest.approx(0.15 * 34)  # weight 15% × score (≤ 100)
    assert card.allowance == 2000 * 34 / 100 == 680
    assert card.grade == ""
    # 管网部: TS003 400 3级 有责 (20) + LZ002 still open on 12-03 (2) → 78
    assert result.cards["管网部"].score == 100 - 20 - 2 == 78
    # 计财部: TS000 was accepted in October → not this month
    assert result.cards["计财部"].score == 100
    assert set(result.cards) == set(H.RULES.department_names)


def test_outputs_record_marker_and_progress(closed) -> None:
    root, result, steps = closed
    folder = root / H.MONTH
    assert [s[0] for s in steps] == list(range(1, 9)) and all(n == 8 for _, n, _ in steps)
    assert {p.parent for p in result.outputs.values()} == {folder / OUT_DIR}
    assert (folder / MARKER).exists()
    record = json.loads(MonthFolder(root, H.MONTH).record_path.read_text(encoding="utf-8"))
    assert record["结账人"] == "测试员" and record["工具版本"] == f"xinao-xl {xinao_xl.__version__}"
    for stem in (assessment.STEM, callback_ledger.STEM, complaint_ledger.STEM):
        name = file_name(stem, H.MONTH)
        assert record["inputs"][name] == sha256(folder / name)
    assert record["得分"]["客服部"]["月度服务得分"] == 34
    # the closed 考核表: our values beside the formulas, the formulas still there
    wb = load_workbook(result.outputs["考核表"])
    summary = assessment.summary_sheet(H.RULES)
    ws = wb[assessment.SUMMARY]
    row = summary.row_of("客服部")
    first = len(summary.columns) + 2
    assert [ws.cell(row=row, column=first + i).value for i in range(3)] == [74, 8, 34]
    assert ws.cell(row=row, column=4).data_type == "f"  # the live formula is kept
    assert "无缓存值" in ws.cell(row=row, column=first + 6).value
    assert "结账明细" in wb.sheetnames


def test_equals_text_stays_text_in_every_output(closed) -> None:
    _, result, _ = closed
    for key in ("意见统计表", "回访报告", "流转单"):
        wb = load_workbook(result.outputs[key])
        cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
        texts = [c.value for c in cells]
        assert cells, key
        assert all(c.data_type == "s" for c in cells), key
        assert any(H.EQ_OPINION in v or H.EQ_REASON in v for v in texts), key
    notes = BookReader(result.outputs["意见统计表"]).table(opinions.opinions_sheet())
    assert H.EQ_OPINION in [r["opinion"] for r in notes.records()]
    assert len(notes.records()) == 4  # the 3 不满意 and the one suggestion


def test_closing_again_is_refused_and_force_needs_a_reason(closed) -> None:
    root, _, _ = closed
    with pytest.raises(MonthClosedError, match="已.*结账"):
        close_month(H.MONTH, root, now=H.NOW)
    with pytest.raises(CloseError, match="原因"):
        close_month(H.MONTH, root, now=H.NOW, force=True)


def _values(path: Path) -> dict[str, list[list[object]]]:
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def test_forced_rerun_gives_identical_results(tmp_path: Path) -> None:
    H.build(tmp_path)
    first = close_month(H.MONTH, tmp_path, now=H.NOW)
    before = {k: _values(p) for k, p in first.outputs.items()}
    next_before = {p.name: _values(p) for p in first.next_paths}
    again = close_month(H.MONTH, tmp_path, now=H.NOW, force=True, reason="复核后重新结账")
    assert again.cards == first.cards
    assert {k: _values(p) for k, p in again.outputs.items()} == before
    assert {p.name: _values(p) for p in again.next_paths} == next_before  # untouched next month regenerated the same
    record = json.loads(MonthFolder(tmp_path, H.MONTH).record_path.read_text(encoding="utf-8"))
    assert record["强制结账"] is True and record["强制原因"] == "复核后重新结账"


def test_carry_over_into_next_month(closed) -> None:
    root, result, _ = closed
    assert result.next_month == "2026-12"
    assert result.carried == {"complaints": 2, "flow_forms": 1}
    nxt = root / "2026-12"
    complaints = BookReader(nxt / file_name(complaint_ledger.STEM, "2026-12")).table(complaint_ledger.ledger_sheet(H.RULES)).records()
    assert [r["no"] for r in complaints] == ["TS000", "TS003"]
    assert all(r["note"].startswith("上月结转") for r in complaints)
    calls = BookReader(nxt / file_name(callback_ledger.STEM, "2026-12")).table(callback_ledger.ledger_sheet()).records()
    assert [(r["flow_no"], r["phone"], r["feedback_date"]) for r in calls] == [("LZ002", "13900000010", None)]


def test_next_month_with_typing_is_left_alone(tmp_path: Path) -> None:
    H.build(tmp_path)
    close_month(H.MONTH, tmp_path, now=H.NOW)
    ledger = tmp_path / "2026-12" / file_name(callback_ledger.STEM, "2026-12")
    wb = load_workbook(ledger)
    wb[callback_ledger.LEDGER]["A10"] = "staff typed"
    wb.save(ledger)
    digest = sha256(ledger)
    result = close_month(H.MONTH, tmp_path, now=H.NOW, force=True, reason="补录")
    assert sha256(ledger) == digest
    assert any("2026-12" in n and "未重新生成" in n for n in result.notes)


def test_errors_stop_the_close_unless_forced(tmp_path: Path) -> None:
    folder = H.build(tmp_path)
    ledger = folder / file_name(callback_ledger.STEM, H.MONTH)
    wb = load_workbook(ledger)
    wb[callback_ledger.LEDGER]["O7"] = None  # 不满意 without 流转单 (是否流转 blank): 错误
    wb.save(ledger)
    with pytest.raises(ValidationFailed) as info:
        close_month(H.MONTH, tmp_path, now=H.NOW)
    assert any(f.is_error and f.cell == "O7" for f in info.value.findings)
    assert not (folder / MARKER).exists() and not (folder / OUT_DIR).exists()
    result = close_month(H.MONTH, tmp_path, now=H.NOW, force=True, reason="流转单纸质已办")
    assert result.forced and (folder / MARKER).exists()


def test_open_workbook_is_refused(tmp_path: Path) -> None:
    folder = H.build(tmp_path)
    (folder / ("~$" + file_name(assessment.STEM, H.MONTH))).write_text("lock")
    with pytest.raises(Exception, match="正在被"):
        close_month(H.MONTH, tmp_path, now=H.NOW)
    shutil.rmtree(folder)


def test_cli_close_and_demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from xinao_xl.cli import main

    H.build(tmp_path / "m")
    assert main(["close", H.MONTH, "--dir", str(tmp_path / "m"), "--now", "2026-12-03T09:00", "--user", "测试员"]) == 0
    out = capsys.readouterr()
    assert "客服部" in out.out and "34" in out.out and "8/8" in out.err
    assert main(["close", H.MONTH, "--dir", str(tmp_path / "m")]) == 2
    assert "已于" in capsys.readouterr().err

    assert main(["demo", "--dir", str(tmp_path / "demo")]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in H.RULES.department_names) and "月度服务得分" in out
    assert (tmp_path / "demo" / "2026-11" / OUT_DIR).is_dir() and (tmp_path / "demo" / "2026-12").is_dir()
    (tmp_path / "notdemo" / "2026-11").mkdir(parents=True)
    assert main(["demo", "--dir", str(tmp_path / "notdemo")]) == 2


def test_the_months_validation_results_are_not_left_after_the_close(tmp_path: Path) -> None:
    """The 校验结果 of the run before the close describe the books before it: removed. A
    marked copy an earlier version wrote beside a book may hold a clerk's edits: kept in
    历史版本, then removed."""
    from xinao_xl.cli import main

    folder = H.build(tmp_path)
    assert main(["validate", str(folder), "--now", "2026-12-03T09:00"]) in (0, 1)
    mf = MonthFolder(tmp_path, H.MONTH)
    assert mf.results_path.is_file()
    legacy = folder / f"{file_name(callback_ledger.STEM, H.MONTH)[:-5]}_校验结果.xlsx"
    shutil.copyfile(mf.book(callback_ledger.STEM), legacy)
    close_month(H.MONTH, tmp_path, now=H.NOW)
    assert not mf.results_path.exists() and not legacy.exists()
    assert [p.name.split(".")[0] for p in (folder / "历史版本").glob("*.xlsx")] == [legacy.stem]
