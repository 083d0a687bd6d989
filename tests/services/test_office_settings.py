"""The office's settings end to end (issue 15, Done when; issue 12's calendar line).

- A target changed from 2027-01 changes 2027-01 everywhere — the rules listing, the new
  workbooks after LibreOffice recalculation, `score --dir`, the close — and leaves 2026-12
  as it was.
- A closed month's record holds its settings; a forced re-close reproduces its scores after
  the settings changed (and says so), unless told to use the current settings.
- Each kind of bad setting stops every command with the file, the cell and the fix, and
  leaves every file as it was (SHA-256).
- A 2027 appeal: validation says 日历未确认 at the deadline's cell; once the office confirms
  2027 in 制度设置.xlsx, the workbook (LibreOffice) and the close give the same deadline.
- An appeal upheld after its month's close comes back as 申诉调整 in the next close.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.support.libreoffice import recalculate_many
from xinao_xl.books import assessment, complaint_ledger, imported
from xinao_xl.books.cells import put
from xinao_xl.books.month_folder import MonthFolder
from xinao_xl.books.read import BookReader
from xinao_xl.books.settings_book import ensure_settings_book, settings_path
from xinao_xl.books.writer import write_record
from xinao_xl.cli import main
from xinao_xl.policy.rules import load_rules
from xinao_xl.services.close import close_month
from xinao_xl.services.new_month import create_month
from xinao_xl.services.refresh import refresh_month
from xinao_xl.services.validate import validate_month

RULES = load_rules()
DEPT = RULES.department("客服部")
VISIT = DEPT.indicator("入户及时率")
SPEC = assessment.department_sheet(DEPT)
VISIT_ROW = SPEC.row_of(assessment.indicator_key(VISIT))
COMPLAINTS = complaint_ledger.ledger_sheet(RULES)


def set_setting(root: Path, label: str, value: Any, since: Any = None, *, extra_row: bool = False) -> str:
    """Type the office's value on the setting's own row, or on a change row below the settings;
    returns the value's cell."""
    wb = load_workbook(settings_path(root))
    ws = wb["制度设置"]
    if extra_row:
        row = max(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value is not None) + 2
    else:
        row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == label)
    ws.cell(row, 1).value, ws.cell(row, 5).value, ws.cell(row, 6).value = label, value, since
    wb.save(settings_path(root))
    return f"E{row}"


def type_visit_rate(root: Path, month: str, rate: float) -> Path:
    """客服部's 入户及时率 审核实际 typed into the month's 考核表; returns the 考核表."""
    path = MonthFolder(root, month).book(assessment.STEM)
    wb = load_workbook(path)
    put(wb[DEPT.name], VISIT_ROW, 6, rate)
    wb.save(path)
    return path


def digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def two_months(tmp_path: Path) -> Path:
    """2026-12 and 2027-01, blank; 制度设置.xlsx with 入户及时率 60% from 2027-01; 55% typed in both."""
    ensure_settings_book(tmp_path)
    set_setting(tmp_path, "E城平台综合上门及时率标准", 0.6, "2027-01")
    for month in ("2026-12", "2027-01"):
        create_month(month, tmp_path)
        type_visit_rate(tmp_path, month, 0.55)
    return tmp_path


# --- a target changed from 2027-01 ----------------------------------------------------------------


def test_the_rules_listing_says_where_each_value_comes_from(two_months: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--dir", str(two_months), "--month", "2027-01"]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("E城平台综合上门及时率标准"))
    assert "60%" in line and "本单位（2027-01起）" in line
    assert "【尚未经本单位确认的默认解读" in out and "无责投诉是否扣分" in out.split("【尚未经本单位确认的默认解读")[1]
    assert main(["rules", "--dir", str(two_months), "--month", "2026-12"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("E城平台综合上门及时率标准"))
    assert "50%" in line and "制度（暂定）" in line


def test_score_with_the_dir_uses_the_months_settings(two_months: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for month, points in (("2026-12", 0), ("2027-01", 10)):  # (50% − 55%) → 0; (60% − 55%) × 2 = 10
        card = tmp_path / f"{month}.json"
        card.write_text(json.dumps({"department": "客服部", "month": month, "indicators": {"入户及时率": 0.55}}), encoding="utf-8")
        assert main(["score", str(card), "--dir", str(two_months)]) == 0
        assert json.loads(capsys.readouterr().out)["deductions"] == points
    assert main(["score", str(card)]) == 0  # without --dir: the policy's 50%
    assert json.loads(capsys.readouterr().out)["deductions"] == 0


@pytest.mark.libreoffice
def test_the_new_workbooks_compute_the_months_target(two_months: Path, require_libreoffice: Any, tmp_path: Path) -> None:
    books = [MonthFolder(two_months, m).book(assessment.STEM) for m in ("2026-12", "2027-01")]
    out = tmp_path / "recalculated"
    out.mkdir()
    december, january = (load_workbook(p, data_only=True) for p in recalculate_many(books, out))
    assert december[DEPT.name][f"D{VISIT_ROW}"].value == 0.5 and december[DEPT.name][f"H{VISIT_ROW}"].value == 0
    assert january[DEPT.name][f"D{VISIT_ROW}"].value == 0.6 and january[DEPT.name][f"H{VISIT_ROW}"].value == 10  # (60 − 55) × 2


def test_the_close_scores_each_month_with_its_settings(two_months: Path) -> None:
    december = close_month("2026-12", two_months, now=datetime(2027, 1, 4, 9), db="off")
    january = close_month("2027-01", two_months, now=datetime(2027, 2, 4, 9), db="off")
    assert december.cards["客服部"].score == 100  # 55% ≥ 50%
    assert january.cards["客服部"].score == 90  # 100 − (60 − 55) × 2
    record = json.loads(MonthFolder(two_months, "2027-01").record_path.read_text(encoding="utf-8"))["制度设置"]
    assert record["参数"]["platform_visit_target"] == {"项目": "E城平台综合上门及时率标准", "值": 0.6, "显示": "60%", "来源": "本单位（2027-01起）"}


# --- the close record and a re-close ----------------------------------------------------------------


def test_a_forced_reclose_keeps_the_recorded_settings_unless_told(two_months: Path) -> None:
    first = close_month("2027-01", two_months, now=datetime(2027, 2, 4, 9), db="off")
    assert first.cards["客服部"].score == 90
    set_setting(two_months, "E城平台综合上门及时率标准", 0.7, "2027-01")  # the office changes its mind afterwards
    again = close_month("2027-01", two_months, force=True, reason="核对", now=datetime(2027, 2, 5, 9), db="off")
    assert again.cards["客服部"].score == 90 and any("按上次结账记录中的制度设置重新结账" in n for n in again.notes)
    current = close_month("2027-01", two_months, force=True, reason="按新标准", now=datetime(2027, 2, 6, 9), db="off", current_settings=True)
    assert current.cards["客服部"].score == 70  # 100 − (70 − 55) × 2
    assert any("按当前的制度设置.xlsx重新结账" in n for n in current.notes)


# --- bad settings stop everything ---------------------------------------------------------------------

BAD = [  # (what the office typed, the words of the message)
    ("E城平台综合上门及时率标准", "六十", None, "应为百分数"),  # text where a number belongs
    ("E城平台综合上门及时率标准", 1.2, None, "比率应在 0% 到 100% 之间"),  # a rate above 100%
    ("入户率标准", 0.6, None, "未知的项目"),  # an unknown 项目
    ("无责投诉是否扣分", "是", "2027年13月", "不是 YYYY-MM"),  # a 生效月份 not YYYY-MM
    ("无责投诉是否扣分", "是", "2027-01", "有两行生效月份 2027-01"),  # two rows for the same month
]


@pytest.mark.parametrize(("label", "value", "since", "words"), BAD)
def test_a_bad_setting_stops_every_command_and_writes_nothing(two_months: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                              label: str, value: Any, since: Any, words: str) -> None:
    if label == "入户率标准":  # typed on a change row, its 项目 unknown
        cell = set_setting(two_months, label, value, since, extra_row=True).replace("E", "A")
    elif "两行" in words:
        set_setting(two_months, label, "否", "2027-01")
        cell = set_setting(two_months, label, value, since, extra_row=True).replace("E", "F")
    else:
        cell = set_setting(two_months, label, value, since)
        cell = cell.replace("E", "F") if "YYYY-MM" in words else cell
    card = tmp_path / "card.json"
    card.write_text(json.dumps({"department": "客服部", "month": "2027-01", "indicators": {}}), encoding="utf-8")
    before = digests(two_months)
    commands = [["new-month", "2027-02", "--dir", str(two_months)], ["validate", str(two_months / "2027-01")],
                ["close", "2027-01", "--dir", str(two_months), "--db", "off"], ["rules", "--dir", str(two_months), "--month", "2027-01"],
                ["score", str(card), "--dir", str(two_months)], ["settings", "--dir", str(two_months)],
                ["settings", "--dir", str(two_months), "--refresh"]]
    for command in commands:
        assert main(command) == 2, command
        err = capsys.readouterr().err
        assert f"制度设置.xlsx 制度设置!{cell}：" in err and words in err and "已停止，没有写入任何文件" in err, (command, err)
        assert "Traceback" not in err
    assert digests(two_months) == before  # every file as it was, and none added (no 2027-02 folder)


# --- 2027: 日历未确认 until the office confirms it ---------------------------------------------------------


def confirm_2027(root: Path) -> None:
    """The office enters a 2027 notice (made-up dates, test data) and confirms the year."""
    wb = load_workbook(settings_path(root))
    for day, kind in ((date(2027, 1, 1), "休"), (date(2027, 1, 2), "休"), (date(2027, 1, 3), "休")):
        wb["放假安排"].append([day, kind, "元旦", "国办发明电〔示例〕"])
    wb["已确认年度"]["A3"], wb["已确认年度"]["B3"] = 2027, "国办发明电〔示例〕"
    wb.save(settings_path(root))


@pytest.mark.libreoffice
def test_a_2027_appeal_is_unconfirmed_until_the_office_confirms_2027(tmp_path: Path, require_libreoffice: Any) -> None:
    ensure_settings_book(tmp_path)
    create_month("2026-12", tmp_path)
    ledger = MonthFolder(tmp_path, "2026-12").book(complaint_ledger.STEM)
    wb = load_workbook(ledger)
    row = COMPLAINTS.first_row
    write_record(wb[COMPLAINTS.name], COMPLAINTS, row, {
        "no": "TS9001", "accepted": datetime(2026, 12, 20, 9), "channel": "400", "level": "4级", "dept": "管网部", "inv_done": datetime(2026, 12, 21, 9),
        "handle_done": datetime(2026, 12, 22, 9), "revisit_done": datetime(2026, 12, 23, 9), "resp": "有责", "closed": datetime(2026, 12, 23, 12),
        "appeal_at": datetime(2026, 12, 30, 10)})
    wb.save(ledger)  # (the complaint reaches the 考核表 through its 汇入: nothing typed there, issue 12)
    cell = f"{COMPLAINTS.letter('appeal_handle_due')}{row}"
    findings = [f for f in validate_month(ledger.parent, now=datetime(2026, 12, 31, 9)) if f.cell == cell]
    assert len(findings) == 1 and findings[0].message.startswith("日历未确认：申诉处理时限要按2027年的工作日计算")
    assert "制度设置.xlsx" in findings[0].message

    confirm_2027(tmp_path)
    assert main(["settings", "--dir", str(tmp_path), "--refresh"]) == 0
    assert not [f for f in validate_month(ledger.parent, now=datetime(2026, 12, 31, 9)) if f.cell == cell]
    # 申诉受理 12-30 (Wed): 12-31 is the 1st working day, 01-01..03 off (元旦 + weekend), 01-04 2nd, 01-05 3rd
    expected = datetime(2027, 1, 5, 23, 59, 59)
    out = tmp_path / "recalculated"
    out.mkdir()
    shown = load_workbook(recalculate_many([ledger], out)[0], data_only=True)[COMPLAINTS.name][cell].value
    assert abs((shown - expected).total_seconds()) < 1
    close_month("2026-12", tmp_path, now=datetime(2027, 1, 4, 9), db=str(tmp_path / "历史库.sqlite"))
    with sqlite3.connect(tmp_path / "历史库.sqlite") as db:
        stored = db.execute("select appeal_handle_due from complaints where complaint_no = 'TS9001'").fetchone()[0]
    assert str(stored).startswith("2027-01-05 23:59:59")


# --- an appeal upheld after its month's close ---------------------------------------------------------


def test_an_appeal_upheld_after_the_close_comes_back_in_the_next_close(tmp_path: Path) -> None:
    ensure_settings_book(tmp_path)
    create_month("2026-11", tmp_path)
    path = MonthFolder(tmp_path, "2026-11").book(complaint_ledger.STEM)
    wb = load_workbook(path)
    complaint = {"no": "TS7001", "accepted": datetime(2026, 11, 27, 9), "channel": "400", "level": "4级", "dept": "管网部",
                 "inv_done": datetime(2026, 11, 28, 9), "handle_done": datetime(2026, 11, 29, 9), "revisit_done": datetime(2026, 11, 30, 9),
                 "resp": "有责", "closed": datetime(2026, 11, 30, 12)}
    write_record(wb[COMPLAINTS.name], COMPLAINTS, COMPLAINTS.first_row, complaint)
    wb.save(path)  # (the complaint reaches the 考核表 through its 汇入: nothing typed there, issue 12)
    november = close_month("2026-11", tmp_path, now=datetime(2026, 12, 1, 10), db="off")
    assert november.cards["管网部"].score == 85  # 400四级 15
    assert november.carried["complaints"] == 1  # 办结 11-30 12:00, appeal possible until 12-03 24:00: carried

    # December: the appeal is upheld; typed on the carried row
    ledger = MonthFolder(tmp_path, "2026-12").book(complaint_ledger.STEM)
    wb = load_workbook(ledger)
    ws = wb[COMPLAINTS.name]
    assert ws[f"{COMPLAINTS.letter('no')}{COMPLAINTS.first_row}"].value == "TS7001"
    put(ws, COMPLAINTS.first_row, COMPLAINTS.index("appeal_at"), datetime(2026, 12, 2, 9))
    put(ws, COMPLAINTS.first_row, COMPLAINTS.index("appeal_result"), "成立")
    wb.save(ledger)
    # the 考核表's 汇入 does not hold the 申诉调整 yet: said at its cell; one refresh brings it in
    # (nothing typed in 加减分明细: the 投诉台账's 申诉结果 is the one place, issue 12)
    layout = imported.Layout.of(RULES)
    adjust_cell = f"K{layout.first_complaint_row}"
    stale = [f for f in validate_month(ledger.parent, now=datetime(2026, 12, 10)) if f.sheet == imported.SHEET and f.cell == adjust_cell]
    assert stale and "申诉调整 0 条，投诉台账现为 1 条" in stale[0].message
    refresh_month("2026-12", tmp_path, now=datetime(2026, 12, 10))
    held = imported.read_imports(BookReader(MonthFolder(tmp_path, "2026-12").book(assessment.STEM)).rows(imported.SHEET), RULES)
    assert held is not None and held.adjustments == (imported.ImportedAdjustment("TS7001", "管网部", "2026-11", 15.0),)
    assert not [f for f in validate_month(ledger.parent, now=datetime(2026, 12, 10)) if f.sheet == imported.SHEET or ("申诉" in f.message and f.is_error)]
    december = close_month("2026-12", tmp_path, now=datetime(2027, 1, 4, 9), db="off")
    card = december.cards["管网部"]
    assert (card.bonuses, card.score) == (15, 115)  # 100 + 15 given back
    item = next(i for i in card.items if i.category == "申诉调整")
    assert "TS7001" in item.text and "2026-11 已结账" in item.text and item.points == 15
    record = json.loads(MonthFolder(tmp_path, "2026-12").record_path.read_text(encoding="utf-8"))
    assert record["申诉调整"] == [{"部门": "管网部", "说明": item.text, "分值": 15, "投诉单号": "TS7001"}]
    # January (carried again? no: the appeal is decided) gives nothing back a second time
    assert december.carried["complaints"] == 0


def test_an_upheld_appeal_gives_back_only_what_the_course_deducted(tmp_path: Path) -> None:
    """投诉 第七条 with the late appeal (第九条): November deducted TS7002 once, from its second
    round (the first was 驳回), 400 4级 = 15; TS7003 was an internal partner unit's (第七条(四)2:
    no department of ours charged, 0). Both appeals upheld in December: the 汇入's 申诉调整
    gives back 15 for TS7002 and nothing for TS7003 (it deducted nothing)."""
    ensure_settings_book(tmp_path)
    create_month("2026-11", tmp_path)
    path = MonthFolder(tmp_path, "2026-11").book(complaint_ledger.STEM)
    wb = load_workbook(path)
    base = {"channel": "400", "level": "4级", "inv_done": datetime(2026, 11, 27, 9), "handle_done": datetime(2026, 11, 28, 9),
            "revisit_done": datetime(2026, 11, 29, 9), "callback": "满意", "resp": "有责", "closed": datetime(2026, 11, 30, 12)}
    rows = [
        {"no": "TS7002", "accepted": datetime(2026, 11, 26, 9), "dept": "管网部", "channel": "400", "level": "4级", "inv_done": datetime(2026, 11, 26, 15),
         "review": "驳回", "review_at": datetime(2026, 11, 26, 16)},
        {**base, "no": "TS7002", "accepted": datetime(2026, 11, 26, 9), "dept": "管网部", "review": "通过", "review_at": datetime(2026, 11, 28, 10)},
        {**base, "no": "TS7003", "accepted": datetime(2026, 11, 26, 10), "dept": "安保部", "resp_kind": "内部协同单位", "resp_unit": "物流公司"},
    ]
    for r, values in enumerate(rows, start=COMPLAINTS.first_row):
        write_record(wb[COMPLAINTS.name], COMPLAINTS, r, values)
    wb.save(path)
    november = close_month("2026-11", tmp_path, now=datetime(2026, 12, 1, 10), db="off")
    assert (november.cards["管网部"].score, november.cards["安保部"].score) == (85, 100)  # 100 − 15; the partner's: 100
    ledger = MonthFolder(tmp_path, "2026-12").book(complaint_ledger.STEM)
    wb = load_workbook(ledger)
    ws = wb[COMPLAINTS.name]
    for r in range(COMPLAINTS.first_row, COMPLAINTS.first_row + 3):  # the carried rows (the rejected round above its next)
        if ws[f"{COMPLAINTS.letter('no')}{r}"].value and ws[f"{COMPLAINTS.letter('review')}{r}"].value != "驳回":
            put(ws, r, COMPLAINTS.index("appeal_at"), datetime(2026, 12, 2, 9))
            put(ws, r, COMPLAINTS.index("appeal_result"), "成立")
    wb.save(ledger)
    refresh_month("2026-12", tmp_path, now=datetime(2026, 12, 10))
    held = imported.read_imports(BookReader(MonthFolder(tmp_path, "2026-12").book(assessment.STEM)).rows(imported.SHEET), RULES)
    assert held is not None and held.adjustments == (imported.ImportedAdjustment("TS7002", "管网部", "2026-11", 15.0),)
