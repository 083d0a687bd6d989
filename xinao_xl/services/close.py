"""Use case: the monthly close (`xinao-xl close 2026-11`, ribbon 月度结账).

    result = close_month("2026-11", Path("D:/服务考核"), user="孙雪燕")
    print(result.summary())

In order (each step reported through ``progress(step, total, text)``):

1. validate the month; 错误 stop the close unless ``force`` with a ``reason``;
2. read the four workbooks once (calamine) and compute every department's `ScoreCard`
   (`month_books.MonthBooks`: complaints from the 投诉台账, late flow forms from the 台账,
   praise and hand entries from 加减分明细, indicators from the department sheets — 审核
   when filled, else 自评 — and callback satisfaction rates from the 台账);
3. write the outputs into ``YYYY-MM/结账/`` (a subfolder, so the month folder still holds
   exactly its four workbooks): the closed 考核表 (our values beside the live formulas,
   with any disagreement against the workbook's cached values), the filled 意见统计表,
   the 客户回访报告 (with its 服务通报 sheet, `bulletin`) and the 流转单; staff workbooks are never saved over;
4. write the 结账记录 (who, when, tool version, SHA-256 of every input and output, and of
   each input's entry cells: `integrity.content_digest`) and the marker ``已结账.txt``;
5. generate next month's blank set (the books `create_month` writes) and carry over what is still open: complaints not 办结
   and flow forms without feedback;
6. write the month's records to the history store (`services.history`; ``db``, else the
   setting ``XINAO_XL_DB``, else ``历史库.sqlite`` beside the month folders), replacing the
   month's rows in one transaction. The workbooks stay the source: a store that cannot be
   written is a note, not a failed close, and ``xinao-xl history rebuild`` repairs it.

Validation looks back through `lookback.lookback` (history store, else the past months'
workbooks) for the 7-day callback and 3-month repeat-complaint rules.

``people=NO_PEOPLE`` (``--share``) makes the report fit to leave the office (services/share.py).
A forced re-close notes which inputs changed since the close it replaces (services/integrity.py).

A closed month is refused unless ``force`` (with a reason). Re-running on the same inputs
and the same ``now`` gives the same workbook contents (no timestamps inside them).

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

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

import xinao_xl
from xinao_xl.books import assessment, callback_ledger, complaint_ledger, opinions
from xinao_xl.books.cells import keep_text, put, put_formula
from xinao_xl.books.filecheck import load_workbook  # checked before openpyxl parses (hostile files)
from xinao_xl.books.flow_form import build_flow_forms
from xinao_xl.books.memory import gc_paused
from xinao_xl.books.report import MASKED, NO_PEOPLE, build_report
from xinao_xl.books.save import Batch, preflight, sha256, sweep_temps, write_text_atomic
from xinao_xl.books.schema import FMT_POINTS, NATIVE, TableSheet
from xinao_xl.books.style import BODY_FONT, header_cell, header_cells
from xinao_xl.books.workbooks import BOOKS, check_month, file_name
from xinao_xl.books.writer import style_formula_cell, write_record
from xinao_xl.policy.parse import is_blank
from xinao_xl.policy.rules import Rules, load_rules
from xinao_xl.policy.scoring import ScoreCard

from . import bulletin, share
from .lookback import lookback
from .month_books import MonthBooks, month_paths
from .validate import has_errors, validate_books
from .validate_context import Finding

Progress = Callable[[int, int, str], None]

OUT_DIR = "结账"
MARKER = "已结账.txt"
CARRIED = "上月结转"
STEPS = ("校验", "读取并计分", "写入考核表结账副本", "填写意见统计表", "生成回访报告", "生成流转单", "生成下月工作簿并结转", "放入结果并写结账记录")


class CloseError(ValueError):
    """The close cannot go on (Chinese message); nothing of the month was changed."""


class MonthClosedError(CloseError):
    """The month carries the closed marker and ``force`` was not given."""


class ValidationFailed(CloseError):
    """Validation found 错误; the findings are attached."""

    def __init__(self, message: str, findings: list[Finding]) -> None:
        super().__init__(message)
        self.findings = findings


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

    def score_rows(self) -> list[list[Any]]:
        rows = []
        for c in self.cards.values():
            rows.append([c.department, f"{c.deductions:g}", f"{c.bonuses:g}", f"{c.score:g}", c.grade or "—", f"{c.weight:.0%}", f"{c.company_item:g}",
                         "" if c.allowance is None else f"{c.allowance:g}"])
        return rows

    SCORE_HEADERS = ["部门", "扣分合计", "加分合计", "月度服务得分", "考核等级", "权重", "公司绩效服务项", "兼职服务津贴"]

    def summary(self) -> str:
        lines = [f"{self.month} 已结账{'（强制）' if self.forced else ''}，结果在 {self.folder / OUT_DIR}："]
        lines += [f"  {p.name}" for p in self.outputs.values()]
        if self.next_paths:
            lines.append(f"已生成 {self.next_month} 工作簿，结转未办结投诉 {self.carried.get('complaints', 0)} 条、未反馈流转单 {self.carried.get('flow_forms', 0)} 条")
        if self.history is not None:
            lines.append(self.history.summary())
        lines += [f"注意：{n}" for n in self.notes]
        return "\n".join(lines)


def next_month_of(month: str) -> str:
    year, mon = (int(x) for x in month.split("-"))
    return f"{year + 1}-01" if mon == 12 else f"{year}-{mon + 1:02d}"


def record_path(folder: Path, month: str) -> Path:
    return folder / f"{month}_结账记录.json"


def output_names(month: str) -> dict[str, str]:
    """The files the close writes into ``结账/``, by `CloseResult.outputs` key."""
    return {"考核表": f"{month}_{assessment.STEM}_结账.xlsx", "意见统计表": f"{month}_{opinions.STEM}_结账.xlsx",
            "回访报告": f"{month}_客户回访报告.xlsx", "流转单": f"{month}_流转单.xlsx"}


def _fixed_properties(wb: Workbook, moment: datetime) -> Workbook:
    """No save time inside the file: re-running the close gives the same contents."""
    wb.properties.creator = "xinao-xl"
    wb.properties.created = wb.properties.modified = moment
    return wb


# --- the use case ---------------------------------------------------------------------------------


@gc_paused  # a dozen workbooks built and saved: see books/memory.py
def close_month(month: str, root: Path, *, force: bool = False, reason: str | None = None, user: str | None = None,
                progress: Progress | None = None, now: datetime | None = None, people: str = MASKED, rules: Rules | None = None,
                db: str | Path | None = None, company: str | None = None) -> CloseResult:
    """Close `month` under `root` (see the module docstring); returns what was written."""
    check_month(month)
    rules = rules or load_rules()
    # whole seconds, as the 结账记录 writes it: a rebuild of the history store judges
    # lateness as of the recorded time and must get the same rows
    now = (now or datetime.now()).replace(microsecond=0)
    root = Path(root)
    folder = root / month
    total = len(STEPS)
    timings: dict[str, float] = {}

    def step(n: int) -> None:
        if progress:
            progress(n, total, STEPS[n - 1])

    if force and not (reason or "").strip():
        raise CloseError("强制结账须说明原因（--reason）")
    paths = month_paths(root, month)
    marker = folder / MARKER
    if marker.exists() and not force:
        raise MonthClosedError(f"{month} 已于 {marker.read_text(encoding='utf-8').strip()} 结账；如需重新结账请使用 --force 并说明原因")
    previous_record = _load_record(record_path(folder, month))
    plan = _plan_next_month(root, month, previous_record)
    out = folder / OUT_DIR
    names = output_names(month)
    preflight(read=[*paths.values(), _previous_ledger_path(root, month)],
              write=[record_path(folder, month), marker, *(out / n for n in names.values()), *plan.targets])
    sweep_temps([root, folder, out, plan.folder])

    step(1)
    t0 = time.perf_counter()
    mb = MonthBooks.open(root, month, as_of=now, rules=rules)
    findings = validate_books(mb.books, month, None, now, rules, lookback(root, month, db=db, company=company, rules=rules))
    timings["validate"] = time.perf_counter() - t0
    if has_errors(findings) and not force:
        n = sum(f.is_error for f in findings)
        raise ValidationFailed(f"校验发现 {n} 个错误，已停止结账：请改正后重试（xinao-xl validate {folder}），或使用 --force 并说明原因", findings)

    step(2)
    t0 = time.perf_counter()
    cards = mb.score_cards()
    timings["compute"] = time.perf_counter() - t0
    result = CloseResult(month, folder, cards, findings=findings, forced=force)
    stamp = datetime(now.year, now.month, now.day)
    t0 = time.perf_counter()
    # Everything complete under temporary names first, then in place (module docstring).
    with Batch(out) as outputs, Batch(plan.folder, keep_previous=False) as next_books:
        step(3)
        outputs.add_workbook(names["考核表"], _closed_assessment(paths[assessment.STEM], mb, cards, result.notes, stamp))
        step(4)
        outputs.add_workbook(names["意见统计表"], _filled_opinions(paths[opinions.STEM], mb, stamp))
        step(5)
        report_data = mb.report_data(cards)
        if people == NO_PEOPLE:  # --share: no customer in the report, not even inside a text
            report_data = share.shareable_report(report_data, share.month_customer_terms(mb))
        report = build_report(report_data, people)
        # the 服务通报 summary (回访办法 五.6(2)) from the same queries as the period reports
        bulletin.add_to_report(report, mb, root, db=db, company=company, notes=result.notes,
                               terms=share.month_customer_terms(mb) if people == NO_PEOPLE else ())
        outputs.add_workbook(names["回访报告"], _fixed_properties(report, stamp))
        step(6)
        outputs.add_workbook(names["流转单"], _fixed_properties(build_flow_forms(mb.flow_forms(), month), stamp))
        timings["write"] = time.perf_counter() - t0

        step(7)
        t0 = time.perf_counter()
        _next_month(plan, month, mb, result, next_books, rules)
        timings["next_month"] = time.perf_counter() - t0

        step(8)
        result.outputs = dict(zip(names, outputs.commit(), strict=True))
        if people == NO_PEOPLE:
            result.notes.extend(_share_notes(result, share.month_customer_terms(mb)))
        from .integrity import content_digests, verify_month  # integrity imports this module

        if force and marker.exists():  # re-closing: say what changed since the close this one replaces
            result.notes.extend(verify_month(root, month, outputs=False, rules=rules).input_messages())
        # what the close read, beside the bytes: a workbook Excel only re-saved is not "changed"
        result.contents = content_digests(paths, rules, {stem: book.reader for stem, book in mb.books.items()})
        # the record goes in before next month's books: it holds their checksums (and those of
        # the books they replace), so a run again after a kill still knows them as ours
        result.record = _write_record(folder, month, paths, result, user, reason, now, rules, next_books, plan)
        result.next_paths = next_books.commit()
    write_text_atomic(marker, f"{now:%Y-%m-%d %H:%M}（{user or '未知用户'}，xinao-xl {xinao_xl.__version__}）\n")
    t0 = time.perf_counter()
    _record_history(root, month, mb, cards, result, db, company)
    timings["history"] = time.perf_counter() - t0
    result.timings = timings
    return result


def _record_history(root: Path, month: str, mb: MonthBooks, cards: dict[str, ScoreCard], result: CloseResult,
                    db: str | Path | None, company: str | None) -> None:
    from .history import record_close  # history reads what the close wrote (record, marker)

    try:
        result.history = record_close(root, month, mb, cards, db=db, company=company)
    except Exception as exc:  # the month is closed in its folder; the store can be rebuilt from it
        result.notes.append(f"历史库未写入（{type(exc).__name__}: {str(exc)[:200]}）：修复后运行 xinao-xl history rebuild --dir {root}")


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


def _previous_ledger_path(root: Path, month: str) -> Path:
    year, mon = (int(x) for x in month.split("-"))
    prev = f"{year - 1}-12" if mon == 1 else f"{year}-{mon - 1:02d}"
    return root / prev / file_name(callback_ledger.STEM, prev)


def _load_record(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_record(folder: Path, month: str, paths: dict[str, Path], result: CloseResult, user: str | None, reason: str | None,
                  now: datetime, rules: Rules, next_books: Batch, plan: NextPlan) -> Path:
    from .integrity import DIGEST_VERSION, DIGEST_VERSION_KEY  # integrity imports this module

    data = {
        "月份": month,
        "结账人": user or "",
        "结账时间": now.isoformat(timespec="seconds"),
        "工具版本": f"xinao-xl {xinao_xl.__version__}",
        "规则文件": str(rules.source.name),
        "强制结账": result.forced,
        "强制原因": reason or "",
        "校验": {"错误": sum(f.is_error for f in result.findings), "警告": sum(not f.is_error for f in result.findings)},
        "inputs": {p.name: sha256(p) for p in paths.values()},
        "内容摘要": result.contents,
        DIGEST_VERSION_KEY: DIGEST_VERSION,
        "outputs": {f"{OUT_DIR}/{p.name}": sha256(p) for p in result.outputs.values()},
        "next_month": {"月份": result.next_month, "files": {n: next_books.digest(n) for n in next_books.names},
                       "replaced": plan.current if next_books.names else {}, "结转": result.carried},
        "得分": {c.department: {"扣分合计": c.deductions, "加分合计": c.bonuses, "月度服务得分": c.score, "考核等级": c.grade,
                              "公司绩效服务项": c.company_item, "兼职服务津贴": c.allowance} for c in result.cards.values()},
        "注意": result.notes,
    }
    return write_text_atomic(record_path(folder, month), json.dumps(data, ensure_ascii=False, indent=2) + "\n")


# --- the closed 考核表 --------------------------------------------------------------------------

CLOSE_HEADERS = ("结账扣分合计", "结账加分合计", "结账得分", "结账等级", "结账公司绩效服务项", "结账兼职服务津贴", "核对")
DETAIL_SHEET = "结账明细"


def _closed_assessment(source: Path, mb: MonthBooks, cards: dict[str, ScoreCard], notes: list[str], stamp: datetime) -> Workbook:
    """A copy of the 考核表 with our values beside its live formulas, and every line item."""
    rules = mb.rules
    wb = load_workbook(source)
    keep_text(wb)
    summary = assessment.summary_sheet(rules)
    cached = mb.form(summary)
    ws = wb[assessment.SUMMARY]
    first_col = len(summary.columns) + 2
    for i, h in enumerate(CLOSE_HEADERS):
        header_cell(ws, summary.header_row, first_col + i, h)
        ws.column_dimensions[get_column_letter(first_col + i)].width = 12
    for dept in rules.departments:
        c = cards[dept.name]
        r = summary.row_of(dept.name)
        values = (c.deductions, c.bonuses, c.score, c.grade, c.company_item, c.allowance)
        for i, v in enumerate(values):
            cell = put(ws, r, first_col + i, v)
            cell.font = BODY_FONT
            if isinstance(v, float):
                cell.number_format = FMT_POINTS
        put(ws, r, first_col + 6, _check(dept.name, cached, c, notes)).font = BODY_FONT
    for dept in rules.departments:
        _closed_department(wb[dept.name], dept, cards[dept.name])
    _detail_sheet(wb, cards)
    return _fixed_properties(wb, stamp)


def _check(dept: str, cached: Any, card: ScoreCard, notes: list[str]) -> str:
    """Compare with the workbook's cached values (Excel/LibreOffice saved them) if any."""
    if not cached.found:
        return "无缓存值"
    row = cached.frame.loc[dept]
    pairs = (("扣分合计", row.get("deduct"), card.deductions), ("加分合计", row.get("bonus"), card.bonuses), ("月度服务得分", row.get("score"), card.score))
    if all(is_blank(v) for _, v, _ in pairs):
        return "无缓存值（文件未经Excel计算）"
    diffs = []
    for name, theirs, ours in pairs:
        try:
            if abs(float(theirs) - ours) > 0.005:
                diffs.append(f"{name} 工作簿 {float(theirs):g} / 结账 {ours:g}")
        except (TypeError, ValueError):
            diffs.append(f"{name} 工作簿为“{theirs}”/ 结账 {ours:g}")
    if diffs:
        notes.append(f"{dept} 与考核表公式结果不一致：{'；'.join(diffs)}（结账以台账、投诉台账为准）")
        return "不一致：" + "；".join(diffs)
    return "一致"


def _closed_department(ws: Any, dept: Any, card: ScoreCard) -> None:
    """Column L (结账值): each row's points as the close computed them."""
    spec = assessment.department_sheet(dept)
    col = len(spec.columns) + 1
    header_cell(ws, spec.header_row, col, "结账值")
    ws.column_dimensions[get_column_letter(col)].width = 10
    by_source: dict[str, float] = {}
    by_category: dict[str, float] = {}
    for item in card.items:
        by_category[item.category] = by_category.get(item.category, 0) + item.points
        if item.category == "指标":
            by_source[item.source] = by_source.get(item.source, 0) + item.points
    for ind in dept.indicators:
        points = by_category.get("投诉", 0.0) if ind.kind == "complaints" else by_source.get(ind.name, 0.0)
        _num(ws, spec.row_of(assessment.indicator_key(ind)), col, -points if points else 0.0)
    extras = {"late_flow": -by_category.get("流转单", 0.0), "manual": -by_category.get("手工", 0.0), "praise": by_category.get("表扬", 0.0), "media": by_category.get("媒体表扬", 0.0)}
    for key, value in extras.items():
        _num(ws, spec.row_of(key), col, round(value, 2) + 0.0)
    _num(ws, spec.row_of("total_deduct"), col, card.deductions)
    _num(ws, spec.row_of("total_bonus"), col, card.bonuses)
    _num(ws, spec.row_of("score"), col, card.score)
    put(ws, spec.row_of("grade"), col, card.grade or "").font = BODY_FONT


def _num(ws: Any, row: int, col: int, value: float) -> None:
    cell = put(ws, row, col, round(value, 2) + 0.0)
    cell.number_format, cell.font = FMT_POINTS, BODY_FONT


def _detail_sheet(wb: Workbook, cards: dict[str, ScoreCard]) -> None:
    if DETAIL_SHEET in wb.sheetnames:
        wb.remove(wb[DETAIL_SHEET])
    ws = wb.create_sheet(DETAIL_SHEET)
    header_cells(ws, 1, ("部门", "类别", "内容", "依据条款", "分值", "来源"))
    r = 2
    for c in cards.values():
        for item in c.items:
            for col, v in enumerate((c.department, item.category, item.text, item.clause, item.points, item.source), start=1):
                cell = put(ws, r, col, v)
                cell.font = BODY_FONT
            ws.cell(row=r, column=5).number_format = FMT_POINTS
            r += 1
    for letter, width in zip("ABCDEF", (11, 9, 40, 16, 8, 18), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"


# --- 意见统计表 ----------------------------------------------------------------------------------


def _filled_opinions(source: Path, mb: MonthBooks, stamp: datetime) -> Workbook:
    """A copy of the 意见统计表 with the 台账's 不满意 and opinion rows it lacks appended."""
    spec = opinions.opinions_sheet()
    existing = mb.opinions
    rows = mb.opinion_rows()
    wb = load_workbook(source)
    keep_text(wb)
    ws = wb[existing.sheet if existing.found else spec.name]
    last = max((r["_row"] for r in existing.records()), default=spec.first_row - 1)
    seq = max((r.get("seq") or 0 for r in existing.records()), default=0)
    for n, values in enumerate(rows, start=1):
        write_record(ws, spec, last + n, {k: v for k, v in {"seq": seq + n, **values}.items() if not is_blank(v)})
    return _fixed_properties(wb, stamp)


# --- next month --------------------------------------------------------------------------------


@dataclass(frozen=True)
class NextPlan:
    """Next month's folder, and whether the close (re)writes its books: when the folder is
    new, or holds only books whose bytes a close of this month wrote (nobody typed in them)."""

    month: str
    folder: Path
    regenerate: bool
    current: dict[str, str]  # name -> SHA-256 of the books there now

    @property
    def targets(self) -> list[Path]:
        """The files the close will replace or create there."""
        return [self.folder / file_name(stem, self.month) for stem, _ in BOOKS] if self.regenerate else []


def _plan_next_month(root: Path, month: str, previous_record: dict[str, Any]) -> NextPlan:
    """Decided before any work (so an open next-month book is refused only when it would be
    replaced). Ours are the checksums the last record gives for next month's books and for
    the books those replaced: a close killed while putting them in place left some of each."""
    nxt = next_month_of(month)
    folder = root / nxt
    # (an Excel lock file ~$name.xlsx is no book: the book it locks is refused as open)
    current = {p.name: sha256(p) for p in sorted(folder.glob("*.xlsx")) if not p.name.startswith("~$")} if folder.is_dir() else {}
    recorded = previous_record.get("next_month", {})
    known: dict[str, set[str]] = {}
    for group in ("files", "replaced"):
        for name, digest in (recorded.get(group) or {}).items():
            known.setdefault(name, set()).add(digest)
    ours = all(digest in known.get(name, ()) for name, digest in current.items())
    return NextPlan(nxt, folder, ours, current)


def _next_month(plan: NextPlan, month: str, mb: MonthBooks, result: CloseResult, batch: Batch, rules: Rules) -> None:
    """Stage next month's books into `batch` (put in place by the caller), open items carried."""
    nxt = result.next_month = plan.month
    if not plan.regenerate:
        result.notes.append(f"{nxt} 文件夹已存在且可能已有录入，未重新生成；请手工核对结转的未办结投诉和未反馈流转单")
        return
    # The blank books as create_month builds them, with the open items written before the
    # one save (no second load and save of a fresh file).
    books = {stem: build(nxt, rules, NATIVE) for stem, build in BOOKS}
    open_complaints = [r for r in mb.complaints.records() if r.get("closed") is None]
    open_flows = [r for r in mb.ledger.records() if r.get("flow_date") is not None and r.get("feedback_date") is None]
    result.carried = {"complaints": len(open_complaints), "flow_forms": len(open_flows)}
    _carry(books[complaint_ledger.STEM], complaint_ledger.ledger_sheet(rules), open_complaints, month)
    _carry(books[callback_ledger.STEM], callback_ledger.ledger_sheet(), open_flows, month)
    for stem, wb in books.items():
        batch.add_workbook(file_name(stem, nxt), wb)


def _carry(wb: Workbook, spec: TableSheet, records: list[dict[str, Any]], month: str) -> None:
    """Copy open records (entry columns) into next month's fresh workbook, noted as carried."""
    ws = wb[spec.name]
    keys = [c.key for c in spec.entry_columns]
    formula_cols = [(spec.index(c.key), c) for c in spec.formula_columns]
    for r, rec in enumerate(records, start=spec.first_row):
        values = {k: rec.get(k) for k in keys if not is_blank(rec.get(k))}
        old = "" if is_blank(rec.get("note")) else str(rec["note"])
        values["note"] = old if CARRIED in old else f"{CARRIED}（{month}）{' ' + old if old else ''}"
        write_record(ws, spec, r, values)
        if r > spec.last_row:
            for col, column in formula_cols:
                style_formula_cell(put_formula(ws, r, col, spec.render(column, r, NATIVE)), column)
