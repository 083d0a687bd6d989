"""投诉 第七条 on a hand-made month: the checks (cell and Chinese message), the deduction
(charged department, once), and the forms (`xinao-xl complaint-form`, the ribbon buttons).

The 投诉台账 (row: complaint, department, what it says; general complaints, stage lengths
调查 2, 处理 3, 回访 2 natural days):

    3  TS101 客服部   400 4级, round 1, 驳回 11-04 15:00
    4  TS101 客服部   round 2 (from 11-04 15:00), 通过, 回访 满意, 有责            15 points
    5  TS102 管网部   400 3级, 驳回 11-06 09:00, no next round                  (error)
    6  TS103 管网部   95158, 外包服务方 安通管道, handled 11-08 10:00, called
                      back 11-12 10:00 (due 11-08 + 2 = 11-10 24:00: late), 不满意  10 points
    7  TS104 调度中心 400 5级, 无责 客户误解, final callback 不满意             (error)
    8  TS105 客服部   400 5级, 有责, 终止 已批准 without approver               (errors) 10 points
    9  TS106 计财部   95158, 无责, 终止 已批准 11-20 by 张理正: 特殊终止, 办结 11-20   0 points
    10 TS107 客服部   400 4级, moved to 市场工程部 (改派记录 调整部门)          not counted
    11 TS107 市场工程部 400 4级, 有责                                            15 points
    12 TS108 安保部   400 4级, 内部协同单位 物流公司, 有责                       no department charged

改派记录: TS107 调整部门 客服部 → 市场工程部; TS109 取消重建 without its new number (error).
证据: TS101's photo (the file is there); TS103's recording (the file is missing: warning).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.excel.test_ribbon import FakeSession
from tests.services import hand_month as H
from xinao_xl.books import complaint_ledger
from xinao_xl.books.month_folder import MonthFolder
from xinao_xl.books.port import ERROR, WARNING
from xinao_xl.books.workbooks import file_name
from xinao_xl.books.writer import write_record
from xinao_xl.cli import main
from xinao_xl.excel import ribbon
from xinao_xl.policy import scoring
from xinao_xl.policy.errors import XinaoError
from xinao_xl.services.complaint_forms import ComplaintFormError, make_complaint_form
from xinao_xl.services.month_books import MonthBooks
from xinao_xl.services.validate import Finding, validate_month

RULES = H.RULES
t = H.t
TS = file_name(complaint_ledger.STEM, H.MONTH)
MISUNDERSTANDING = f"2.{RULES.no_fault_reasons[1]}"
OTHER_NO_FAULT = f"5.{RULES.no_fault_reasons[4]}"
PHONE = "13812345107"  # TS107's customer; each complaint its own (no repeat complaint within 3 months)


def _c(no: str, dept: str, accepted: datetime, **kw: Any) -> dict[str, Any]:
    return {"no": no, "accepted": accepted, "channel": "400", "dept": dept, "customer": "王五", "phone": f"13812345{no[-3:]}",
            "content": "燃气表走字快", "address": "东昌路9号", **kw}


ROWS = [
    _c("TS101", "客服部", t(3, 9), level="4级", inv_done=t(4, 10), review="驳回", review_at=t(4, 15), note="调查结论缺现场核实"),
    _c("TS101", "客服部", t(3, 9), level="4级", inv_done=t(5, 10), handle_done=t(6, 10), review="通过", review_at=t(6, 12),
       revisit_done=t(7, 10), callback="满意", resp="有责", closed=t(7, 12), finding="表计正常", result="已向客户解释"),
    _c("TS102", "管网部", t(5, 9), level="3级", inv_done=t(6, 8), review="驳回", review_at=t(6, 9)),
    _c("TS103", "管网部", t(6, 9), channel="95158", inv_done=t(7, 9), handle_done=t(8, 10), review="通过", review_at=t(8, 12),
       revisit_done=t(12, 10), callback="不满意", resp="有责", closed=t(12, 12), resp_kind="外包服务方", resp_unit="安通管道"),
    _c("TS104", "调度中心", t(9, 9), level="5级", inv_done=t(10, 9), handle_done=t(11, 9), revisit_done=t(12, 9), callback="不满意",
       resp="无责", reason=MISUNDERSTANDING, closed=t(12, 12)),
    _c("TS105", "客服部", t(13, 9), level="5级", inv_done=t(14, 9), resp="有责", term_applied=t(15).date(), term_reason="客户反复来电",
       term_status="已批准"),
    _c("TS106", "计财部", t(16, 9), channel="95158", inv_done=t(17, 9), handle_done=t(18, 9), resp="无责", reason=OTHER_NO_FAULT,
       term_applied=t(19).date(), term_reason="已判定无责，客户仍反复来电", term_script="说明调查结论", term_suggest="是",
       term_approver="张理正", term_approved=t(20).date(), term_status="已批准"),
    _c("TS107", "客服部", t(21, 9), level="4级", resp="有责"),
    _c("TS107", "市场工程部", t(21, 9), level="4级", inv_done=t(22, 9), resp="有责"),
    _c("TS108", "安保部", t(23, 9), level="4级", inv_done=t(24, 9), resp="有责", resp_kind="内部协同单位", resp_unit="物流公司"),
]
MOVES = [
    {"no": "TS107", "at": t(21, 11), "way": "调整部门", "from_dept": "客服部", "to_dept": "市场工程部", "agent": "孙雪燕", "why": "批转有误"},
    {"no": "TS109", "at": t(22, 11), "way": "取消重建", "from_dept": "客服部", "to_dept": "管网部", "agent": "孙雪燕"},
]
EVIDENCE = [
    {"no": "TS101", "kind": "现场照片", "file": "TS101.png", "desc": "表计照片", "by": "孙雪燕", "date": t(4).date(), "_link": "证据/TS101.png"},
    {"no": "TS103", "kind": "通话录音", "file": "TS103.mp3", "desc": "回访录音", "by": "孙雪燕", "date": t(12).date(), "_link": "证据/TS103.mp3"},
]


def build(root: Path) -> Path:
    """The hand month (tests/services/hand_month.py) with the 投诉台账 above."""
    folder = H.build(root)
    wb = complaint_ledger.build_complaint_ledger(H.MONTH, RULES)
    spec, moves, evidence = complaint_ledger.ledger_sheet(RULES), complaint_ledger.reassign_sheet(), complaint_ledger.evidence_sheet()
    for r, values in enumerate(ROWS, start=spec.first_row):
        write_record(wb[spec.name], spec, r, values)
    for r, values in enumerate(MOVES, start=moves.first_row):
        write_record(wb[moves.name], moves, r, values)
    for r, values in enumerate(EVIDENCE, start=evidence.first_row):
        write_record(wb[evidence.name], evidence, r, {k: v for k, v in values.items() if not k.startswith("_")})
        wb[evidence.name].cell(row=r, column=evidence.index("file")).hyperlink = values["_link"]
    (folder / "证据").mkdir()
    (folder / "证据" / "TS101.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    wb.save(folder / TS)
    return folder


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("process")
    build(root)
    return root


@pytest.fixture(scope="module")
def findings(root: Path) -> list[Finding]:
    return validate_month(root / H.MONTH, now=H.NOW)


def one(findings: list[Finding], sheet: str, column: str, row: int, severity: str, words: str, spec: Any = None) -> Finding:
    spec = spec or complaint_ledger.ledger_sheet(RULES)
    cell = f"{spec.letter(column)}{row}"
    hits = [f for f in findings if (f.workbook, f.sheet) == (TS, sheet) and f.cell and cell in f.cells() and words in f.message]
    assert len(hits) == 1, (cell, words, [f.message for f in findings if f.cell == cell])
    assert hits[0].severity == severity
    return hits[0]


# --- the checks ------------------------------------------------------------------------------


def test_a_rejection_without_a_next_round(findings) -> None:
    """第七条(二)3: TS102's round 1 was rejected, no round 2 below it; TS101's was followed."""
    f = one(findings, "投诉台账", "review", 5, ERROR, "但没有第2轮")
    assert "第1轮调查处理结果已驳回" in f.message and "TS102" in f.message
    assert not [x for x in findings if x.cell == "{}3".format(complaint_ledger.ledger_sheet(RULES).letter("review")) and "没有第" in x.message]


def test_an_unsatisfied_callback_waits_and_a_late_callback_is_said(findings) -> None:
    """第七条(三): TS103 called back 11-12 10:00, due 11-08 10:00 + 2 days = 11-10 24:00: late;
    不满意 and reviewed 11-08 12:00, before the callback: 需复查 (TS104 too: never reviewed)."""
    one(findings, "投诉台账", "revisit_done", 6, WARNING, "晚于回访时限（2026-11-10 24:00）")
    one(findings, "投诉台账", "review", 6, WARNING, "需复查")
    assert not [x for x in findings if x.cell and x.cell.endswith("4") and "晚于回访时限" in x.message]  # TS101: 11-06 + 2 = 11-08 ≥ 11-07


def test_a_misunderstanding_without_a_satisfied_final_callback(findings) -> None:
    """附件2 第2项: TS104 is 无责 for 客户误解, but the final callback says 不满意."""
    one(findings, "投诉台账", "reason", 7, ERROR, "本行回访结果为“不满意”")


def test_special_termination_of_a_responsible_complaint_or_without_approval(findings) -> None:
    """第七条(四)3: TS105 is 有责 and its 已批准 has no approver nor date; TS106 is in order."""
    one(findings, "投诉台账", "term_status", 8, ERROR, "有责投诉不能特殊终止")
    one(findings, "投诉台账", "term_approver", 8, ERROR, "尚缺审批人（客户服务理正）、审批日期")
    assert not [x for x in findings if x.cell and x.cell.endswith("9") and x.sheet == "投诉台账" and "终止" in x.message]


def test_a_provider_names_its_unit_and_the_re_assignment_lines_match(findings) -> None:
    """第七条(一)5: TS109 取消重建 without the new ticket's number; TS107's line matches its rows."""
    moves = complaint_ledger.reassign_sheet()
    one(findings, "改派记录", "new_no", 4, ERROR, "请填写新投诉单号", moves)
    assert not [x for x in findings if x.sheet == "改派记录" and x.cell and x.cell.endswith("3")]


def test_evidence_that_points_nowhere(findings) -> None:
    """第七条(一)1、3: TS103's link names 证据/TS103.mp3, which is not in the folder; TS101's is."""
    evidence = complaint_ledger.evidence_sheet()
    one(findings, "证据", "file", 4, WARNING, "证据链接指向的文件不存在：证据/TS103.mp3", evidence)
    assert not [x for x in findings if x.sheet == "证据" and x.cell and x.cell.endswith("3")]


# --- the deduction ----------------------------------------------------------------------------


def test_each_complaint_deducts_once_from_the_department_that_answers_for_it(root: Path) -> None:
    """Rows that deduct and where (第七条(二)3, (四)2, (四)3, (一)5、6):
    TS101 round 2 only → 客服部 4级 15; TS102 rejected, no round 2 → nothing (the error says so);
    TS103 provider → 管网部 95158 10; TS104, TS106 无责 → 0; TS105 有责 stays 有责 → 客服部 5级 10;
    TS107 → 市场工程部 only, 15; TS108 partner unit → nobody.
    客服部 15 + 10 = 25, 管网部 10, 市场工程部 15, 调度中心 0, 计财部 0."""
    mb = MonthBooks.open(root, H.MONTH, as_of=H.NOW)
    charged = [(r["_row"], r["no"], dept) for r, dept in mb.charged_complaints()]
    assert charged == [(4, "TS101", "客服部"), (6, "TS103", "管网部"), (7, "TS104", "调度中心"), (8, "TS105", "客服部"),
                       (9, "TS106", "计财部"), (11, "TS107", "市场工程部")]
    points: dict[str, float] = {}
    for r, dept in mb.charged_complaints():
        points[dept] = points.get(dept, 0) + scoring.complaint_deduction(r.get("level"), r.get("channel"), r.get("resp") != "无责", RULES)
    assert points == {"客服部": 25, "管网部": 10, "调度中心": 0, "计财部": 0, "市场工程部": 15}
    course = mb.courses()
    assert [course[r].state for r in range(3, 13)] == ["已驳回", "已办结", "已驳回", "已办结", "已办结", "办理中", "特殊终止", "已改派",
                                                         "办理中", "办理中"]
    assert course[9].closed == datetime(2026, 11, 20) and course[4].round == 2 and course[4].round_start == t(4, 15)


def test_the_imports_list_the_rows_that_deduct_and_the_live_books_agree_with_the_close(require_libreoffice: Any, tmp_path: Path) -> None:
    """The 考核表's 汇入 (issue 12) follows the course: after a refresh it lists the rows above
    that deduct, each under the department charged — TS101 round 2 (客服部), TS103 (管网部, the
    provider's managing department), TS104, TS105, TS106, TS107 at 市场工程部 — and not row 3
    (驳回), row 5 (驳回, no next round), row 10 (moved away) or row 12 (partner unit).
    Recalculated in LibreOffice, the 汇入's 扣分 per department is the 投诉台账's own 扣分
    column summed by 责任部门 (客服部 15 + 10 = 25, 管网部 10, 市场工程部 15, the rest 0; the
    ledger's row 12 is 0), and each department's 扣分合计 on the 汇总 equals the close's."""
    from tests.support.libreoffice import recalculate_many
    from xinao_xl.books import assessment, imported
    from xinao_xl.books.read import BookReader
    from xinao_xl.services.refresh import refresh_month

    build(tmp_path)
    refresh_month(H.MONTH, tmp_path, now=H.NOW)
    mf = MonthFolder(tmp_path, H.MONTH)
    held = imported.read_imports(BookReader(mf.book(assessment.STEM)).rows(imported.SHEET), RULES)
    assert held is not None
    assert [(c.no, c.dept) for c in held.complaints] == [("TS101", "客服部"), ("TS103", "管网部"), ("TS104", "调度中心"), ("TS105", "客服部"),
                                                         ("TS106", "计财部"), ("TS107", "市场工程部")]
    kh, ts = recalculate_many([mf.book(assessment.STEM), mf.book(complaint_ledger.STEM)], tmp_path / "lo")
    lay = imported.Layout.of(RULES)
    ws = load_workbook(kh, data_only=True)[imported.SHEET]
    from_imports: dict[str, float] = {}
    for r in range(lay.first_complaint_row, lay.first_complaint_row + len(held.complaints)):
        from_imports[ws.cell(row=r, column=3).value] = from_imports.get(ws.cell(row=r, column=3).value, 0) + ws.cell(row=r, column=8).value
    spec = complaint_ledger.ledger_sheet(RULES)
    ledger = load_workbook(ts, data_only=True)[spec.name]
    from_ledger: dict[str, float] = {}
    for r in range(spec.first_row, spec.first_row + len(ROWS)):
        points = ledger[f"{spec.letter('deduct')}{r}"].value
        if isinstance(points, int | float) and points:
            dept = ledger[f"{spec.letter('dept')}{r}"].value
            from_ledger[dept] = from_ledger.get(dept, 0) + points
    assert from_imports == {"客服部": 25, "管网部": 10, "调度中心": 0, "计财部": 0, "市场工程部": 15}
    assert {d: p for d, p in from_imports.items() if p} == from_ledger
    cards = MonthBooks.open(tmp_path, H.MONTH, as_of=H.NOW).score_cards()  # what the close scores
    summary = load_workbook(kh, data_only=True)[assessment.SUMMARY]
    sheet = assessment.summary_sheet(RULES)
    for dept in RULES.department_names:
        assert abs(summary[f"B{sheet.row_of(dept)}"].value - cards[dept].deductions) < 1e-9, dept


# --- the forms --------------------------------------------------------------------------------


def test_the_complaint_sheet_shows_the_rounds_and_the_evidence_with_the_full_phone(root: Path) -> None:
    result = make_complaint_form("TS101", root, now=H.NOW)  # (its customer's phone: 13812345101)
    assert result.path == root / H.MONTH / "投诉单" / "2026-11_投诉单_TS101.xlsx" and result.sheets == ["TS101 客服部"]
    ws = load_workbook(result.path).worksheets[0]
    text = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    for words in ("客户投诉单", "第1轮", "第2轮", "驳回 2026-11-04 15:00", "通过 2026-11-06 12:00", "满意", "证据/TS101.png", "13812345101"):
        assert any(words in x for x in text), words
    # round 2's 调查 counts from the rejection: 11-04 15:00 + 2 days = 11-06 24:00
    assert "2026-11-06 24:00" in text
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.fitToHeight == 1 and ws.page_setup.orientation == "portrait"


def test_a_shared_form_masks_the_phone_and_a_moved_complaint_lists_its_move(root: Path, tmp_path: Path) -> None:
    result = make_complaint_form("ts107", root, share=True, now=H.NOW, out=tmp_path / "TS107.xlsx")
    assert result.sheets == ["TS107 客服部", "TS107 市场工程部"]  # one page per department
    wb = load_workbook(result.path)
    text = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not any(PHONE in x for x in text) and any("138****5107" in x for x in text)
    assert any("调整部门：客服部 → 市场工程部" in x for x in text) and "已改派" in text


def test_the_termination_form_follows_annex_5_and_is_refused_for_a_responsible_complaint(root: Path, tmp_path: Path) -> None:
    result = make_complaint_form("TS106", root, termination=True, now=H.NOW, out=tmp_path / "TS106.xlsx")
    ws = load_workbook(result.path).worksheets[0]
    text = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    for words in ("客户投诉特殊终止处理申请表", "申请单位", "投诉单编号", "TS106", "2026-11-19", "已判定无责，客户仍反复来电", "说明调查结论",
                  "☑ 后继以建议单方式传递", "已批准　审批人：张理正　审批日期：2026-11-20"):
        assert any(words in x for x in text), words
    with pytest.raises(ComplaintFormError, match="有责投诉，不能申请特殊终止"):
        make_complaint_form("TS105", root, termination=True, now=H.NOW, out=tmp_path / "TS105.xlsx")
    assert not (tmp_path / "TS105.xlsx").exists()


def test_the_command_and_a_closed_month(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["complaint-form", "TS103", "--dir", str(root), "--now", H.NOW.isoformat()]) == 0
    assert (root / H.MONTH / "投诉单" / "2026-11_投诉单_TS103.xlsx").is_file() and "投诉单 1 页" in capsys.readouterr().out
    assert main(["complaint-form", "TS404", "--dir", str(root)]) == 2
    assert "找不到投诉单号 TS404" in capsys.readouterr().err
    closed = tmp_path / "closed"
    build(closed)
    MonthFolder(closed, H.MONTH).mark_closed(H.NOW, "测试")
    with pytest.raises(XinaoError, match="已于.*结账"):
        make_complaint_form("TS101", closed, now=H.NOW)
    assert make_complaint_form("TS101", closed, now=H.NOW, out=tmp_path / "elsewhere.xlsx").path.is_file()


def test_the_ribbon_buttons_print_the_complaint_of_the_active_row(tmp_path: Path) -> None:
    folder = build(tmp_path)
    session = FakeSession(folder / TS)
    session.selected = ("投诉台账", 4)
    ribbon.dispatch("btnComplaintForm", session)
    assert not session.failed and "投诉 TS101（2026-11）的投诉单 1 页" in session.message
    assert (folder / "投诉单" / "2026-11_投诉单_TS101.xlsx").is_file()
    assert folder / TS in session.closed_paths  # saved and closed while the service reads it

    session = FakeSession(folder / TS)
    session.selected = ("投诉台账", 9)
    ribbon.dispatch("btnTerminationForm", session)
    assert not session.failed and (folder / "投诉单" / "2026-11_特殊终止申请表_TS106.xlsx").is_file()

    for where, words in ((None, "请先在客户投诉台账"), (("证据", 3), "请先在客户投诉台账"), (("投诉台账", 40), "第 40 行没有投诉单号")):
        session = FakeSession(folder / TS)
        session.selected = where
        ribbon.dispatch("btnComplaintForm", session)
        assert session.failed and words in session.message


# --- the history store ------------------------------------------------------------------------


def test_the_close_records_the_course_and_the_period_tables_count_it(root: Path, tmp_path: Path) -> None:
    """What the close writes to the store (services/history.py), then the 投诉过程 tables from
    it: 驳回 rows 3 and 5 count nothing; TS101 is round 2 from 11-04 15:00; TS103 is charged
    to 管网部 and still 需复查; TS108's partner unit charges nobody (0 points); TS106 ended by
    termination on 11-20. Rejections: 客服部 reviewed 2 (rows 3, 4), 驳回 1; 管网部 reviewed 2
    (rows 5, 6), 驳回 1; 合计 4 and 2. Special terminations: 客服部 row 8 (有责: approved but
    not terminated) and 计财部 row 9 (terminated)."""
    from xinao_xl.history.store import HistoryStore
    from xinao_xl.services.history import complaint_records, reassignment_records

    mb = MonthBooks.open(root, H.MONTH, as_of=H.NOW)
    recs = {r["row_no"]: r for r in complaint_records(mb, H.NOW)}
    assert [(recs[r]["state"], recs[r]["counted"], recs[r]["points"]) for r in (3, 5)] == [("已驳回", False, None)] * 2
    assert (recs[4]["round_no"], recs[4]["round_start"], recs[4]["points"], recs[4]["charged_dept"]) == (2, t(4, 15), 15.0, "客服部")
    assert (recs[6]["charged_dept"], recs[6]["resp_kind"], recs[6]["recheck"], recs[6]["callback_result"]) == ("管网部", "外包服务方", True, "不满意")
    assert (recs[12]["charged_dept"], recs[12]["points"], recs[12]["responsible"]) == (None, 0.0, True)
    assert (recs[9]["state"], recs[9]["closed_effective"], recs[9]["responsible"]) == ("特殊终止", datetime(2026, 11, 20), False)
    assert recs[4]["evidence"] == 1 and recs[10]["state"] == "已改派" and recs[10]["charged_dept"] is None
    assert [(m["complaint_no"], m["way"]) for m in reassignment_records(mb)] == [("TS107", "调整部门"), ("TS109", "取消重建")]

    from xinao_xl.history import queries as Q

    with HistoryStore(str(tmp_path / "历史库.sqlite")) as st:
        st.write_month("测试", H.MONTH, {"complaints": list(recs.values()), "complaint_reassignments": reassignment_records(mb)})
        with st.engine.connect() as conn:
            rejections = Q.rejections(conn, [H.MONTH], "测试", RULES).set_index("key")
            terminations = Q.terminations(conn, [H.MONTH], "测试", RULES).set_index("key")
    assert tuple(rejections.loc["客服部", ["reviewed", "rejected"]]) == (2, 1)
    assert tuple(rejections.loc["管网部", ["reviewed", "rejected"]]) == (2, 1)
    assert tuple(rejections.loc["合计", ["reviewed", "rejected", "rejected_complaints"]]) == (4, 2, 2)
    assert tuple(terminations.loc["客服部", ["applied", "approved", "terminated"]]) == (1, 1, 0)
    assert tuple(terminations.loc["计财部", ["applied", "approved", "terminated"]]) == (1, 1, 1)


def test_a_course_word_spelled_otherwise_is_an_error(tmp_path: Path) -> None:
    """"驳 回" reads as 驳回 to Python but not to the 轮次 formula (it compares with "驳回"):
    the workbook and the close would disagree, so it is an error, like a misspelt level."""
    folder = build(tmp_path)
    wb = load_workbook(folder / TS)
    spec = complaint_ledger.ledger_sheet(RULES)
    wb[spec.name][f"{spec.letter('review')}3"] = "驳 回"
    wb.save(folder / TS)
    found = validate_month(folder, now=H.NOW)
    one(found, "投诉台账", "review", 3, ERROR, "不是下拉列表中的写法")
