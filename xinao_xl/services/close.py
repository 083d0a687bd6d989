"""Use case: the monthly close (`xinao-xl close 2026-11`, ribbon 月度结账).

    result = close_month("2026-11", Path("D:/服务考核"), user="孙雪燕")
    print(result.summary())

In order (each step reported through ``progress(step, total, text)``):

1. validate the month; 错误 stop the close unless ``force`` with a ``reason``;
2. read the four workbooks once (calamine) and compute every department's `ScoreCard`
   (`month_books.MonthBooks`: complaints from the 投诉台账, late flow forms from the 台账,
   praise and hand entries from 加减分明细, indicators from the department sheets — 审核
   when filled, else 自评 — and callback satisfaction rates from the 台账); then the
   content digest of the record (step 4) is taken and the readers let go of the sheets'
   cells, the tables read from them kept (`BookReader.release`);
3. write the outputs into ``YYYY-MM/结账/`` (a subfolder, so the month folder still holds
   exactly its four workbooks; names: books/month_folder.py): the closed 考核表 (our values
   beside the live formulas, with any disagreement against the workbook's cached values),
   the filled 意见统计表 (both written by books/closing.py), the 客户回访报告 (`report`, with
   its 服务通报 sheet, `bulletin`) and the 流转单; staff workbooks are never saved over;
4. write the 结账记录 (who, when, tool version, SHA-256 of every input and output, and of
   each input's entry cells: `integrity.content_digest`) and the marker ``已结账.txt``;
   remove the month's 校验结果 (they describe the books before the close);
5. generate next month's blank set (the books `create_month` writes) and carry over what is
   still open: complaints not 办结 and flow forms without feedback (books/closing.py);
6. write the month's records to the history store (`services.history`; ``db``, else the
   setting ``XINAO_XL_DB``, else ``历史库.sqlite`` beside the month folders), replacing the
   month's rows in one transaction after the marker (made before, while the second process
   works, when there is one). The workbooks stay the source: a store that cannot be
   written is a note, not a failed close, and ``xinao-xl history rebuild`` repairs it.

Two cores: a second Python process is started with the close (`spawned.Spawned`); once the
books are read, it is sent the few plain records the 流转单 and next month's books are built
from (`close_beside.BesideInput`) and builds them while this one validates, scores and writes
the rest; they come back as bytes and are staged here like the others.

Validation looks back through `lookback.lookback` (history store, else the past months'
workbooks) for the 7-day callback and 3-month repeat-complaint rules.

``people=NO_PEOPLE`` (``--share``) makes the report fit to leave the office (services/share.py).
A forced re-close notes which inputs changed since the close it replaces (services/integrity.py).

A closed month is refused unless ``force`` (with a reason). Re-running on the same inputs
and the same ``now`` gives the same workbook contents (no timestamps inside them).

One writer at a time (books/lock.py): the close holds the month folder's lock (and next
month's, when that folder exists) from before it reads until the marker is written; a
second close, a sampling run or a new month meanwhile is refused at once, naming who holds
it. Each input's bytes are read once, hashed and parsed from those bytes (books/read.py);
the record holds the digest of what was read, and a file saved over during the close (by
Excel, which takes no lock of ours) stops it before anything goes in place, naming the file.

A month that has not ended (Beijing time, policy/clock.py) is refused
unless ``force`` with a ``reason``. Before writing, the close builds `ClosePreview` (the
validation findings grouped by kind, the scores it will record, what is unusual) and asks
``confirm(preview)`` when given; `preview_close` (``--dry-run``, 预结账) returns the same
preview and writes nothing: no lock file, no swept leftovers, no store.

Nothing is lost (books/save.py): before any work, every workbook read or replaced is
refused while open in Excel, and every file replaced or folder written while read-only.
Every output is then written completely under a temporary name; only when all of them are
there do they go in place, in this order: the ``结账`` folder (renamed in one step when
new; else file by file, the replaced files kept in its ``历史版本``), the 结账记录, next
month's folder, and the marker last. A close killed at any point leaves every input
byte-identical, no half-written file under a real name and the month not marked closed, so
running it again completes it (tests/services/test_fault_injection.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import xinao_xl
from xinao_xl.books import assessment, callback_ledger, complaint_ledger, imported, opinions
from xinao_xl.books.allowance_form import build_allowance_form
from xinao_xl.books.closing import closed_assessment, filled_opinions_bytes
from xinao_xl.books.evidence import relative_link
from xinao_xl.books.lock import MonthLock
from xinao_xl.books.memory import collect_garbage, gc_paused
from xinao_xl.books.month_folder import OUT_DIR, MonthFolder
from xinao_xl.books.read import formula_link
from xinao_xl.books.report import MASKED, NO_PEOPLE
from xinao_xl.books.save import Batch, preflight, sha256, sweep_temps
from xinao_xl.history.store import error_text
from xinao_xl.policy import clock, deadlines
from xinao_xl.policy.complaint_process import RowKey
from xinao_xl.policy.errors import PolicyInputError, XinaoError
from xinao_xl.policy.month import Month
from xinao_xl.policy.parse import is_blank
from xinao_xl.policy.rules import Rules
from xinao_xl.policy.scoring import ADJUSTMENT, ScoreCard

from . import share
from .allowance import allowance_lines
from .approval import approval_notes, blocked, read_reviews
from .approval import record_of as reviews_record
from .close_beside import BesideInput, MadeBeside, NextBooks, NextMonthInput, build_beside
from .close_summary import SCORE_HEADERS, ClosePreview, score_rows
from .history import PreparedClose, prepare_close, record_close, record_info
from .integrity import DIGEST_VERSION, DIGEST_VERSION_KEY, content_digests, verify_month
from .lookback import lookback
from .month_books import MonthBooks
from .refresh import held_imports
from .report import report_book
from .settings import RECORD_KEY, record_of, rules_for_close, rules_for_month
from .spawned import Spawned
from .validate import has_errors, validate_books
from .validate_context import Finding

Progress = Callable[[int, int, str], None]

BESIDE_TARGET = "xinao_xl.services.close_beside:build_beside"  # what the second process computes (spawned.py)

# The largest 台账 (rows) whose 流转单 and next month's books the second process builds. Its
# memory grows with the 流转单 (one sheet per flagged callback): at 100,000 callbacks it
# peaked at 192 MB beside the close's 364 MB, over the 500 MB a close may take together;
# alone, the close peaks at about 430 MB. An office's month is a few thousand callbacks.
BESIDE_MAX_CALLBACKS = 20_000

STEPS = ("校验", "读取并计分", "写入考核表结账副本", "生成回访报告", "填写意见统计表", "生成流转单", "生成下月工作簿并结转", "放入结果并写结账记录")
# (the 服务津贴申请, 考核 5.4, is written with the 流转单's step: one page, no step of its own)


class CloseError(XinaoError, ValueError):
    """The close cannot go on (Chinese message); nothing of the month was changed."""


class MonthClosedError(CloseError):
    """The month carries the closed marker and ``force`` was not given."""


class ValidationFailed(CloseError):
    """Validation found 错误; the findings are attached (exit code 1, as `validate` with errors)."""

    exit_code = 1

    def __init__(self, message: str, findings: list[Finding]) -> None:
        super().__init__(message)
        self.findings = findings


class MonthNotEndedError(CloseError):
    """The month's last day (office time) is not behind yet, and ``force`` was not given."""


class InputsChangedError(CloseError):
    """An input's bytes on disk are no longer those the close read; the month is not closed."""


class NotApprovedError(CloseError):
    """The office's setting 审批后方可结账 is on and a department is not reviewed or approved."""


class CloseCancelled(CloseError):
    """The user said no to the preview; nothing was written."""

    exit_code = 1


Confirm = Callable[[ClosePreview], bool]
__all__ = ["CloseCancelled", "CloseError", "NotApprovedError", "ClosePreview", "CloseResult", "InputsChangedError", "MonthClosedError", "MonthNotEndedError",
           "ValidationFailed", "close_month", "preview_close"]


@dataclass
class CloseResult:
    month: str
    folder: Path
    cards: dict[str, ScoreCard]
    outputs: dict[str, Path] = field(default_factory=dict)
    record: Path | None = None
    next_month: str = ""
    next_paths: list[Path] = field(default_factory=list)
    carried: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # disagreements and things to check
    forced: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    history: Any = None  # services.history.Recorded, None when the store is off or failed
    contents: dict[str, str] = field(default_factory=dict)  # input file -> integrity.content_digest
    reviews: dict[str, Any] = field(default_factory=dict)  # department -> approval.Review (考核 5.3)

    def score_rows(self) -> list[list[Any]]:
        return score_rows(self.cards)

    SCORE_HEADERS = SCORE_HEADERS

    def summary(self) -> str:
        lines = [f"{self.month} 已结账{'（强制）' if self.forced else ''}，结果在 {self.folder / OUT_DIR}："]
        lines += [f"  {p.name}" for p in self.outputs.values()]
        if self.next_paths:
            lines.append(f"已生成 {self.next_month} 工作簿，结转未办结投诉 {self.carried.get('complaints', 0)} 条、未反馈流转单 {self.carried.get('flow_forms', 0)} 条")
        if self.history is not None:
            lines.append(self.history.summary())
        lines += [f"注意：{n}" for n in self.notes]
        return "\n".join(lines)


# --- the use case ---------------------------------------------------------------------------------


def blocked_by_approval(reviews: dict[str, Any], rules: Rules, force: bool) -> str | None:
    """The refusal under 审批后方可结账 (services/approval.py); a forced close (with its
    reason, recorded) goes on and says so in its notes."""
    return None if force else blocked(reviews, rules)


def _refusals(mf: MonthFolder, now: datetime, force: bool, reason: str | None) -> list[str]:
    """Why the close would be refused as things stand (empty: it may go on)."""
    out = []
    if force and not (reason or "").strip():
        out.append("强制结账须说明原因（--reason）")
    if mf.closed and not force:
        out.append(f"{mf.month} 已于 {mf.closed_text()} 结账；如需重新结账请使用 --force 并说明原因")
    if not clock.month_has_ended(mf.month, now) and not force:
        out.append(f"{mf.month} 尚未结束（今天是 {now:%Y-%m-%d}，北京时间）：月末之后才能结账；"
                   "确需提前结账请使用 --force 并用 --reason 说明原因")
    return out


def _refuse(mf: MonthFolder, now: datetime, force: bool, reason: str | None) -> None:
    for why in _refusals(mf, now, force, reason):
        if why.startswith("强制结账须"):
            raise CloseError(why)
        raise (MonthClosedError if "已于" in why else MonthNotEndedError)(why)


def _preview_notes(mf: MonthFolder, now: datetime, force: bool, reason: str | None) -> list[str]:
    notes = []
    if not clock.month_has_ended(mf.month, now):
        notes.append(f"{mf.month} 尚未结束（今天是 {now:%Y-%m-%d}），本次为提前强制结账" + (f"：{reason}" if reason else ""))
    if mf.closed:
        notes.append(f"{mf.month} 已于 {mf.closed_text()} 结账，本次将重新结账并替换结账结果" + (f"（原因：{reason}）" if reason else ""))
    return notes


def _read_and_validate(mf: MonthFolder, now: datetime, rules: Rules, db: str | Path | None,
                       company: str | None, *, migrate: bool = True) -> tuple[MonthBooks, list[Finding]]:
    """Step 1: the books read once (their bytes kept and hashed) and validated."""
    mb = MonthBooks.open(mf.root, mf.month, as_of=now, rules=rules)
    return mb, _validate(mf, mb, now, rules, db, company, migrate=migrate)


def _validate(mf: MonthFolder, mb: MonthBooks, now: datetime, rules: Rules, db: str | Path | None,
              company: str | None, *, migrate: bool = True) -> list[Finding]:
    past = lookback(mf.root, mf.month, db=db, company=company, rules=rules, migrate=migrate)
    return validate_books(mb.books, mf.month, None, now, rules, past, late_appeals=mb.late_appeals(), month_books=mb)


def preview_close(month: str, root: Path, *, force: bool = False, reason: str | None = None, now: datetime | None = None,
                  rules: Rules | None = None, db: str | Path | None = None, company: str | None = None,
                  current_settings: bool = False) -> ClosePreview:
    """预结账 (``xinao-xl close --dry-run``): the findings and scores the close would record,
    and why it would be refused if it would; reads only (no lock file, no sweep, nothing written)."""
    mf = MonthFolder(root, month)
    settings_note = ""
    if rules is None:
        rules, settings_note = rules_for_close(mf, force, current_settings)
    now = (now or clock.now()).replace(microsecond=0)
    mf.existing_books()
    mb, findings = _read_and_validate(mf, now, rules, db, company, migrate=False)
    notes = _preview_notes(mf, now, force, reason) + ([settings_note] if settings_note else []) + reporting_notes(mf.month, now, rules)
    try:
        cards = mb.score_cards()
    except XinaoError as exc:  # an entry the scoring cannot use (validation names its cell)
        cards = {}
        notes.append(f"无法计分：{exc.message}")
    reviews = read_reviews(mb)
    preview = ClosePreview(mf.month, cards, findings, forced=force, notes=notes + approval_notes(reviews))
    blocked = _refusals(mf, now, force, reason)
    unapproved = blocked_by_approval(reviews, rules, force)
    if unapproved:
        blocked.append(unapproved)
    if has_errors(findings) and not force:
        blocked.append(f"校验有 {preview.errors} 个错误：请改正后重试，或使用 --force 并说明原因")
    preview.notes += [f"结账会被拒绝：{why}" for why in blocked]
    return preview


def _unchanged(mb: MonthBooks, paths: dict[str, Path]) -> None:
    """Every input still holds the bytes the close read; else `InputsChangedError` naming them."""
    changed = []
    for stem, path in paths.items():
        try:
            now = sha256(path)
        except OSError:
            now = None
        if now != mb.books[stem].reader.sha256:
            changed.append(path.name)
    if changed:
        raise InputsChangedError(f"{'、'.join(changed)} 在结账过程中被修改或移走（可能有人在Excel中保存了它）："
                                 f"{mb.month} 未标记为已结账，结账所用的内容与文件不一致；请检查该文件，确认无误后重新结账")


@gc_paused  # a dozen workbooks built and saved: see books/memory.py
def close_month(month: str, root: Path, *, force: bool = False, reason: str | None = None, user: str | None = None,
                progress: Progress | None = None, now: datetime | None = None, people: str = MASKED, rules: Rules | None = None,
                db: str | Path | None = None, company: str | None = None, confirm: Confirm | None = None,
                current_settings: bool = False) -> CloseResult:
    """Close `month` under `root` (see the module docstring); returns what was written.

    `confirm` is asked with the preview before anything is written; False cancels
    (`CloseCancelled`, nothing written).

    `rules`: the month's rules; by default the office's settings in effect for the month
    (制度设置.xlsx), or, for a forced re-close of a closed month, the settings its record
    holds unless `current_settings` (`settings.rules_for_close`, which says so in a note).
    Next month's books are built with next month's settings."""
    mf = MonthFolder(root, month)
    month, root, folder = mf.month, mf.root, mf.path
    settings_note = ""
    if rules is None:
        rules, settings_note = rules_for_close(mf, force, current_settings)  # a bad 制度设置.xlsx stops here
        next_rules = rules_for_month(root, mf.next().month)
    else:
        next_rules = rules
    # whole seconds, as the 结账记录 writes it: a rebuild of the history store judges
    # lateness as of the recorded time and must get the same rows; office time (Asia/Shanghai)
    now = (now or clock.now()).replace(microsecond=0)
    total = len(STEPS)
    timings: dict[str, float] = {}

    def step(n: int) -> None:
        collect_garbage()  # the output saved in the step before (books/memory.py)
        if progress:
            progress(n, total, STEPS[n - 1])

    paths = mf.existing_books()
    out = mf.out_dir
    names = mf.output_names()

    def refuse_before_work() -> NextPlan:
        _refuse(mf, now, force, reason)
        plan = _plan_next_month(mf, mf.load_record())
        preflight(read=[*paths.values(), mf.prev().book(callback_ledger.STEM)],
                  write=[mf.record_path, mf.marker, *(out / n for n in names.values()), *plan.targets])
        return plan

    refuse_before_work()  # before the lock too: a refused close leaves no trace, not even a lock file
    with MonthLock(folder, "结账", user=user) as lock, MonthLock(mf.next().path, f"{month} 结账（生成下月工作簿）", user=user), \
            ExitStack() as stack:
        was_closed = mf.closed  # under the lock: a close that finished meanwhile is seen
        plan = refuse_before_work()
        sweep_temps([root, folder, out, plan.folder.path])
        # the second process starts importing now, while this one reads (spawned.py; killed
        # if the close stops)
        second: Spawned[MadeBeside] = stack.enter_context(Spawned(BESIDE_TARGET))

        step(1)
        t0 = time.perf_counter()
        mb = MonthBooks.open(mf.root, mf.month, as_of=now, rules=rules)  # the bytes, read once
        mb.read_ahead()
        # from the tables read, the second process builds the 流转单 and next month's books while
        # this one validates, scores and writes the rest
        given = _early_beside_input(mb, plan, now, next_rules) if mb.ledger.size <= BESIDE_MAX_CALLBACKS else None
        if given is not None:
            second.send(given)
        else:
            second.cancel()
        findings = _validate(mf, mb, now, rules, db, company)
        timings["validate"] = time.perf_counter() - t0
        if has_errors(findings) and not force:
            n = sum(f.is_error for f in findings)
            raise ValidationFailed(f"校验发现 {n} 个错误，已停止结账：请改正后重试（xinao-xl validate {folder}），或使用 --force 并说明原因", findings)
        step(2)
        t0 = time.perf_counter()
        cards = mb.score_cards()
        timings["compute"] = time.perf_counter() - t0
        reviews = read_reviews(mb)  # 考核 5.3: the office's review and the supervisor's approval
        unapproved = blocked_by_approval(reviews, rules, force)
        if unapproved:
            raise NotApprovedError(unapproved)
        result = CloseResult(month, folder, cards, findings=findings, forced=force, reviews=reviews)
        result.notes += ([settings_note] if settings_note else []) + reporting_notes(month, now, rules) + approval_notes(reviews)
        interrupted = [lock.interrupted_note()] if lock.interrupted_note() else []  # shown, not recorded: not the month's data
        preview = ClosePreview(month, cards, findings, forced=force, notes=_preview_notes(mf, now, force, reason) + interrupted)
        if confirm is not None and not confirm(preview):
            raise CloseCancelled(f"已取消 {month} 的结账，什么都没有写入")
        readers = {stem: book.reader for stem, book in mb.books.items()}
        # what the close read, beside the bytes (a workbook Excel only re-saved is not "changed"),
        # taken while the cells are there; then they are let go, the tables read from them kept
        # (at 100,000 callbacks the 台账's cells were 100 MB held to the end of the close)
        result.contents = content_digests(paths, rules, readers)
        for reader in readers.values():
            reader.release()
        t0 = time.perf_counter()
        # Everything complete under temporary names first, then in place (module docstring).
        with Batch(out) as outputs, Batch(plan.folder.path, keep_previous=False) as next_books:
            step(3)
            cached = mb.form(assessment.summary_sheet(rules))
            checks = _checks(mb, cached, cards, result.notes)
            shown = {d.name: tuple(cached.value(d.name, k) if cached.found else None for k in ("deduct", "bonus", "score"))
                     for d in rules.departments}
            outputs.add_workbook(names["考核表"], closed_assessment(readers[assessment.STEM], rules, cards, checks, now, imports=mb.imports(),
                                                                 months=mb.department_months(), items=mb.items, shown=shown))
            step(4)  # the 服务通报 summary (回访办法 五.6(2)) from the same queries as the period reports
            report = report_book(mb, cards, root, people, now=now, db=db, company=company, notes=result.notes, keep=out / names["回访报告"])
            allowance = build_allowance_form(month, allowance_lines(cards, reviews), rules, now=now,
                                             closed=f"结账 {now:%Y-%m-%d %H:%M}", prepared_by=user or "")
            timings["write"] = time.perf_counter() - t0
            # while the second process works, the history store's rows are made as it takes
            # them (written after the marker, in a short transaction: the store is not locked
            # meanwhile); without one they are made as they are written
            t0 = time.perf_counter()
            prepared = None
            if second.sent:
                info = record_info(_record_head(mf, paths, result, user, reason, now, rules, readers), lambda: now)
                prepared = prepare_close(root, month, mb, cards, info, db=db, company=company)
                if prepared is not None:
                    stack.callback(prepared.close)  # (closed by the write; else when the close fails)
            timings["history"] = time.perf_counter() - t0
            step(5)
            t0 = time.perf_counter()
            outputs.add_bytes(names["意见统计表"], filled_opinions_bytes(readers[opinions.STEM], mb.opinions, mb.opinion_rows(), now))
            outputs.add_bytes(names["回访报告"], report)
            timings["write"] += time.perf_counter() - t0
            collect_garbage()
            # (the 流转单 and next month's books: the second process's, or built now)
            t0 = time.perf_counter()
            made = second.value() if given is not None else build_beside(beside_input(mb, plan, now, next_rules))
            timings["beside_wait"] = time.perf_counter() - t0
            timings["beside_in_child"] = float(second.in_child)  # 1: the second process's outputs were used
            collect_garbage()  # the workbooks built here, if they were (books/memory.py)
            if second.child_peak_mb is not None:
                timings["beside_peak_mb"] = second.child_peak_mb
            step(6)
            outputs.add_bytes(names["流转单"], made.flow_forms)
            outputs.add_bytes(names["服务津贴申请"], allowance)

            step(7)
            _next_month(plan, made.next_books, result, next_books)

            step(8)
            _unchanged(mb, paths)  # what was read is what is there: else nothing goes in place
            result.outputs = dict(zip(names, outputs.commit(), strict=True))
            if people == NO_PEOPLE:
                result.notes.extend(_share_notes(result, share.month_customer_terms(mb)))
            if force and was_closed:  # re-closing: say what changed since the close this one replaces
                result.notes.extend(verify_month(root, month, outputs=False, rules=rules).input_messages())
            # the record goes in before next month's books: it holds their checksums (and those of
            # the books they replace), so a run again after a kill still knows them as ours
            result.record = _write_record(mf, paths, result, user, reason, now, rules, next_books, plan, readers)
            result.next_paths = next_books.commit()
        _unchanged(mb, paths)  # once more, just before the marker: a month is closed on what it read
        mf.mark_closed(now, user)
        result.notes += interrupted
        # the month's 校验结果 describe the books before the close: not left to be mistaken for
        # the closed month's (books/month_folder.py keeps a marked copy's edits in 历史版本)
        result.notes.extend(mf.clear_results())
        t0 = time.perf_counter()
        _record_history(root, month, mb, cards, result, db, company, prepared)
        timings["history"] = timings.get("history", 0.0) + time.perf_counter() - t0
    result.timings = timings
    return result


def _record_history(root: Path, month: str, mb: MonthBooks, cards: dict[str, ScoreCard], result: CloseResult,
                    db: str | Path | None, company: str | None, prepared: PreparedClose | None) -> None:
    """The month into the history store, once it is marked closed (`prepared`: its rows made
    before, else made now from the record); a store that cannot be written is a note, not a
    failed close (the month is closed in its folder, and ``history rebuild`` writes it from there)."""
    try:
        result.history = record_close(root, month, mb, cards, db=db, company=company, prepared=prepared)
    except Exception as exc:  # (only the error's type: a database error's text can hold the rows it refused)
        result.notes.append(f"历史库未写入（{error_text(exc)}）：之后运行 xinao-xl history rebuild --dir {root} 即可补上")


def _share_notes(result: CloseResult, terms: set[str]) -> list[str]:
    """What may leave the office, and any customer data found in it (services/share.py)."""
    notes = []
    for key in share.SHAREABLE:
        cells = share.find_customer_data(result.outputs[key], terms)
        if cells:
            shown = "、".join(cells[:5]) + (f" 等 {len(cells)} 处" if len(cells) > 5 else "")
            notes.append(f"{result.outputs[key].name} 中有客户姓名、电话或地址（{shown}）：对外发送前请删除")
    internal = "、".join(result.outputs[k].name for k in share.INTERNAL)
    notes.append(f"对外版：回访报告不含客户姓名、电话、地址；{internal} 含客户信息，仅限内部使用")
    return notes


def _record_head(mf: MonthFolder, paths: dict[str, Path], result: CloseResult, user: str | None, reason: str | None,
                 now: datetime, rules: Rules, readers: dict[str, Any]) -> dict[str, Any]:
    """The 结账记录's fields known before anything is written: the history store's ``months``
    row is made from them (`history.record_info`) before the record itself is written."""
    return {
        "月份": mf.month,
        "结账人": user or "",
        "结账时间": clock.stamp(now),  # Beijing time with its +08:00
        "工具版本": f"xinao-xl {xinao_xl.__version__}",
        "规则文件": str(rules.source.name),
        "强制结账": result.forced,
        "强制原因": reason or "",
        "校验": {"错误": sum(f.is_error for f in result.findings), "警告": sum(not f.is_error for f in result.findings)},
        "inputs": {p.name: readers[stem].sha256 for stem, p in paths.items()},  # the bytes read, not what is there now
    }


def _write_record(mf: MonthFolder, paths: dict[str, Path], result: CloseResult, user: str | None, reason: str | None,
                  now: datetime, rules: Rules, next_books: Batch, plan: NextPlan, readers: dict[str, Any]) -> Path:
    data = {
        **_record_head(mf, paths, result, user, reason, now, rules, readers),
        "内容摘要": result.contents,
        DIGEST_VERSION_KEY: DIGEST_VERSION,
        "outputs": {f"{OUT_DIR}/{p.name}": sha256(p) for p in result.outputs.values()},
        "next_month": {"月份": result.next_month, "files": {n: next_books.digest(n) for n in next_books.names},
                       "replaced": plan.current if next_books.names else {}, "结转": result.carried},
        "得分": {c.department: {"扣分合计": c.deductions, "加分合计": c.bonuses, "月度服务得分": c.score, "考核等级": c.grade,
                              "公司绩效服务项": c.company_item, "服务津贴基数": c.allowance_base, "兼职服务津贴": c.allowance}
               for c in result.cards.values()},
        "审核审批": reviews_record(result.reviews),
        "申诉调整": [{"部门": c.department, "说明": i.text, "分值": i.points, "投诉单号": i.source}
                     for c in result.cards.values() for i in c.items if i.category == ADJUSTMENT],
        RECORD_KEY: record_of(rules),
        "注意": result.notes,
    }
    return mf.save_record(data)


# --- the closed 考核表's check against the workbook ---------------------------------------


NOT_CHECKED = "未核对：考核表保存后没有经过Excel计算，没有可比的得分（在Excel中打开考核表、保存后再结账即可核对）"
NOT_RECALCULATED = "未核对：汇入刷新后考核表还没有在Excel中重新计算（在Excel中打开考核表、保存后再结账即可核对）"


def _checks(mb: MonthBooks, cached: Any, cards: dict[str, ScoreCard], notes: list[str]) -> dict[str, str]:
    """核对 of each department: the 考核表's own computed figures (the values Excel or WPS
    saved with it) against the close's, in words staff read without a manual."""
    rules = mb.rules
    held = held_imports(mb)
    stale = held is not None and bool(imported.differences(held, mb.imports(), rules))
    recalculated = True
    if held is not None:
        recalculated = imported.recalculated(mb.books[assessment.STEM].reader.rows(imported.SHEET), rules)
    return {d.name: _check(d.name, cached, cards[d.name], notes, stale=stale, recalculated=recalculated) for d in rules.departments}


def _check(dept: str, cached: Any, card: ScoreCard, notes: list[str], *, stale: bool = False, recalculated: bool = True) -> str:
    """Compare 扣分合计, 加分合计, 月度服务得分, 考核等级 and 兼职服务津贴 with the workbook's
    cached values (Excel/LibreOffice saved them) if any."""
    if not cached.found:
        return "未核对：考核表中找不到“汇总”表"
    row = cached.row(dept)
    raw = cached.raw_row(dept)
    pairs = (("扣分合计", row.get("deduct"), card.deductions), ("加分合计", row.get("bonus"), card.bonuses), ("月度服务得分", row.get("score"), card.score))
    if all(is_blank(v) for _, v, _ in pairs):
        return NOT_CHECKED
    if not recalculated:
        return NOT_RECALCULATED
    diffs = []
    for name, theirs, ours in pairs:
        try:
            if abs(float(theirs) - ours) > 0.005:
                diffs.append(f"{name} 工作簿 {float(theirs):g} / 结账 {ours:g}")
        except (TypeError, ValueError):
            diffs.append(f"{name} 工作簿为“{theirs}”/ 结账 {ours:g}")
    grade = "" if is_blank(raw.get("grade")) else str(raw.get("grade")).strip()
    if grade != (card.grade or ""):
        diffs.append(f"考核等级 工作簿“{grade or '空'}”/ 结账“{card.grade or '空'}”")
    theirs = raw.get("allowance")
    if card.allowance is not None:
        try:
            if abs(float(theirs) - card.allowance) > 0.005:
                diffs.append(f"兼职服务津贴 工作簿 {float(theirs):g} / 结账 {card.allowance:g}")
        except (TypeError, ValueError):
            diffs.append(f"兼职服务津贴 工作簿为“{'' if is_blank(theirs) else theirs}”/ 结账 {card.allowance:g}")
    if diffs:
        why = "考核表的汇入早于台账，结账按台账重新统计；刷新汇入后考核表即与结账一致" if stale else "结账以台账、投诉台账为准"
        notes.append(f"{dept} 与考核表公式结果不一致：{'；'.join(diffs)}（{why}）")
        return "不一致：" + "；".join(diffs) + (f"（{why}）" if stale else "")
    return "一致"


# --- next month --------------------------------------------------------------------------------


@dataclass(frozen=True)
class NextPlan:
    """Next month's folder, and whether the close (re)writes its books: when the folder is
    new, or holds only books whose bytes a close of this month wrote (nobody typed in them)."""

    folder: MonthFolder
    regenerate: bool
    current: dict[str, str]  # name -> SHA-256 of the books there now

    @property
    def month(self) -> Month:
        return self.folder.month

    @property
    def targets(self) -> list[Path]:
        """The files the close will replace or create there."""
        return list(self.folder.books.values()) if self.regenerate else []


def _plan_next_month(mf: MonthFolder, previous_record: dict[str, Any]) -> NextPlan:
    """Decided before any work (so an open next-month book is refused only when it would be
    replaced). Ours are the checksums the last record gives for next month's books and for
    the books those replaced: a close killed while putting them in place left some of each."""
    nxt = mf.next()
    folder = nxt.path
    # (an Excel lock file ~$name.xlsx is no book: the book it locks is refused as open)
    current = {p.name: sha256(p) for p in sorted(folder.glob("*.xlsx")) if not p.name.startswith("~$")} if folder.is_dir() else {}
    recorded = previous_record.get("next_month", {})
    known: dict[str, set[str]] = {}
    for group in ("files", "replaced"):
        for name, digest in (recorded.get(group) or {}).items():
            known.setdefault(name, set()).add(digest)
    ours = all(digest in known.get(name, ()) for name, digest in current.items())
    return NextPlan(nxt, ours, current)


def beside_input(mb: MonthBooks, plan: NextPlan, now: datetime, next_rules: Rules) -> BesideInput:
    """The plain records the 流转单 and next month's books are built from (close_beside.py):
    the flagged callbacks' forms, and, when next month's folder is ours to regenerate, the
    complaints not 办结 and the flow forms without feedback it carries, the carried
    complaints' 改派记录 and 证据 lines, and each department's 服务津贴基数."""
    month = str(mb.month)
    return BesideInput(month, now, mb.flow_forms(), _next_month_input(plan, month, mb, mb.score_cards(), next_rules))


def _early_beside_input(mb: MonthBooks, plan: NextPlan, now: datetime, next_rules: Rules) -> BesideInput | None:
    """`beside_input` before validation, for the second process; None when the month's books
    do not give it yet. Whatever fails here is validation's to report first, in order: the
    close makes it again after validation (and raises there, if it still fails), as it did
    before there was a second process."""
    try:
        return beside_input(mb, plan, now, next_rules)
    except Exception:
        return None


def _next_month_input(plan: NextPlan, month: str, mb: MonthBooks, cards: dict[str, ScoreCard], rules: Rules) -> NextMonthInput | None:
    """What next month's books carry: complaints not 办结 and flow forms without feedback;
    None when next month's folder is not ours to regenerate."""
    if not plan.regenerate:
        return None
    open_complaints = carried_complaints(mb, rules)
    bases = {name: card.allowance_base for name, card in cards.items() if card.allowance_base is not None}
    numbers = {RowKey.of(r.get("no"), "").number for r in open_complaints}
    moved = [r for r in mb.reassign.records() if RowKey.of(r.get("no"), "").number in numbers] if mb.reassign.found else []
    evidence = carried_evidence(mb, numbers, plan.folder.path)
    names = {stem: path.name for stem, path in plan.folder.books.items()}
    return NextMonthInput(str(plan.month), month, rules, names, open_complaints, mb.open_flows(), moved, evidence, bases)


def _next_month(plan: NextPlan, books: NextBooks | None, result: CloseResult, batch: Batch) -> None:
    """Stage next month's books into `batch` (put in place by the caller)."""
    nxt = result.next_month = plan.month
    if books is None:
        result.notes.append(f"{nxt} 文件夹已存在且可能已有录入，未重新生成；请手工核对结转的未办结投诉和未反馈流转单")
        return
    result.carried = dict(books.carried)
    for name, data in books.files.items():
        batch.add_bytes(name, data)


def carried_complaints(mb: MonthBooks, rules: Rules) -> list[dict[str, Any]]:
    """The 投诉台账 rows next month's ledger carries, in ledger order: each complaint still
    open (not 办结 — a special termination is — or its appeal still open), with the rejected
    rounds above it (投诉 第七条(二)3: the next round's 轮次 and deadlines count from them).
    A cancelled or re-assigned ticket's old row stays behind (第七条(一)5、6)."""
    course = mb.courses()
    records = mb.complaints.records()
    open_keys = set()
    for r in records:
        c = course[int(r["_row"])]
        if c.counts and (c.closed is None or _appeal_open(r, c.closed, mb.as_of, rules)):
            open_keys.add(RowKey.of(r.get("no"), r.get("dept")))
    out = []
    for r in records:
        c = course[int(r["_row"])]
        key = RowKey.of(r.get("no"), r.get("dept"))
        if key in open_keys and (c.counts or c.state == rules.step("states").word("rejected")):
            out.append(r)
    return out


def carried_evidence(mb: MonthBooks, numbers: set[str], folder: Path) -> list[dict[str, Any]]:
    """The 证据 lines of the carried complaints, each with its link (``_link``) rewritten to
    reach the same file from next month's folder (``../2026-11/证据/a.jpg``)."""
    if not mb.evidence.found:
        return []
    book = mb.books[complaint_ledger.STEM]
    links = book.read_links(mb.evidence.sheet)
    formulas = book.read_formulas(mb.evidence.sheet)
    here = mb.folder
    out = []
    for r in mb.evidence.records():
        if RowKey.of(r.get("no"), "").number not in numbers:
            continue
        cell = mb.evidence.address("file", r["_row"])
        target = links.get(cell) or formula_link(formulas.get(cell, ""))
        rec = dict(r)
        if target and here is not None:
            rec["_link"] = relative_link(target, here, folder)
        out.append(rec)
    return out


def _appeal_open(rec: dict[str, Any], closed: datetime, now: datetime, rules: Rules) -> bool:
    """A complaint 办结 (`closed`: as typed, or a special termination's approval) whose
    appeal may still come or is not decided: within its 申诉截止 (投诉 第九条(一), 3 natural
    days), or 申诉受理 without a 申诉结果. Carried, so the result is typed where the next
    close sees it (services/appeals.py)."""
    if not is_blank(rec.get("appeal_result")):
        return False
    if rec.get("appeal_at") is not None:
        return True
    try:
        return now <= deadlines.stage_due("appeal", closed, not is_blank(rec.get("major")), rules=rules)
    except PolicyInputError:
        return False


def reporting_notes(month: Month, now: datetime, rules: Rules) -> list[str]:
    """The reporting days the policies set (考核 3、5.2: 自评 3–6日; 回访 五.4(2): 报告 次月5日前),
    checked against the close's time: said, not enforced (the close is the office's call)."""
    nxt = month.next()
    notes = []
    due = int(rules.value("report_due_day"))
    if now.date() >= nxt.first_day.replace(day=due):
        notes.append(f"意见统计表和回访报告应于 {nxt} 月 {due} 日前报送（回访办法五.4(2)）：本次结账时已过；如尚未报送请尽快报送")
    first, last = int(rules.value("review_from_day")), int(rules.value("review_to_day"))
    if now.date() < nxt.first_day.replace(day=first):
        notes.append(f"部门自评在次月 {first}–{last} 日（考核办法3、5.2），本次结账早于 {nxt} 月 {first} 日：各部门尚未自评，"
                     "自评、审核后如有更正请强制重新结账")
    return notes
