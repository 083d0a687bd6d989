"""The monthly close on a hand-typed month (tests/services/hand_month.py): numbers recomputed
by hand, the outputs, refusal of a second close, identical forced re-run, carry-over."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
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
from xinao_xl.services import validate
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
    # the closed 考核表 shows (and prints: its print area is A:J) the closed figures, 合计 too,
    # as values any viewer shows; beside them what the workbook showed and 核对
    wb = load_workbook(result.outputs["考核表"])
    summary = assessment.summary_sheet(H.RULES)
    ws = wb[assessment.SUMMARY]
    row = summary.row_of("客服部")
    assert [ws.cell(row=row, column=c).value for c in range(2, 10)] == [74, 8, 34, None, 0.15, 5.1, 2000, 680]  # grade blank; 0.15 × 34; 2000 × 34 / 100
    assert all(ws.cell(row=row, column=c).data_type != "f" for c in range(2, 10))
    total = summary.row_of("total")
    # what prints is A1:N<合计>: the closed figures and their 合计 with 审核人 … 审批日期 (K–N, issue 19),
    # not the 核对 columns beside them
    assert ws.print_area == f"'{assessment.SUMMARY}'!$A$1:$N${total}" and len(summary.columns) == 14
    cards = result.cards.values()
    assert ws.cell(row=total, column=7).value == pytest.approx(sum(c.company_item for c in cards))
    assert ws.cell(row=total, column=9).value == 680  # only 客服部 has a base
    first = len(summary.columns) + 2
    assert [ws.cell(row=summary.header_row, column=first + i).value for i in range(4)] == ["工作簿扣分合计", "工作簿加分合计", "工作簿得分", "核对"]
    # the hand month was written by openpyxl and never opened in Excel: nothing to compare, said plainly
    assert ws.cell(row=row, column=first + 3).value.startswith("未核对：考核表保存后没有经过Excel计算")
    dept = wb["客服部"]
    spec = assessment.department_sheet(H.RULES.department("客服部"))
    assert [dept.cell(row=spec.row_of(k), column=8).value for k in ("total_deduct", "total_bonus", "score")] == [74, 8, 34]
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
    # open complaints and flow forms, and 客服部's 服务津贴基数 (a standing figure, issue 12)
    assert result.carried == {"complaints": 2, "flow_forms": 1, "allowance_bases": 1}
    nxt = root / "2026-12"
    summary = BookReader(nxt / file_name(assessment.STEM, "2026-12")).form(assessment.summary_sheet(H.RULES))
    assert summary.value("客服部", "base") == H.BASE and summary.value("管网部", "base") is None
    complaints = BookReader(nxt / file_name(complaint_ledger.STEM, "2026-12")).table(complaint_ledger.ledger_sheet(H.RULES)).records()
    assert [r["no"] for r in complaints] == ["TS000", "TS003"]
    assert all(r["note"].startswith("上月结转") for r in complaints)
    calls = BookReader(nxt / file_name(callback_ledger.STEM, "2026-12")).table(callback_ledger.ledger_sheet()).records()
    assert [(r["flow_no"], r["phone"], r["feedback_date"]) for r in calls] == [("LZ002", "13900000010", None)]


def test_the_carried_base_gives_next_month_its_allowance(tmp_path: Path) -> None:
    """Before issue 12 the next month's 服务津贴基数 was blank, and so was its 津贴. December
    (nothing typed, the carried items not late) closes 客服部 at 100 points: 津贴 = 2000
    (carried) × 100 / 100 = 2000; a department without a base still has none."""
    H.build(tmp_path)
    close_month(H.MONTH, tmp_path, now=H.NOW)
    december = close_month("2026-12", tmp_path, now=datetime(2027, 1, 4, 9), db="off").cards
    assert (december["客服部"].score, december["客服部"].allowance_base, december["客服部"].allowance) == (100, H.BASE, 2000)
    assert december["管网部"].allowance is None


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


def test_check_says_in_plain_words_why_it_did_not_compare() -> None:
    """核对 of the closed 考核表: 一致, the differences, or 未核对 with the reason in words staff use."""
    from xinao_xl.books.read import FormRead
    from xinao_xl.policy.scoring import ScoreCard
    from xinao_xl.services.close import NOT_CHECKED, NOT_RECALCULATED, _check

    spec = assessment.summary_sheet(H.RULES)
    card = ScoreCard("客服部", H.MONTH, (), 74.0, 8.0, 34.0, "", 0.15, 5.1, 2000.0, 680.0)

    def cached(**values: object) -> FormRead:
        return FormRead.of("k.xlsx", spec, {"客服部": values})

    notes: list[str] = []
    assert _check("客服部", cached(), card, notes) == NOT_CHECKED
    assert NOT_CHECKED.startswith("未核对：") and "Excel" in NOT_CHECKED and "缓存" not in NOT_CHECKED
    same = cached(deduct=74.0, bonus=8.0, score=34.0, grade="", allowance=680.0)
    assert _check("客服部", same, card, notes) == "一致" and notes == []
    assert _check("客服部", same, card, notes, recalculated=False) == NOT_RECALCULATED
    other = cached(deduct=74.01, bonus=8.0, score=33.99, grade="C", allowance=679.8)
    text = _check("客服部", other, card, notes, stale=True)
    assert text.startswith("不一致：扣分合计 工作簿 74.01 / 结账 74") and "考核等级 工作簿“C”/ 结账“空”" in text
    assert "刷新汇入" in text and notes and "刷新汇入" in notes[0]


def test_a_month_whose_assessment_predates_the_imports_sheet_closes(tmp_path: Path) -> None:
    """A month under way when the office upgrades: its 考核表 has no 汇入 and the old 加减分明细
    (渠道, 级别, 有责/无责 between 类型 and 数量). Validation warns, nothing blocks the close (it
    counts from the ledgers as always), and the closed copy writes 分值 into the old column."""
    H.build(tmp_path)
    path = MonthFolder(tmp_path, H.MONTH).book(assessment.STEM)
    wb = load_workbook(path)
    del wb["汇入"]
    items = wb[assessment.ITEMS]
    items.insert_cols(4, 3)
    for col, header in zip((4, 5, 6), ("渠道", "级别", "有责/无责"), strict=True):
        items.cell(row=2, column=col, value=header)
    dept = H.RULES.department("客服部")
    spec = assessment.department_sheet(dept)
    row = spec.row_of(assessment.indicator_key(dept.indicator("维修业务回访满意度")))
    wb[dept.name][f"F{row}"] = 0.99  # the old 考核表's 审核 was typed
    wb.save(path)
    findings = validate.validate_month(tmp_path / H.MONTH, now=H.NOW)
    assert not [f for f in findings if f.is_error], [f.message for f in findings if f.is_error]
    assert any("没有可刷新的“汇入”表（本月考核表由旧版本生成）" in f.message for f in findings)
    result = close_month(H.MONTH, tmp_path, now=H.NOW, user="测试")
    assert result.cards["客服部"].score == 34  # as the hand month's: the ledgers decide
    closed = load_workbook(result.outputs["考核表"])[assessment.ITEMS]
    # 表扬 ×2 in the first row: 填报分值 (now column H) untouched, 分值 (K) +4
    assert closed["K3"].value == 4 and closed["H3"].value is None and closed["G3"].value == 2
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
