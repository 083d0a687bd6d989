"""The ribbon dispatcher: each button id of the 新奥服务 tab -> a handler running a service.

The VBA callback ``OnRibbon`` (``vba_stubs/XinaoRibbon.bas``) runs
``import xinao_xl.excel.ribbon as r; r.dispatch('<button id>')``; `dispatch` shows progress
in the status bar and the result, or the error, in a Chinese message box. Errors are mapped
in one place (`error_text`): a `XinaoError` shows its message; anything else only its type (its
text may carry a customer's name or phone), with the advice to run 诊断.

Handlers take a `Session` (``xinao_xl.excel.session``): Excel gets the xlwings one, tests a
fake over workbook files, so every button runs here against real files.

Every click starts a Python process that imports this module, so it imports nothing heavy
at its top: each handler imports its use case when it runs (the close, SQLAlchemy and the
report writers are not paid for by 清除标记 or 今日待办).

    >>> sorted(HANDLERS)[:3]
    ['btnClearMarks', 'btnCloseMonth', 'btnDoctor']
"""

from __future__ import annotations

import getpass
import sys
import traceback
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from xinao_xl.policy.errors import XinaoError
from xinao_xl.policy.month import Month

if TYPE_CHECKING:
    from xinao_xl.services import close

    from .session import Session

__all__ = ["HANDLERS", "MonthPlace", "RibbonError", "dispatch", "error_text", "month_place"]

T = TypeVar("T")

MAX_LISTED = 15  # findings listed in a message box; the rest are counted


class RibbonError(XinaoError):
    """A Chinese message for the user (shown in a message box, not as a traceback)."""


@dataclass(frozen=True)
class MonthPlace:
    """Where the user's workbook sits: ``root/2026-11/2026-11_….xlsx``."""

    path: Path
    month: str | None
    folder: Path
    root: Path


def month_place(path: Path | None) -> MonthPlace:
    """The month and folders of the user's workbook; a workbook never saved is refused."""
    if path is None:
        raise RibbonError("请先把工作簿保存到月份文件夹（如 D:\\服务考核\\2026-11）中，再使用此功能")
    folder = path.parent
    return MonthPlace(path, Month.match(folder.name) or Month.search(path.name), folder, folder.parent)


def _need_month(place: MonthPlace) -> str:
    if place.month is None:
        raise RibbonError(f"无法从“{place.path.name}”或其文件夹名看出月份：请把工作簿放在以月份命名的文件夹（如 2026-11）中")
    return place.month


# --- 月度 ------------------------------------------------------------------------------


def new_month(session: Session) -> str:
    """生成下月空表: next month's blank workbooks beside this month's folder."""
    from xinao_xl.services import new_month as new_month_service

    place = month_place(session.book_path())
    target = Month(_need_month(place)).next()
    session.status(f"正在生成 {target} 的空白工作簿…")
    paths = new_month_service.create_month(target, place.root)
    return f"已生成 {target} 的空白工作簿：\n" + "\n".join(f"  {p.name}" for p in paths) + f"\n位置：{place.root / target}"


def _month_files_closed(session: Session, place: MonthPlace) -> ExitStack:
    """Save and close the month's workbooks open in Excel while a file service rewrites them
    (file services refuse a workbook whose lock file is present); reopened afterwards."""
    stack = ExitStack()
    for path in sorted(place.folder.glob("*.xlsx")):
        if not path.name.startswith("~$"):
            stack.enter_context(session.closed(path))
    return stack


def _in_month(session: Session, doing: str, run: Callable[[str, Path], T]) -> tuple[str, T]:
    """What most month buttons share: the month of the active workbook's folder, `doing` on
    the status bar (``{month}`` filled in), and `run(month, root)` with the month's workbooks
    saved and closed in Excel for the run and opened again after (the services read and
    write their files)."""
    place = month_place(session.book_path())
    month = _need_month(place)
    session.status(doing.format(month=month))
    with _month_files_closed(session, place):
        return month, run(month, place.root)


def close_month(session: Session) -> str:
    """月度结账: the close service on this month's folder, its workbooks closed for the run
    (the close reads their files, refuses locked ones, and writes next month's books). Before
    writing, the preview (findings by kind, the scores to record) in a 确定/取消 dialog."""
    from xinao_xl.services import close

    place = month_place(session.book_path())
    month = _need_month(place)

    def progress(step: int, total: int, text: str) -> None:
        session.status(f"月度结账 {step}/{total}：{text}…")

    def confirm(preview: close.ClosePreview) -> bool:  # the same summary as the command line's, in a dialog
        session.status(None)
        return session.confirm(preview.text() + f"\n\n确定结账 {month}？")

    session.status(f"正在结账 {month}…")
    try:
        with _month_files_closed(session, place):
            result = close.close_month(month, place.root, user=getpass.getuser(), progress=progress, confirm=confirm)
    except close.CloseCancelled as exc:
        return exc.message
    return _describe(result, f"{month} 已结账")


def refresh_imports(session: Session) -> str:
    """刷新汇入: recount the 台账 and the 投诉台账 into the 考核表's 汇入 sheet (services/refresh.py),
    the month's workbooks saved and closed in Excel for the run and opened again after (Excel
    then recalculates the 考核表 with the new figures)."""
    from xinao_xl.services import refresh as refresh_service

    _, result = _in_month(session, "正在刷新 {month} 考核表的汇入…",
                          lambda month, root: refresh_service.refresh_month(month, root, user=getpass.getuser()))
    return _describe(result, "已刷新汇入")


def handout(session: Session) -> str:
    """发放自评表: each department's 自评表 into the month's 自评 folder (考核 5.1), the month's
    workbooks saved and closed for the run (the hand-out reads the ledgers' deductions)."""
    from xinao_xl.services import self_assessment as self_assessment_service

    _, result = _in_month(session, "正在发放 {month} 自评表…",
                          lambda month, root: self_assessment_service.handout_month(month, root, user=getpass.getuser()))
    return _describe(result, "已发放自评表")


def collect(session: Session) -> str:
    """收集自评: the returned 自评表 checked and written into the 考核表 (考核 5.2), the month's
    workbooks saved and closed for the run and opened again after."""
    from xinao_xl.services import self_assessment as self_assessment_service

    _, result = _in_month(session, "正在收集 {month} 自评…",
                          lambda month, root: self_assessment_service.collect_month(month, root, user=getpass.getuser()))
    return _describe(result, "已收集自评")


def callback_report(session: Session) -> str:
    """生成回访报告: the report service (the close's figures as the month stands), its
    workbooks saved and closed in Excel for the run (the service reads their files)."""
    from xinao_xl.services import report

    month, path = _in_month(session, "正在生成 {month} 回访报告…", report.make_report)
    return f"已生成 {month} 客户回访报告：\n  {path}\n（电话已遮蔽；月度结账时会重新生成，报告中已填写的整改建议保留）"


# --- 校验 ------------------------------------------------------------------------------


def _month_books(session: Session, place: MonthPlace) -> tuple[dict[str, Any], Any]:
    """The month's books as ports: the user's live, others live when open, else their files."""
    from xinao_xl.books.port import FileBook
    from xinao_xl.services import validate

    try:
        sources, _ = validate.month_sources(place.folder if place.month else [place.path])
    except validate.ValidateInputError:
        sources, _ = validate.month_sources([place.path])
    books: dict[str, Any] = {}
    mine = place.path.resolve()
    for stem, path in sources.items():
        if path.resolve() == mine:
            books[stem] = session.book()
        else:
            books[stem] = session.open_book(path) or FileBook.open(path)
    prev = validate.previous_ledger_path(place.folder if place.month else None, place.month, None)
    return books, (FileBook(prev) if prev is not None else None)


def validate_book(session: Session, now: datetime | None = None) -> str:
    """校验本簿: validate the month as Excel holds it; mark this book's problem cells."""
    from xinao_xl.books import complaint_ledger
    from xinao_xl.services import validate
    from xinao_xl.services.appeals import late_appeals
    from xinao_xl.services.lookback import lookback
    from xinao_xl.services.settings import closed_month_rules

    place = month_place(session.book_path())
    session.status("正在校验…")
    books, previous = _month_books(session, place)
    past = None
    rules = None
    appeals: list[Any] = []
    if place.month:  # the months before from the history store, else their workbooks (7-day, 3-month rules)
        rules = closed_month_rules(place.root, place.month)  # the office's settings of the month (制度设置.xlsx)
        past = lookback(place.root, place.month, rules=rules)
        if complaint_ledger.STEM in books:
            appeals = late_appeals(place.root, place.month, books[complaint_ledger.STEM].read_table(complaint_ledger.ledger_sheet(rules)).records())
    findings = validate.validate_books(books, place.month, None if past else previous, now, rules, past, late_appeals=appeals)
    if place.month:  # a closed month's workbook changed after the close (services/integrity.py)
        findings = validate.closed_month_findings(validate.month_sources(place.folder)[0]) + findings
    book = session.book()
    book.clear_marks()
    names = set(book.sheet_names())
    marked = 0
    for f in findings:
        if f.workbook == place.path.name and f.cell and f.sheet in names:
            for cell in f.cells():  # a finding for a range of rows marks each of its cells
                book.mark_cell(f.sheet, cell, f.severity, f"{f.severity}：{f.message}")
                marked += 1
    errors = sum(f.is_error for f in findings)
    lines = [f"共 {errors} 个错误、{len(findings) - errors} 个警告；本簿已标记 {marked} 个单元格"]
    for f in findings[:MAX_LISTED]:
        where = f"{f.workbook} {f.sheet}!{f.cell}" if f.cell else f"{f.workbook} {f.sheet}".rstrip()
        lines.append(f"[{f.severity}] {where}：{f.message}")
    if len(findings) > MAX_LISTED:
        lines.append(f"……另有 {len(findings) - MAX_LISTED} 条，见标记的单元格或运行 xinao-xl validate")
    if not findings:
        lines = ["校验通过，未发现问题"]
    return "\n".join(lines)


def clear_marks(session: Session) -> str:
    """清除标记: remove the add-in's marks only, restoring fills and notes."""
    count = session.book().clear_marks()
    return f"已清除 {count} 个校验标记" if count else "本簿没有校验标记"


# --- 回访 ------------------------------------------------------------------------------


def sampling(session: Session, day: date | None = None) -> str:
    """导入完工数据并抽样: the user picks the completed-orders export; sampled rows go to the 台账.

    The sampling service appends to the 台账 file and refuses it while it is open, so the
    台账, if open in this Excel, is saved and closed for the run and opened again after.
    """
    from xinao_xl.services import sampling as sampling_service

    place = month_place(session.book_path())
    month = _need_month(place)
    completed = session.choose_file("选择完工工单导出文件（工单号、业务类型、完工时间、客户、电话……）")
    if completed is None:
        return "已取消抽样"
    session.status("正在导入完工数据并计算今日回访量…")
    with session.closed(sampling_service.ledger_path(place.root, month)):
        result = sampling_service.sample_completed(completed, month, place.root, agent=getpass.getuser(), day=day)
    return _describe(result, "已完成抽样")


def flow_forms(session: Session) -> str:
    """生成流转单: the flow-form service (附件3, one A4 sheet per flagged callback), the
    month's workbooks saved and closed in Excel for the run."""
    from xinao_xl.services import flow_forms as flow_forms_service

    _, result = _in_month(session, "正在生成流转单…", flow_forms_service.make_flow_forms)
    return result.summary()


# --- 投诉 ------------------------------------------------------------------------------


def refresh_deadlines(session: Session, now: datetime | None = None) -> str:
    """刷新时限: recalculate, then count open complaint stages by deadline status."""
    from xinao_xl.books import complaint_ledger
    from xinao_xl.books.port import FileBook
    from xinao_xl.services.settings import rules_for_month

    from .deadlines import summarize_complaints

    session.status("正在重新计算时限…")
    session.calculate()
    place = month_place(session.book_path())
    book: Any = session.book()
    if complaint_ledger.LEDGER not in book.sheet_names():
        path = next(iter(sorted(place.folder.glob(f"*{complaint_ledger.STEM}*.xlsx"))), None)
        if path is None or path.name.startswith("~$"):
            raise RibbonError("本簿不是客户投诉台账，月份文件夹中也没有找到投诉台账")
        book = session.open_book(path) or FileBook(path)
    rules = rules_for_month(place.root, place.month) if place.month else None
    summary = summarize_complaints(book, now, rules)
    return summary.text()


def _selected_complaint(session: Session) -> tuple[MonthPlace, str, str]:
    """The month and the 投诉单号 of the 投诉台账 row the active cell is in."""
    from xinao_xl.books import complaint_ledger
    from xinao_xl.policy.parse import is_blank
    from xinao_xl.services.settings import rules_for_month

    place = month_place(session.book_path())
    month = _need_month(place)
    where = session.selection()
    if where is None or where[0] != complaint_ledger.LEDGER:
        raise RibbonError(f"请先在客户投诉台账的“{complaint_ledger.LEDGER}”表中选中要打印的投诉所在行（该行任一单元格），再点此按钮")
    row = where[1]
    table = session.book().read_table(complaint_ledger.ledger_sheet(rules_for_month(place.root, month)))
    rec = next((r for r in table.records() if int(r["_row"]) == row), None)
    if rec is None or is_blank(rec.get("no")):
        raise RibbonError(f"“{complaint_ledger.LEDGER}”第 {row} 行没有投诉单号：请选中一起投诉所在的行")
    return place, month, str(rec["no"]).strip()


def complaint_form(session: Session) -> str:
    """打印投诉单: the one-page 投诉单 (投诉 第十条(二)) of the complaint in the selected row,
    one A4 page per responsible department, into the month folder's 投诉单 folder (full phones:
    the office's own file). The month's workbooks are saved and closed for the run."""
    from xinao_xl.services import complaint_forms as complaint_forms_service

    place, month, number = _selected_complaint(session)
    session.status(f"正在生成投诉 {number} 的投诉单…")
    with _month_files_closed(session, place):
        result = complaint_forms_service.make_complaint_form(number, place.root, month=month)
    return result.summary()


def termination_form(session: Session) -> str:
    """特殊终止申请表: 附件5 (投诉 第七条(四)3) of the 无责 complaint in the selected row."""
    from xinao_xl.services import complaint_forms as complaint_forms_service

    place, month, number = _selected_complaint(session)
    session.status(f"正在生成投诉 {number} 的特殊终止申请表…")
    with _month_files_closed(session, place):
        result = complaint_forms_service.make_complaint_form(number, place.root, month=month, termination=True)
    return result.summary()


# --- 今日待办 (the daily round) -------------------------------------------------------------


def today_list(session: Session, now: datetime | None = None) -> str:
    """今日待办: what is due today (Beijing time) in this month's and last month's open
    workbooks, those open in Excel read live; the whole list in a new workbook, the most
    urgent lines in the message."""
    from xinao_xl.services import today as today_service

    place = month_place(session.book_path())
    session.status("正在汇总今日待办…")
    due = today_service.due_list(place.root, now.date() if now else None, now, open_book=session.open_book)
    if due.items:
        session.show_rows("今日待办", [today_service.HEADERS, *due.rows()], (17, 16, 56, 14, 30, 10, 8))
    return due.text(limit=MAX_LISTED)


# --- 帮助 ------------------------------------------------------------------------------


def function_help(session: Session) -> str:
    """函数说明: every worksheet function with its arguments, in a new workbook."""
    from .help import function_help_rows

    rows = function_help_rows()
    session.show_rows("函数说明", rows, (20, 46, 70))
    return f"已在新工作簿中列出 {len(rows) - 1} 个函数的说明"


def doctor(session: Session) -> str:
    """诊断: the same checks as ``xinao-xl doctor``."""
    from xinao_xl.services import doctor as doctor_service

    from .addin.inspect import embedded_xlwings_version

    path = session.book_path()
    addin = getattr(session, "addin_path", lambda: None)()
    version = embedded_xlwings_version(addin) if addin else None
    return doctor_service.report(doctor_service.run_checks(addin_xlwings=version, month_folder=path.parent if path else None))


def settings(session: Session) -> str:
    """版本与设置: versions, interpreter, the add-in's settings."""
    from .help import settings_text

    return settings_text(getattr(session, "addin_path", lambda: None)())


HANDLERS: dict[str, Callable[[Session], str]] = {
    "btnNewMonth": new_month,
    "btnRefreshImports": refresh_imports,
    "btnCloseMonth": close_month,
    "btnReport": callback_report,
    "btnValidate": validate_book,
    "btnClearMarks": clear_marks,
    "btnSampling": sampling,
    "btnFlowForms": flow_forms,
    "btnRefreshDeadlines": refresh_deadlines,
    "btnFunctionHelp": function_help,
    "btnDoctor": doctor,
    "btnSettings": settings,
}
HANDLERS["btnToday"] = today_list  # the daily round (issue 14)
HANDLERS |= {"btnComplaintForm": complaint_form, "btnTerminationForm": termination_form}  # a complaint on paper (issue 18)
HANDLERS["btnHandout"] = handout  # the assessment cycle (issue 19)
HANDLERS["btnCollect"] = collect


def _describe(result: Any, done: str) -> str:
    """A service result as message-box text: its own ``summary()``/text, or the files written."""
    if result is None:
        return done
    if hasattr(result, "summary") and callable(result.summary):
        return str(result.summary())
    if isinstance(result, str):
        return result
    if isinstance(result, Path):
        return f"{done}：\n  {result}"
    if isinstance(result, list | tuple) and all(isinstance(p, Path) for p in result):
        return done + "：\n" + "\n".join(f"  {p}" for p in result)
    return f"{done}：{result}"


def dispatch(control_id: str, session: Session | None = None) -> str | None:
    """Run the button ``control_id``; show the result or the error; return the message."""
    if session is None:
        from .session import XlwingsSession

        session = XlwingsSession()
    handler = HANDLERS.get(control_id)
    try:
        if handler is None:
            raise RibbonError(f"未知的按钮：{control_id}（加载项与 xinao_xl 版本不一致？请点“诊断”）")
        message = handler(session)
    except Exception as exc:  # noqa: BLE001 - the user must see a message, never a silent failure
        if not isinstance(exc, XinaoError):
            traceback.print_exc()  # for the maintainer (xlwings' log); the message box shows only the type
        session.alert(error_text(exc), error=True)
        return None
    finally:
        session.status(None)
    session.alert(message)
    return message


def error_text(exc: BaseException) -> str:
    """The message box for an error: a `XinaoError`'s Chinese message (with where to look next);
    for anything else only its type, since its text may carry a customer's name or phone."""
    close = sys.modules.get("xinao_xl.services.close")  # only the close raises it: imported if raised
    if close is not None and isinstance(exc, close.ValidationFailed):
        return f"{exc.message}\n可点“校验本簿”在单元格上查看每个问题"
    if isinstance(exc, XinaoError):
        return exc.message
    return f"出错了：处理时发生意外错误（{type(exc).__name__}），已中止。\n请点“诊断”检查环境；问题仍在时把所用的按钮和工作簿告诉维护人员"
