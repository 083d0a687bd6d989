"""Use cases of the office's settings (制度设置.xlsx): which rules a command computes a month
with, the listing `xinao-xl rules --dir D --month M` shows, and the refresh that writes
changed settings into the months still open (`xinao-xl settings --refresh`).

    rules = rules_for_month(Path("D:/服务考核"), "2027-01")    # every command's rules for a month
    rules, note = rules_for_close(MonthFolder(root, "2026-11"), force=True)

One owner: `books.settings_book.month_rules` reads the workbook and overlays the packaged
rules; here are the decisions around it. A closed month keeps the settings its close used
(the 结账记录's 制度设置), so looking back at it (a re-close, the value of an appeal decided
after it) computes with those, not with what the office decided later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from xinao_xl.books.month_folder import MonthFolder, closed_months
from xinao_xl.books.save import preflight, sweep_temps
from xinao_xl.books.settings_book import (
    ensure_settings_book,
    load_settings,
    month_rules,
    settings_path,
)
from xinao_xl.books.workbooks import Refreshed, refresh_books
from xinao_xl.policy.errors import SETTINGS_BOOK, XinaoError
from xinao_xl.policy.month import Month
from xinao_xl.policy.rules import Rules, load_rules
from xinao_xl.policy.settings import Resolved, rules_from_record, settings_record

from .month_writer import month_writer

__all__ = ["RECORD_KEY", "Listing", "RefreshResult", "list_settings", "record_of", "recorded_rules", "refresh_months",
           "rules_for_close", "rules_for_month"]

RECORD_KEY = "制度设置"  # the close record's part holding the settings the close used


def rules_for_month(root: Path | str, month: str, rules: Rules | None = None) -> Rules:
    """The rules every command computes `month` with: the packaged rules and the settings in
    effect for that month (`SettingsError` for a bad 制度设置.xlsx: nothing is done)."""
    return month_rules(root, Month(month), rules)


def recorded_rules(mf: MonthFolder, rules: Rules | None = None) -> Rules | None:
    """The rules a closed month was closed with, from its 结账记录; None when the record has
    no settings (closed before they were recorded) or there is no record."""
    record = mf.load_record().get(RECORD_KEY)
    if not isinstance(record, dict):
        return None
    return rules_from_record(record, rules or load_rules())


def closed_month_rules(root: Path | str, month: str, rules: Rules | None = None) -> Rules:
    """A month's rules as its close used them when it has a record, else as the settings say."""
    mf = MonthFolder(root, month)
    return (mf.closed and recorded_rules(mf, rules)) or rules_for_month(root, month, rules)


def rules_for_close(mf: MonthFolder, force: bool = False, current: bool = False, rules: Rules | None = None) -> tuple[Rules, str]:
    """The rules a close of `mf` computes with, and a note when they are not today's settings.

    A forced re-close of a closed month uses the settings its record holds, so its scores
    stay what they were unless the inputs changed; ``current`` (``--current-settings``) uses
    the settings in effect now instead, and says so too."""
    now_rules = rules_for_month(mf.root, mf.month, rules)  # also checks 制度设置.xlsx: a bad file stops every close
    if not (force and mf.closed):
        return now_rules, ""
    if current:
        return now_rules, f"按当前的{SETTINGS_BOOK}重新结账（未使用上次结账记录中的制度设置）"
    recorded = recorded_rules(mf, rules)
    if recorded is None:
        return now_rules, f"上次结账记录中没有制度设置，按当前的{SETTINGS_BOOK}重新结账"
    return recorded, f"按上次结账记录中的制度设置重新结账（{SETTINGS_BOOK} 此后的修改不影响本月；要按当前设置结账请加 --current-settings）"


def record_of(rules: Rules) -> dict:
    """The settings part of a close record (policy.settings.settings_record) for the month's
    rules, whether they came from 制度设置.xlsx or from an earlier record (a re-close)."""
    return settings_record(rules)


# --- the listing ---------------------------------------------------------------------------------


@dataclass
class Listing:
    """`xinao-xl rules --dir D --month M`: each setting's value for the month and its source."""

    month: str
    book: Path
    exists: bool
    resolved: list[Resolved]
    confirmed_years: dict[int, str]
    entered_years: dict[int, int]  # year -> 放假安排 rows, for years not confirmed

    @property
    def unconfirmed(self) -> list[Resolved]:
        """Our readings of silent points the office has not confirmed for the month."""
        return [r for r in self.resolved if r.unconfirmed_default]


def list_settings(root: Path | str, month: str, rules: Rules | None = None) -> Listing:
    rules = rules or load_rules()
    settings = load_settings(root, rules)
    years: dict[int, int] = {}
    for o in settings.overrides:
        if o.day.year not in settings.confirmed_years:
            years[o.day.year] = years.get(o.day.year, 0) + 1
    return Listing(Month(month), settings_path(root), settings_path(root).exists(), settings.resolve(rules, Month(month)),
                   dict(settings.confirmed_years), years)


# --- the refresh ---------------------------------------------------------------------------------


@dataclass
class RefreshResult:
    created: Path | None = None  # 制度设置.xlsx when it was made now
    months: dict[str, list[Refreshed]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # closed months, not touched

    def summary(self) -> str:
        lines = [f"已生成 {self.created}：请在其中填写本单位的取值" if self.created else ""]
        for month, books in self.months.items():
            changed = [b for b in books if b.changed]
            if not changed:
                lines.append(f"{month}：工作簿已是最新的制度设置，未改动")
                continue
            for b in changed:
                what = []
                if b.values:
                    what.append("规则表 " + "、".join(b.values[:6]) + (f" 等 {len(b.values)} 项" if len(b.values) > 6 else ""))
                if b.days:
                    what.append(f"工作日历 {b.days} 天")
                lines.append(f"{month}：{b.path.name} 已更新（{'；'.join(what)}），原文件保留在“历史版本”")
        if self.skipped:
            lines.append(f"已结账的月份不改动（按结账时的制度设置）：{'、'.join(self.skipped)}")
        return "\n".join(line for line in lines if line)


class RefreshError(XinaoError, ValueError):
    """The months to refresh cannot be found (Chinese message)."""


def refresh_months(root: Path | str, months: list[str] | None = None, rules: Rules | None = None) -> RefreshResult:
    """Write the settings into the open months' workbooks (their 规则 and 工作日历 sheets).

    Every month folder under `root` that is not closed, or the `months` given; a closed
    month is never touched (its close kept its settings). The settings are checked first and
    every workbook to change is refused while open in Excel, before anything is written."""
    root = Path(root)
    rules = rules or load_rules()
    result = RefreshResult()
    found = sorted(Month(p.name) for p in root.iterdir() if p.is_dir() and Month.match(p.name)) if root.is_dir() else []
    wanted = [Month(m) for m in months] if months else found
    closed = set(closed_months(root))
    todo: dict[Month, tuple[Rules, list[Path]]] = {}
    for month in wanted:
        if month in closed:
            result.skipped.append(month)
            continue
        mf = MonthFolder(root, month)
        if not mf.path.is_dir():
            raise RefreshError(f"{mf.path} 不存在：请先生成该月工作簿（xinao-xl new-month {month}）")
        todo[month] = (rules_for_month(root, month, rules), [p for p in mf.books.values() if p.exists()])
    preflight(write=[p for _, paths in todo.values() for p in paths])
    result.created = ensure_settings_book(root, rules)
    for month, (month_rules_, paths) in todo.items():
        mf = MonthFolder(root, month)
        with month_writer(mf, "刷新制度设置"):  # one writer at a time; a month closed meanwhile is refused
            sweep_temps([mf.path])
            result.months[month] = refresh_books(paths, month_rules_)
    return result
