"""A month's four workbooks read once, and what the close, the report and the flow forms
derive from them: score cards, the 附件5 figures, the flow forms, the 意见统计表 rows.

Why one reader for all three: the close needs every one of these, and reading a
10,000-row 台账 twice would double the slowest step. The workbooks are read through
`FileBook` (calamine), whose sheets are cached, so validation and this module share one read.

Which record counts for the month (a carried-over row stays in next month's books):
- a callback counts where its 回访日期 lies in the month;
- a complaint deducts where its 受理时间 lies in the month (投诉台账, 有责 only), once, from
  the department it is charged to (`charged_complaints`: not a rejected round, a cancelled
  or re-assigned ticket's old department, or an internal partner unit's complaint);
- a flow form is late (回访 六.1) when answered after its deadline or still open at
  ``as_of``; it counts in the month its 流转日期 lies in, for its 责任部门.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import InitVar, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from xinao_xl.books import assessment, callback_ledger, complaint_ledger, opinions
from xinao_xl.books import lists as L
from xinao_xl.books.flow_form import FlowForm
from xinao_xl.books.imported import ImportedAdjustment, ImportedComplaint, Imports
from xinao_xl.books.month_folder import MonthFolder
from xinao_xl.books.port import FileBook
from xinao_xl.books.read import FormRead, TableRead
from xinao_xl.books.report import DeptScore, ProblemRow, ReportData, TypeStats, UnsatisfiedCall
from xinao_xl.policy import clock, deadlines, scoring
from xinao_xl.policy.callbacks import customer_key
from xinao_xl.policy.errors import PolicyInputError
from xinao_xl.policy.month import Month
from xinao_xl.policy.parse import (
    is_blank,
    normalize_text,
    parse_bool,
    parse_count,
    parse_department,
)
from xinao_xl.policy.rules import Rules
from xinao_xl.policy.scoring import (
    Adjustment,
    ComplaintEntry,
    DepartmentMonth,
    ManualEntry,
    ScoreCard,
)

from .appeals import LateAppeal, late_appeals
from .complaint_course import Course, courses, reassignments
from .settings import rules_for_month


def _yes(value: Any) -> bool:
    try:
        return not is_blank(value) and parse_bool(value)
    except PolicyInputError:
        return False


@dataclass
class MonthBooks:
    """The month's books as read (ports), with the records each derivation needs."""

    month: Month
    books: dict[str, FileBook]
    rules: Rules
    as_of: datetime
    root: Path | None = None  # the folder above the month folders (past months, the settings)

    tables: InitVar[Mapping[str, TableRead] | None] = None  # sheets read already (validation's), by spec name

    def __post_init__(self, tables: Mapping[str, TableRead] | None) -> None:
        self.month = Month(self.month)
        if tables:
            self.__dict__["_tables"] = dict(tables)

    @classmethod
    def open(cls, root: Path, month: str, as_of: datetime | None = None, rules: Rules | None = None) -> MonthBooks:
        """The four workbooks of ``root/month`` (all must be there: `MonthMissingError`),
        computed with `rules`, the month's rules (default: as the office's settings say for
        the month, `settings.rules_for_month`)."""
        paths = MonthFolder(root, month).existing_books()
        rules = rules or rules_for_month(root, month)
        return cls(Month(month), {stem: FileBook.open(p) for stem, p in paths.items()}, rules, as_of or clock.now(), Path(root))

    @property
    def folder(self) -> Path | None:
        """The month's folder (where the 证据 links point from); None when not opened from one."""
        return MonthFolder(self.root, self.month).path if self.root is not None else None

    def late_appeals(self) -> list[LateAppeal]:
        """Upheld appeals of closed months' complaints in this month's 投诉台账 (services/appeals.py)."""
        cached = self.__dict__.get("_late_appeals")
        if cached is None:
            cached = self.__dict__["_late_appeals"] = [] if self.root is None else late_appeals(self.root, self.month, self.complaints.records())
        return list(cached)

    def read_ahead(self) -> list[TableRead]:
        """Read now the tables the close's outputs are built from (returned; each is kept as
        read): the records its second process gets (services/close_beside.py) are made from
        them before validation."""
        return [self.ledger, self.complaints, self.reassign, self.evidence, self.items, self.opinions]

    # --- raw reads (cached per sheet by the reader) ------------------------------------

    def _table(self, stem: str, spec: Any) -> TableRead:
        cache = self.__dict__.setdefault("_tables", {})
        if spec.name not in cache:
            cache[spec.name] = self.books[stem].read_table(spec)
        return cache[spec.name]

    def _form(self, stem: str, spec: Any) -> FormRead:
        cache = self.__dict__.setdefault("_forms", {})
        if spec.name not in cache:
            cache[spec.name] = self.books[stem].read_form(spec)
        return cache[spec.name]

    @property
    def ledger(self) -> TableRead:
        return self._table(callback_ledger.STEM, callback_ledger.ledger_sheet())

    @property
    def complaints(self) -> TableRead:
        return self._table(complaint_ledger.STEM, complaint_ledger.ledger_sheet(self.rules))

    @property
    def reassign(self) -> TableRead:
        return self._table(complaint_ledger.STEM, complaint_ledger.reassign_sheet())

    @property
    def evidence(self) -> TableRead:
        return self._table(complaint_ledger.STEM, complaint_ledger.evidence_sheet())

    def courses(self) -> dict[int, Course]:
        """投诉台账 row -> its place in the complaint's course (services/complaint_course.py):
        round, state, whether it counts and which department it is charged to."""
        records = self.complaints.records()
        cached = self.__dict__.get("_courses")
        if cached is None or cached[0] is not records:
            moved = reassignments(self.reassign.records()) if self.reassign.found else []
            cached = self.__dict__["_courses"] = (records, courses(records, moved, self.rules))
        return cached[1]

    def charged_complaints(self) -> list[tuple[dict[str, Any], str]]:
        """(record, department charged) of the month's complaints that deduct: accepted in
        the month, with a level or a channel, counted once (not a cancelled, moved-away or
        rejected row) and charged to one of our departments (an outsourced provider's to its
        managing department, an internal partner unit's to none unless the office says so)."""
        course = self.courses()
        out = []
        for r in self.complaints.records():
            c = course[int(r["_row"])]
            if not self.month.contains(r.get("accepted")) or (is_blank(r.get("level")) and is_blank(r.get("channel"))):
                continue
            if c.deducts:
                out.append((r, c.charged or ""))
        return out

    @property
    def items(self) -> TableRead:
        return self._table(assessment.STEM, assessment.items_sheet(self.rules))

    @property
    def opinions(self) -> TableRead:
        return self._table(opinions.STEM, opinions.opinions_sheet())

    def form(self, spec: Any, stem: str = assessment.STEM) -> FormRead:
        return self._form(stem, spec)

    def calls(self) -> list[dict[str, Any]]:
        """台账 records whose 回访日期 lies in the month (found once per read of the 台账)."""
        records = self.ledger.records()
        cached = self.__dict__.get("_calls")
        if cached is None or cached[0] is not records:
            cached = self.__dict__["_calls"] = (records, [records[i] for i in self.call_positions()])
        return list(cached[1])

    def call_positions(self) -> list[int]:
        """Where `calls` are among the 台账's records, found by the 回访日期 column alone (once
        per read of the 台账): what counts or picks a few of the month's callbacks goes by
        columns and builds no record it does not use."""
        ledger = self.ledger
        cached = self.__dict__.get("_call_positions")
        if cached is None or cached[0] is not ledger:
            year, month = self.month.year, self.month.number
            dates = ledger.column("call_date")
            cached = self.__dict__["_call_positions"] = (ledger, [i for i, d in enumerate(dates)
                                                                  if isinstance(d, date) and d.year == year and d.month == month])
        return cached[1]

    def _once(self, what: str, fn: Callable[[Any], str], value: Any) -> str:
        """``fn(value)``, computed once per distinct value of the month (by type and value:
        1, 1.0 and True are three values): a 10,000-row 台账 names a handful of departments,
        business types and results, asked for on every row by the figures of the report,
        the 服务通报 and the history store."""
        cache = self.__dict__.setdefault("_values_once", {}).setdefault(what, {})
        try:
            key = (value.__class__, value)
            hit = cache.get(key)
        except TypeError:  # unhashable: not a cell value calamine gives, but computed all the same
            return fn(value)
        if hit is None:
            hit = cache[key] = fn(value)
        return hit

    def per_ledger(self, name: str, make: Callable[[], Any]) -> Any:
        """``make()`` once per read of the 台账: what more than one output of the close derives
        from every callback (the figures of the 服务通报 and of the history store's rows,
        `services.history.callback_figure_columns`)."""
        ledger = self.ledger
        cache = self.__dict__.setdefault("_per_ledger", {})
        cached = cache.get(name)
        if cached is None or cached[0] is not ledger:
            cached = cache[name] = (ledger, make())
        return cached[1]

    def dept(self, value: Any) -> str:
        return self._once("dept", self._dept, value)

    def _dept(self, value: Any) -> str:
        try:
            return parse_department(value, self.rules)
        except PolicyInputError:
            return "" if is_blank(value) else normalize_text(value)

    def business(self, value: Any) -> str:
        return self._once("business", self._business, value)

    def _business(self, value: Any) -> str:
        try:
            return self.rules.business_type(str(value)).name
        except KeyError:
            return "" if is_blank(value) else str(value)

    def result(self, rec: dict[str, Any]) -> str:
        return self.result_of(rec.get("result"))

    @staticmethod
    def result_of(value: Any) -> str:
        """A 回访结果 as the figures count it ("" when blank)."""
        return "" if is_blank(value) else normalize_text(value)

    # --- flow forms -------------------------------------------------------------------------

    def flow_due(self, rec: dict[str, Any]) -> datetime | None:
        return deadlines.flow_form_due(rec["flow_date"], self.rules) if rec.get("flow_date") is not None else None

    def flow_late(self, rec: dict[str, Any]) -> bool:
        return self._late(rec.get("flow_date"), rec.get("feedback_date"))

    def _late(self, flow_date: Any, done: Any) -> bool:
        if flow_date is None:
            return False
        due = deadlines.flow_form_due(flow_date, self.rules)
        return not deadlines.done_in_time(done, due) if done is not None else self.as_of > due

    def flow_status(self, rec: dict[str, Any]) -> str:
        due = self.flow_due(rec)
        if due is None:
            return "未流转"
        if rec.get("feedback_date") is None:
            return "未反馈（已超时）" if self.as_of > due else "未反馈"
        return "按时反馈" if deadlines.done_in_time(rec["feedback_date"], due) else "超时反馈"

    def late_flow_counts(self) -> Counter:
        """责任部门 -> flow forms of the month answered late or still open past the deadline."""
        out: Counter = Counter()
        ledger = self.ledger
        columns = zip(ledger.column("flow"), ledger.column("flow_date"), ledger.column("feedback_date"), ledger.column("dept"), strict=True)
        for flow, flow_date, done, dept in columns:
            if _yes(flow) and self.month.contains(flow_date) and self._late(flow_date, done):
                out[self.dept(dept)] += 1
        return out

    def flagged(self) -> list[dict[str, Any]]:
        """The month's callbacks that opened a 流转单 (是否流转 = 是)."""
        flow = self.ledger.column("flow")
        return self.ledger.records_at([i for i in self.call_positions() if _yes(flow[i])])

    def open_flows(self) -> list[dict[str, Any]]:
        """The 台账 rows (of any month) whose 流转单 went out and has no 反馈 yet: next month's
        台账 carries them."""
        ledger = self.ledger
        sent, answered = ledger.column("flow_date"), ledger.column("feedback_date")
        return ledger.records_at([i for i, (s, a) in enumerate(zip(sent, answered, strict=True)) if s is not None and a is None])

    def flow_forms(self) -> list[FlowForm]:
        out = []
        for r in self.flagged():
            words = [str(r[k]) for k in ("opinion", "suggestion") if not is_blank(r.get(k))]
            if not is_blank(r.get("reason")):
                words.append(f"不满原因：{r['reason']}")
            out.append(FlowForm(
                flow_no=str(r.get("flow_no") or f"台账第{r['_row']}行"), department=self.dept(r.get("dept")), customer=r.get("customer") or "",
                phone=r.get("phone") or "", address=r.get("address") or "", business=self.business(r.get("business")), order=r.get("order") or "",
                done_date=r.get("done_date"), opinion="\n".join(words), agent=r.get("agent") or "", call_date=r.get("call_date"),
                flow_date=r.get("flow_date"), due=self.flow_due(r), handling=r.get("handling") or ""))
        return out

    # --- score cards -------------------------------------------------------------------------

    def imports(self) -> Imports:
        """The figures the 考核表 takes from the other workbooks (its 汇入 sheet, books/imported.py):
        满意/不满意 of the month's callbacks by business type, each department's late 流转单 as
        of `as_of`, and the complaints accepted in the month that deduct (`charged_complaints`:
        with a level or a channel, counted once — no rejected round, cancelled or moved-away
        row — and charged to one of our departments, which is the 责任部门 the 汇入 row
        carries), as the 投诉台账 holds them. The refresh writes exactly this into the 汇入 and
        the close scores from it, so the live workbook and the close read one recount."""
        cached = self.__dict__.get("_imports")
        if cached is not None:
            return cached
        rules = self.rules
        sat, unsat = Counter(), Counter()
        results, businesses = self.ledger.column("result"), self.ledger.column("business")
        for i in self.call_positions():
            res, b = self.result_of(results[i]), self.business(businesses[i])
            sat[b] += res == rules.callback_satisfied
            unsat[b] += res == rules.callback_unsatisfied
        late = self.late_flow_counts()
        complaints = [ImportedComplaint(str(r.get("no") or ""), r.get("accepted"), dept, r.get("channel"), r.get("level"), r.get("resp"),
                                        r.get("appeal_result")) for r, dept in self.charged_complaints()]
        adjustments = tuple(ImportedAdjustment(a.number, a.department, str(a.closed_month), a.points) for a in self.late_appeals())
        result = self.__dict__["_imports"] = Imports(
            self.as_of, {b.name: (sat[b.name], unsat[b.name]) for b in rules.business_types},
            {d: late.get(d, 0) for d in rules.department_names}, tuple(complaints), adjustments)
        return result

    def department_months(self) -> dict[str, DepartmentMonth]:
        rules = self.rules
        imports = self.imports()
        complaints: dict[str, list[ComplaintEntry]] = defaultdict(list)
        for c in imports.complaints:
            complaints[c.dept].append(ComplaintEntry(c.level, c.channel, c.resp, c.no, c.appeal))
        adjustments: dict[str, list[Adjustment]] = defaultdict(list)
        for a in imports.adjustments:
            adjustments[a.dept].append(Adjustment(a.points, a.text, a.no))
        praise: Counter = Counter()
        media: dict[str, list[Any]] = defaultdict(list)
        manual: dict[str, list[ManualEntry]] = defaultdict(list)
        for r in self.items.records():
            d, kind = self.dept(r.get("dept")), r.get("type")
            if kind == L.ITEM_PRAISE:
                praise[d] += 1 if r.get("count") is None else parse_count(r["count"])
            elif kind == L.ITEM_MEDIA:
                media[d].append(r.get("pin"))
            elif kind == L.ITEM_MANUAL:
                manual[d].append(ManualEntry(r.get("desc") or L.ITEM_MANUAL, r.get("pin") or 0, str(r.get("source") or "")))
        summary = self.form(assessment.summary_sheet(rules))
        out = {}
        for dept in rules.departments:
            f = self.form(assessment.department_sheet(dept))
            indicators: dict[str, Any] = {}
            for ind in dept.indicators:
                if ind.kind_spec.from_complaints:
                    continue
                key = assessment.indicator_key(ind)
                own = f.raw(key, "self") if f.found else None
                if assessment.audit_from_ledger(ind):  # 审核 = the 台账's rate (汇入), at full precision
                    rate = imports.rate(ind.callback_type or "")
                    value = rate if rate is not None else own
                else:
                    audit = f.raw(key, "audit") if f.found else None
                    value = audit if not is_blank(audit) else own
                if not is_blank(value):
                    indicators[ind.name] = value
            base = summary.raw(dept.name, "base") if summary.found else None
            out[dept.name] = DepartmentMonth(dept.name, self.month, indicators, complaints.get(dept.name, []), imports.late_flows.get(dept.name, 0),
                                             praise.get(dept.name, 0), media.get(dept.name, []), manual.get(dept.name, []),
                                             None if is_blank(base) else base, adjustments.get(dept.name, []))
        return out

    def score_cards(self) -> dict[str, ScoreCard]:
        return {name: scoring.score_department(dm, self.rules) for name, dm in self.department_months().items()}

    # --- 附件5 and 附件4 -----------------------------------------------------------------------

    def report_data(self, cards: dict[str, ScoreCard]) -> ReportData:
        rules = self.rules
        ledger, positions = self.ledger, self.call_positions()
        completed = self.form(callback_ledger.completed_sheet(rules), callback_ledger.STEM)
        # by columns: each call's business type and result, the records built only for the 不满意
        businesses, results = ledger.column("business"), ledger.column("result")
        counted: Counter[tuple[str, str]] = Counter((self.business(businesses[i]), self.result_of(results[i])) for i in positions)
        types = []
        for b in rules.business_types:
            sat, unsat = counted[(b.name, rules.callback_satisfied)], counted[(b.name, rules.callback_unsatisfied)]
            total = completed.value(b.name, "count") if completed.found else None
            types.append(TypeStats(b.name, int(total or 0), sat + unsat, sat, unsat))
        problems: dict[str, Counter] = defaultdict(Counter)
        unsatisfied = []
        for r in ledger.records_at([i for i in positions if self.result_of(results[i]) == rules.callback_unsatisfied]):
            problem = str(r.get("reason") or "未注明原因").strip()
            problems[problem][self.dept(r.get("dept")) or "未填部门"] += 1
            unsatisfied.append(UnsatisfiedCall(r.get("call_date"), self.business(r.get("business")), r.get("customer") or "", r.get("phone") or "",
                                               self.dept(r.get("dept")), str(r.get("reason") or ""), str(r.get("flow_no") or ""), self.flow_status(r)))
        scores = [DeptScore(c.department, c.deductions, c.bonuses, c.score, c.grade) for c in cards.values()]
        return ReportData(self.month, types, [ProblemRow(p, dict(c)) for p, c in problems.items()], rules.department_names, scores, unsatisfied)

    def opinion_rows(self) -> list[dict[str, Any]]:
        """台账 rows of the month with 不满意 or words, not yet in the 意见统计表 (附件4)."""
        listed = {(customer_key(r.get("phone"), r.get("customer"), r.get("address")), r.get("call_date")) for r in self.opinions.records()}
        out = []
        ledger = self.ledger
        words = [ledger.column(k) for k in ("opinion", "suggestion", "reason")]
        results = ledger.column("result")
        picked = [i for i in self.call_positions()
                  if any(not is_blank(c[i]) for c in words) or self.result_of(results[i]) == self.rules.callback_unsatisfied]
        for r in ledger.records_at(picked):
            if (customer_key(r.get("phone"), r.get("customer"), r.get("address")), r.get("call_date")) in listed:
                continue
            out.append({"visit_date": r.get("done_date"), "staff": r.get("staff"), "customer": r.get("customer"), "phone": r.get("phone"),
                        "address": r.get("address"), "call_date": r.get("call_date"), "opinion": r.get("opinion"), "suggestion": r.get("suggestion"),
                        "reason": r.get("reason"), "dept": self.dept(r.get("dept")) or None, "note": f"据回访台账第{r['_row']}行"})
        return out
