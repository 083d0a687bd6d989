"""Use cases: hand the 自评表 out and collect them (考核 5.1–5.2; `xinao-xl handout`/`collect`,
ribbon 发放自评表/收集自评).

    handout_month("2026-11", Path("D:/服务考核"))      # 2026-11/自评/客服部_自评.xlsx …
    result = collect_month("2026-11", Path("D:/服务考核"))
    print(result.summary())

The hand-out writes one 自评表 per department (books/self_assessment.py) into the month's
``自评/`` folder, with what the ledgers hold against each department so far, and the record
``发放记录.json`` of what every locked cell held. Departments fill the 自评实际 column and
return the file (mail, shared drive: whatever the office does); the office puts the returned
files back into ``自评/`` under any name.

The collect reads every workbook there, knows each by the department and month in its row 2
(not by its name), and checks it: the wrong month or a department the office does not have,
a file named for one department that holds another's, a value outside the row's range, a row
gone — each an 错误, and the file is not collected (the department is asked to correct it);
a locked cell changed or a row moved — a 警告 (the row is found by its 考核内容; the locked
cells of the 考核表 stay what they are). The 自评 of the files without 错误 are written into
the office's 考核表 in place (only those cells change: books/inplace.py). It lists the
departments that have not returned (no file, or the file as handed out) and those that
returned after the deadline: the 次月 day of the setting 部门自评截止日 (`review_to_day`,
制度设置.xlsx, by month); a file's return time is when it was last saved into the folder.

Both hold the month's lock and refuse a closed month (services/month_writer.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from xinao_xl.books import assessment
from xinao_xl.books import self_assessment as book
from xinao_xl.books.month_folder import MonthFolder
from xinao_xl.books.save import Batch, preflight, sha256
from xinao_xl.policy import clock
from xinao_xl.policy.errors import PolicyInputError, XinaoError
from xinao_xl.policy.month import Month
from xinao_xl.policy.parse import is_blank
from xinao_xl.policy.rules import Rules
from xinao_xl.policy.scoring import read_actual

from .month_books import MonthBooks
from .month_writer import month_writer
from .settings import rules_for_month

__all__ = ["CollectMessage", "CollectResult", "HandoutResult", "NotHandedOutError", "collect_month", "due_day", "handout_month"]

ERROR, WARNING = "错误", "警告"


class NotHandedOutError(XinaoError, FileNotFoundError):
    """The month's 自评表 were never handed out (no 发放记录): nothing to collect against."""


def due_day(month: str, rules: Rules) -> date:
    """The last day to return the 自评 (考核 3、5.2: 次月3–6日): the setting `review_to_day`."""
    return Month(month).next().first_day.replace(day=int(rules.value("review_to_day")))


# --- hand out ---------------------------------------------------------------------------------


@dataclass
class HandoutResult:
    month: str
    due: date
    written: list[Path] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # departments whose file was returned already: not replaced
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"已发放 {self.month} 自评表 {len(self.written)} 份（交回截止 {self.due:%Y-%m-%d}）："]
        lines += [f"  {p.parent.name}/{p.name}" for p in self.written]
        lines += [f"  {d}：已交回，未重新发放" for d in self.kept]
        lines += [f"注意：{n}" for n in self.notes]
        return "\n".join(lines)


def _load_record(mf: MonthFolder) -> dict[str, Any]:
    try:
        record = json.loads(mf.handout_record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def handout_month(month: str, root: Path, *, now: datetime | None = None, rules: Rules | None = None, user: str | None = None) -> HandoutResult:
    """Write each department's 自评表 into ``month/自评/``; a file a department returned
    already (its bytes differ from the hand-out's) is kept, not handed out again."""
    rules = rules or rules_for_month(root, month)
    now = (now or clock.now()).replace(microsecond=0)
    mf = MonthFolder(root, month)
    paths = mf.existing_books()
    due = due_day(mf.month, rules)
    result = HandoutResult(str(mf.month), due)
    with month_writer(mf, "发放自评表", user=user):
        old = _load_record(mf)
        old_depts = old.get("部门", {}) if isinstance(old.get("部门"), dict) else {}
        targets = {d.name: mf.handout_file(d.name) for d in rules.departments}
        preflight(read=paths.values(), write=[*targets.values(), mf.handout_record])
        mb = MonthBooks.open(root, mf.month, as_of=now, rules=rules)
        try:
            cards = mb.score_cards()
        except XinaoError as exc:  # an entry the scoring cannot use: the sheets go out without the lines
            cards = {}
            result.notes.append(f"台账中有无法计分的内容（{exc.message}），自评表中暂不列出扣分明细；请先校验")
        record: dict[str, Any] = {"月份": str(mf.month), "发放时间": clock.stamp(now), "发放人": user or "", "交回截止": due.isoformat(), "部门": {}}
        with Batch(mf.self_dir, keep_previous=True) as batch:
            for dept in rules.departments:
                path = targets[dept.name]
                before = old_depts.get(dept.name, {})
                if path.is_file() and before.get("sha256") and sha256(path) != before["sha256"]:
                    result.kept.append(dept.name)
                    record["部门"][dept.name] = before
                    continue
                card = cards.get(dept.name)
                items = [i for i in card.items if i.category != "指标"] if card else []
                handout = book.build_handout(dept, rules, mf.month, items, due, now)
                batch.add_workbook(path.name, handout.workbook)
                record["部门"][dept.name] = {"文件": path.name, "sha256": batch.digest(path.name), "rows": handout.rows, "locked": handout.locked}
            batch.add_text(mf.handout_record.name, json.dumps(record, ensure_ascii=False, indent=1) + "\n")
            written = batch.commit()
        result.written = [p for p in written if p.suffix == ".xlsx"]
    return result


# --- collect -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CollectMessage:
    severity: str  # 错误 | 警告
    file: str
    cell: str  # 自评!E7, or "" for the file as a whole
    text: str

    def __str__(self) -> str:
        where = f"{self.file} {self.cell}" if self.cell else self.file
        return f"[{self.severity}] {where}：{self.text}"


@dataclass
class CollectResult:
    month: str
    due: date
    messages: list[CollectMessage] = field(default_factory=list)
    collected: dict[str, dict[str, float]] = field(default_factory=dict)  # department -> indicator number -> value
    returned_at: dict[str, datetime] = field(default_factory=dict)
    not_returned: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # returned with 错误: not collected
    written: list[str] = field(default_factory=list)  # 考核表 cells
    book: Path | None = None

    @property
    def errors(self) -> list[CollectMessage]:
        return [m for m in self.messages if m.severity == ERROR]

    def summary(self) -> str:
        lines = [f"{self.month} 自评收集（交回截止 {self.due:%Y-%m-%d}）："]
        for dept, values in self.collected.items():
            lines.append(f"  {dept}：收到 {len(values)} 项自评（{self.returned_at[dept]:%m-%d %H:%M} 交回）")
        if self.book is not None:
            lines.append(f"已写入 {self.book.name}：{len(self.written)} 个单元格" if self.written else f"{self.book.name} 中的自评已是最新，未改动文件")
        if self.rejected:
            lines.append("有错误未收集（请部门改正后重新交回）：" + "、".join(self.rejected))
        lines.append("未交回：" + ("、".join(self.not_returned) if self.not_returned else "无"))
        lines.append(f"逾期交回（{self.due:%m-%d} 之后）：" + ("、".join(f"{d}（{self.returned_at[d]:%m-%d}）" for d in self.late) if self.late else "无"))
        lines += [str(m) for m in self.messages]
        return "\n".join(lines)


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "空" if is_blank(value) else f"{value}"


def _check_file(path: Path, rules: Rules, month: str, handed: dict[str, Any], msgs: list[CollectMessage]) -> tuple[str, dict[str, float]] | None:
    """One returned file: its department and the 自评 values to take, or None (not a 自评表,
    not returned, or an 错误: the messages say which)."""
    name = path.name

    def say(severity: str, cell: str, text: str) -> None:
        msgs.append(CollectMessage(severity, name, f"{book.SHEET}!{cell}" if cell else "", text))

    try:
        head = book.read_return(path, None, None)
    except XinaoError as exc:
        say(ERROR, "", f"无法读取（{exc.message}）")
        return None
    if not head.found:
        say(WARNING, "", f"不是自评表（没有“{book.SHEET}”工作表），已跳过")
        return None
    depts = {d.name: d for d in rules.departments}
    if head.department not in depts:
        say(ERROR, book.DEPT_CELL, f"部门“{head.department or '空'}”不是本单位的考核部门：未收集，请部门使用发放的自评表")
        return None
    if head.month != month:
        say(ERROR, book.MONTH_CELL, f"月份是“{head.month or '空'}”，不是 {month}：这是其他月份的自评表，未收集")
        return None
    named = [d for d in depts if d in path.stem and d != head.department]
    if named and head.department not in path.stem:
        say(ERROR, book.DEPT_CELL, f"文件名是{named[0]}的自评表，表内部门却是{head.department}：未收集，请核实是哪个部门的自评后重新交回")
        return None
    entry = handed.get(head.department)
    if not isinstance(entry, dict):
        say(ERROR, "", f"{head.department} 的自评表没有发放记录：请先发放自评表")
        return None
    if sha256(path) == entry.get("sha256"):
        return None  # as handed out: not returned yet
    dept = depts[head.department]
    got = book.read_return(path, dept, entry)
    names = {str(i.number): i for i in dept.indicators}
    bad = False
    for number in got.missing:
        say(ERROR, "", f"找不到第 {number} 项“{names[number].name}”的行（行被删除或考核内容被改）：未收集，请使用发放的自评表重新填写")
        bad = True
    for number, was, now in got.moved:
        say(WARNING, f"B{now}", f"第 {number} 项“{names[number].name}”发放时在第 {was} 行，现在第 {now} 行：已按考核内容识别")
    for cell, was, now in got.changed:
        say(WARNING, cell, f"锁定的单元格被改动（发放时为“{_show(was)}”，现为“{_show(now)}”）：不采用，考核以考核表为准")
    values: dict[str, float] = {}
    blanks = []
    for row in got.rows:
        ind = names[row.number]
        cell = f"E{row.row}"
        if is_blank(row.value):
            blanks.append(ind.name)
            continue
        try:
            values[row.number] = read_actual(ind.kind_spec, row.value)
        except PolicyInputError as exc:
            say(ERROR, cell, f"“{ind.name}”的自评实际“{row.value}”超出范围或无法识别（{exc.message}）：未收集，请改正后重新交回")
            bad = True
    if bad:
        return head.department, {}
    if not values:
        say(WARNING, "", "没有填写任何自评实际，按未交回处理")
        return None
    if blanks:
        say(WARNING, "", f"未填写：{'、'.join(blanks)}（考核表中这些项保持原样）")
    return head.department, values


def collect_month(month: str, root: Path, *, rules: Rules | None = None, user: str | None = None,
                  keep_previous: bool = True) -> CollectResult:
    """Check the returned 自评表 in ``month/自评/`` and write their 自评 into the 考核表 (see the module)."""
    rules = rules or rules_for_month(root, month)
    mf = MonthFolder(root, month)
    paths = mf.existing_books()
    result = CollectResult(str(mf.month), due_day(mf.month, rules))
    record = _load_record(mf)
    handed = record.get("部门") if isinstance(record.get("部门"), dict) else None
    if handed is None:
        raise NotHandedOutError(f"{mf.month} 的自评表尚未发放（{mf.self_dir} 中没有发放记录）：请先发放自评表（按钮“发放自评表”，或 xinao-xl handout {mf.month}）")
    target = paths[assessment.STEM]
    with month_writer(mf, "收集自评", user=user):
        files = sorted(p for p in mf.self_dir.glob("*.xlsx") if not p.name.startswith(("~$", ".")))
        preflight(read=files, write=[target])
        by_dept: dict[str, list[tuple[Path, dict[str, float], list[CollectMessage]]]] = {}
        for path in files:
            msgs: list[CollectMessage] = []
            found = _check_file(path, rules, str(mf.month), handed, msgs)
            if found is None:
                result.messages += msgs
                continue
            by_dept.setdefault(found[0], []).append((path, found[1], msgs))
        for dept, returns in by_dept.items():
            returns.sort(key=lambda r: r[0].stat().st_mtime)
            path, values, msgs = returns[-1]
            for older, _, _ in returns[:-1]:
                result.messages.append(CollectMessage(WARNING, older.name, "", f"{dept} 另有更晚交回的 {path.name}：采用后者，本文件未收集"))
            result.messages += msgs
            result.returned_at[dept] = clock.from_timestamp(path.stat().st_mtime)
            if result.returned_at[dept].date() > result.due:
                result.late.append(dept)
            if not values:
                result.rejected.append(dept)
                continue
            result.collected[dept] = values
        result.not_returned = [d.name for d in rules.departments if d.name not in by_dept]
        result.collected = {d.name: result.collected[d.name] for d in rules.departments if d.name in result.collected}
        if result.collected:
            result.book = target
            result.written = book.write_self_values(target, result.collected, rules, keep_previous=keep_previous)
    return result

