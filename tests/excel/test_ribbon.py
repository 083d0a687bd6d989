"""Every ribbon button run against workbook files, through the same handler Excel runs.

The session is a fake over files: the user's workbook is the live adapter on a fake of
xlwings (`FakeBook`, over the file), the month's other workbooks are read from their files,
and message boxes are recorded. What Excel itself does (COM, the message box, the status
bar) is covered by the ``excel``-marked contract tests on Windows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.excel.fake_xlwings import FakeBook
from tests.services.month import MONTH, NOW, build_month
from xinao_xl.books import assessment, callback_ledger, complaint_ledger
from xinao_xl.books.port import MARK_FILLS, FileBook, WorkbookPort
from xinao_xl.excel import ribbon
from xinao_xl.excel.live import MARK_TAG, LiveBook
from xinao_xl.policy.rules import load_rules


class FakeSession:
    """`Session` over files: the user's book is `path` (live, on a fake of xlwings)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.xw_book = FakeBook(path) if path else FakeBook()
        self.live = LiveBook(self.xw_book)
        self.alerts: list[tuple[str, bool]] = []
        self.statuses: list[str | None] = []
        self.shown: list[tuple[str, list[list[Any]]]] = []
        self.saved = 0
        self.calculated = 0
        self.chosen: Path | None = None
        self.closed_paths: list[Path] = []
        self.confirms: list[str] = []
        self.answer = True  # 确定 in every confirmation dialog
        self.selected: tuple[str, int] | None = None  # the active cell's sheet and row

    def book_path(self) -> Path | None:
        return self.path

    def book(self) -> LiveBook:
        return self.live

    def open_book(self, path: Path) -> WorkbookPort | None:
        return None

    def save(self) -> None:
        self.xw_book.save()
        self.saved += 1

    def calculate(self) -> None:
        self.calculated += 1

    def status(self, text: str | None) -> None:
        self.statuses.append(text)

    def alert(self, text: str, *, error: bool = False) -> None:
        self.alerts.append((text, error))

    def confirm(self, text: str) -> bool:
        self.confirms.append(text)
        return self.answer

    def show_rows(self, title: str, rows: Sequence[Sequence[Any]], widths: Sequence[float] = ()) -> None:
        self.shown.append((title, [list(r) for r in rows]))

    def choose_file(self, prompt: str) -> Path | None:
        return self.chosen

    def selection(self) -> tuple[str, int] | None:
        return self.selected

    @contextmanager
    def closed(self, path: Path) -> Iterator[None]:
        self.closed_paths.append(path)
        yield

    @property
    def message(self) -> str:
        assert len(self.alerts) == 1, self.alerts
        return self.alerts[0][0]

    @property
    def failed(self) -> bool:
        return self.alerts[-1][1]


def _book(folder: Path, stem: str) -> Path:
    return next(folder.glob(f"*{stem}*.xlsx"))


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    return build_month(tmp_path)


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    return build_month(tmp_path, broken=True)


def test_new_month_writes_next_months_books_beside_this_one(clean: Path) -> None:
    session = FakeSession(_book(clean, callback_ledger.STEM))
    ribbon.dispatch("btnNewMonth", session)
    assert not session.failed
    assert "2026-12" in session.message
    assert len(list((clean.parent / "2026-12").glob("2026-12_*.xlsx"))) == 4
    assert session.statuses[-1] is None  # the status bar is given back

    again = FakeSession(_book(clean, callback_ledger.STEM))
    ribbon.dispatch("btnNewMonth", again)
    assert again.failed and "已存在" in again.message


def test_validate_clean_month(clean: Path) -> None:
    session = FakeSession(_book(clean, callback_ledger.STEM))
    ribbon.validate_book(session, now=NOW)
    assert session.live.clear_marks() == 0


def test_validate_marks_this_books_cells_and_clear_marks_removes_them(broken: Path) -> None:
    path = _book(broken, callback_ledger.STEM)
    session = FakeSession(path)
    message = ribbon.validate_book(session, now=NOW)
    assert "个错误" in message and "本簿已标记" in message
    u3 = session.xw_book.sheets[callback_ledger.LEDGER].range("U3")  # 是否超时 typed over its formula
    assert u3.note is not None and u3.note.text.startswith(MARK_TAG)
    assert "{:02X}{:02X}{:02X}".format(*u3.color) in MARK_FILLS.values()
    marked = int(message.split("本簿已标记 ")[1].split(" ")[0])
    assert marked > 0

    ribbon.dispatch("btnClearMarks", session)
    assert not session.failed and f"已清除 {marked} 个" in session.message
    assert u3.note is None


def test_validate_marks_each_cell_of_a_range_finding(clean: Path) -> None:
    """Three rows sampled and not yet called: one finding "J7:J9" in the results, three marked
    cells in the book (the in-place marks stay one per cell)."""
    from openpyxl import load_workbook

    from xinao_xl.books.writer import write_record

    path = _book(clean, callback_ledger.STEM)
    wb = load_workbook(path)
    spec = callback_ledger.ledger_sheet()
    for r in (7, 8, 9):
        write_record(wb[spec.name], spec, r, {"business": "维修", "order": f"N{r}", "done_date": date(2026, 11, 20),
                                              "customer": "赵六", "phone": f"1390000{r:04d}"})
    wb.save(path)
    session = FakeSession(path)
    message = ribbon.validate_book(session, now=NOW)
    letter = spec.letter("call_date")
    assert f"{letter}7:{letter}9" in message
    for r in (7, 8, 9):
        note = session.xw_book.sheets[spec.name].range(f"{letter}{r}").note
        assert note is not None and "第7–9行" in note.text


def test_validate_through_dispatch_shows_a_message(broken: Path) -> None:
    session = FakeSession(_book(broken, complaint_ledger.STEM))
    ribbon.dispatch("btnValidate", session)
    assert not session.failed and "个错误" in session.message


def test_clear_marks_on_a_book_without_marks(clean: Path) -> None:
    session = FakeSession(_book(clean, callback_ledger.STEM))
    ribbon.dispatch("btnClearMarks", session)
    assert session.message == "本簿没有校验标记"


def test_refresh_deadlines_recalculates_and_summarises(clean: Path) -> None:
    session = FakeSession(_book(clean, complaint_ledger.STEM))
    message = ribbon.refresh_deadlines(session, now=datetime(2026, 11, 12, 8, 0))
    assert session.calculated == 1
    assert message.startswith("投诉时限：")
    # TS003 (accepted 10-28, 5 days to handle) was never handled; TS002's 回访 is not due yet.
    assert "已超时 1 项" in message and "[已超时] TS003 计财部 处理：截止 2026-10-31 23:59" in message
    assert "正常 1 项" in message


def test_refresh_deadlines_from_another_book_reads_the_complaint_ledger_file(clean: Path) -> None:
    session = FakeSession(_book(clean, callback_ledger.STEM))
    ribbon.dispatch("btnRefreshDeadlines", session)
    assert not session.failed and session.message.startswith("投诉时限：")


def test_function_help_lists_every_udf(clean: Path) -> None:
    from xinao_xl.excel.udfs import UDF_SPECS

    session = FakeSession(_book(clean, callback_ledger.STEM))
    ribbon.dispatch("btnFunctionHelp", session)
    title, rows = session.shown[0]
    assert title == "函数说明" and len(rows) == len(UDF_SPECS) + 1
    assert rows[1][0].startswith("=DEDUCT_COMPLAINT(")


def test_doctor_and_settings(clean: Path) -> None:
    session = FakeSession(_book(clean, callback_ledger.STEM))
    ribbon.dispatch("btnDoctor", session)
    assert "工作日历" in session.message and "月份文件夹" in session.message
    session = FakeSession(_book(clean, callback_ledger.STEM))
    ribbon.dispatch("btnSettings", session)
    assert "xinao_xl" in session.message and "Python" in session.message


def test_sampling_appends_to_the_months_ledger_with_the_ledger_closed(clean: Path, tmp_path: Path) -> None:
    from xinao_xl.books.completed_export import write_completed_export
    from xinao_xl.services.sample_data import completed_orders

    day = date(2026, 11, 20)
    export = write_completed_export(tmp_path / "完工工单.xlsx", completed_orders(day, 40))
    ledger = _book(clean, callback_ledger.STEM)
    before = len(FileBook(ledger).read_table(callback_ledger.ledger_sheet()).records())
    session = FakeSession(_book(clean, complaint_ledger.STEM))
    session.chosen = export
    message = ribbon.sampling(session, day=day)
    assert session.closed_paths == [ledger]
    after = len(FileBook(ledger).read_table(callback_ledger.ledger_sheet()).records())
    assert after > before and f"抽取 {after - before} 条" in message


def test_sampling_cancelled(clean: Path) -> None:
    session = FakeSession(_book(clean, callback_ledger.STEM))
    ribbon.dispatch("btnSampling", session)
    assert session.message == "已取消抽样" and session.closed_paths == []


def test_report_and_flow_forms_before_the_close(clean: Path) -> None:
    session = FakeSession(_book(clean, callback_ledger.STEM))
    ribbon.dispatch("btnReport", session)
    assert not session.failed, session.message
    report = clean / "结账" / "2026-11_客户回访报告.xlsx"
    assert report.is_file() and str(report) in session.message
    session = FakeSession(_book(clean, callback_ledger.STEM))
    ribbon.dispatch("btnFlowForms", session)
    assert not session.failed, session.message
    forms = clean / "结账" / "2026-11_流转单.xlsx"
    assert forms.is_file() and str(forms) in session.message
    assert sorted(session.closed_paths) == sorted(clean.glob("2026-11_*.xlsx"))
    assert sorted(p.name for p in clean.glob("*.xlsx")) == sorted(p.name for p in clean.glob("2026-11_*.xlsx"))


def test_today_button_lists_what_is_due_with_its_cells(tmp_path: Path) -> None:
    """今日待办 on the hand-worked open month (tests/services/daily_month.py): the whole list
    in a new workbook (header row first), the most urgent lines in the message box."""
    from tests.services import daily_month as D
    from xinao_xl.services.today import HEADERS

    folder = D.build(tmp_path)
    session = FakeSession(folder / f"{D.MONTH}_{complaint_ledger.STEM}.xlsx")
    message = ribbon.today_list(session, now=D.NOW)
    [(title, rows)] = session.shown
    assert title == "今日待办" and rows[0] == HEADERS and len(rows) == 1 + 11
    assert rows[2][:2] == ["2026-11-17 23:59", "已超时 2天10小时"] and rows[2][-3:] == ["2026-11_客户回访信息台账.xlsx", "台账", "K6"]
    assert message.startswith("2026-11-20 今日待办 11 项") and "维修 剩 1/2" in message
    assert "已超时 1天10小时] 投诉 TS005" in message and "13900000001" not in message


def test_today_button_on_a_quiet_day_opens_no_workbook(tmp_path: Path) -> None:
    from xinao_xl.services.new_month import create_month

    paths = create_month("2026-11", tmp_path)
    session = FakeSession(paths[0])
    message = ribbon.today_list(session, now=datetime(2026, 11, 10, 9))
    assert session.shown == [] and "今日无待办" in message
    real = FakeSession(paths[0])
    ribbon.dispatch("btnToday", real)  # on the machine's real date: a list, or "no month folder" in Chinese
    assert "今日" in real.message or "月份文件夹" in real.message
    assert "出错了" not in real.message and real.statuses[-1] is None


def test_close_month_button(clean: Path) -> None:
    session = FakeSession(_book(clean, assessment.STEM))
    ribbon.dispatch("btnCloseMonth", session)
    assert not session.failed, session.message
    assert "2026-11 已结账" in session.message
    assert sorted(session.closed_paths) == sorted(clean.glob("2026-11_*.xlsx"))
    assert any(s and s.startswith("月度结账 8/8") for s in session.statuses)
    assert (clean.parent / "2026-12").is_dir()
    again = FakeSession(_book(clean, assessment.STEM))
    ribbon.dispatch("btnCloseMonth", again)
    assert again.failed and "已于" in again.message and "结账" in again.message


def test_refresh_imports_button(broken: Path) -> None:
    """刷新汇入 on the broken month (its 汇入 never refreshed): the figures go in, the month's
    books closed in Excel for the run; a second press finds nothing new."""
    from xinao_xl.books import imported
    from xinao_xl.books.read import BookReader

    session = FakeSession(_book(broken, assessment.STEM))
    ribbon.dispatch("btnRefreshImports", session)
    assert not session.failed, session.message
    assert "已刷新" in session.message and "汇入" in session.message and "维修回访" in session.message
    assert sorted(session.closed_paths) == sorted(broken.glob("2026-11_*.xlsx"))
    held = imported.read_imports(BookReader(_book(broken, assessment.STEM)).rows(imported.SHEET), load_rules())
    assert held is not None and len(held.complaints) == 6  # TS001, TS002, TS004-TS007 (TS003 is October's)
    again = FakeSession(_book(broken, assessment.STEM))
    ribbon.dispatch("btnRefreshImports", again)
    assert not again.failed and "已是最新" in again.message


def test_close_month_button_asks_with_the_preview_and_cancel_writes_nothing(clean: Path) -> None:
    """The dialog shows what the command line's preview shows: the findings by kind and the
    scores to record; 取消 leaves every file as it was and says so (not as an error)."""
    from xinao_xl.books.save import sha256

    before = {p: sha256(p) for p in clean.parent.rglob("*") if p.is_file()}
    session = FakeSession(_book(clean, assessment.STEM))
    session.answer = False
    ribbon.dispatch("btnCloseMonth", session)
    (asked,) = session.confirms
    assert asked.startswith("2026-11 预结账：校验 0 个错误、") and "将记录的得分：" in asked and "客服部" in asked
    assert asked.endswith("确定结账 2026-11？")
    assert not session.failed and session.message == "已取消 2026-11 的结账，什么都没有写入"
    after = {p: sha256(p) for p in clean.parent.rglob("*") if p.is_file() and p.name != ".xinao-xl.lock"}
    assert after == before and not (clean.parent / "2026-12").exists()


def test_close_stops_on_validation_errors(broken: Path) -> None:
    session = FakeSession(_book(broken, callback_ledger.STEM))
    ribbon.dispatch("btnCloseMonth", session)
    assert session.failed and "个错误，已停止结账" in session.message
    assert "出错了" not in session.message and "校验本簿" in session.message


def test_unsaved_book_and_unknown_button(clean: Path) -> None:
    session = FakeSession(None)
    ribbon.dispatch("btnValidate", session)
    assert session.failed and "请先把工作簿保存" in session.message
    session = FakeSession(None)
    ribbon.dispatch("btnNope", session)
    assert session.failed and "未知的按钮" in session.message


def test_month_place(tmp_path: Path) -> None:
    # (the month arithmetic the 生成下月空表 button uses: tests/policy/test_month.py)
    place = ribbon.month_place(tmp_path / MONTH / f"{MONTH}_客户投诉台账.xlsx")
    assert (place.month, place.root) == (MONTH, tmp_path)
    assert ribbon.month_place(tmp_path / "杂项" / "2026-03_考核.xlsx").month == "2026-03"


def test_an_unexpected_error_is_shown_not_raised(clean: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(session: Any) -> str:
        raise KeyError("13812345678")  # a bug whose text holds a customer's phone

    monkeypatch.setitem(ribbon.HANDLERS, "btnDoctor", boom)
    session = FakeSession(_book(clean, callback_ledger.STEM))
    assert ribbon.dispatch("btnDoctor", session) is None
    assert session.failed and "出错了" in session.message and "诊断" in session.message
    assert "KeyError" in session.message and "13812345678" not in session.message


def test_other_books_of_the_month_are_read_from_files(clean: Path) -> None:
    session = FakeSession(_book(clean, callback_ledger.STEM))
    books, _ = ribbon._month_books(session, ribbon.month_place(session.path))
    assert books[callback_ledger.STEM] is session.live
    assert isinstance(books[complaint_ledger.STEM], FileBook)


def test_handout_and_collect_buttons(clean: Path) -> None:
    """发放自评表 writes the seven 自评表 into 自评/, the month's books closed for the run;
    收集自评 after 管网部 typed its 自评 writes it into the 考核表 and lists who is missing."""
    from openpyxl import load_workbook

    from xinao_xl.books import self_assessment

    session = FakeSession(_book(clean, assessment.STEM))
    ribbon.dispatch("btnHandout", session)
    assert not session.failed, session.message
    assert "已发放 2026-11 自评表 7 份（交回截止 2026-12-06）" in session.message
    assert sorted(session.closed_paths) == sorted(clean.glob("2026-11_*.xlsx"))
    returned = clean / "自评" / "管网部_自评.xlsx"
    wb = load_workbook(returned)
    wb[self_assessment.SHEET]["E5"] = 0.99  # 带气作业停气通知率 99%
    wb.save(returned)
    collect = FakeSession(_book(clean, assessment.STEM))
    ribbon.dispatch("btnCollect", collect)
    assert not collect.failed, collect.message
    assert "管网部：收到 1 项自评" in collect.message and "未交回：客服部、市场工程部、车用燃气部、调度中心、计财部、安保部" in collect.message
    spec = assessment.department_sheet(load_rules().department("管网部"))
    assert load_workbook(_book(clean, assessment.STEM))["管网部"].cell(row=spec.row_of("i1"), column=5).value == 0.99


def test_collect_button_before_the_hand_out_says_what_to_do(clean: Path) -> None:
    session = FakeSession(_book(clean, assessment.STEM))
    ribbon.dispatch("btnCollect", session)
    assert session.failed and "尚未发放" in session.message and "handout" in session.message
