"""The office's settings: its own values for the policies' params, each from a month on,
and its confirmation of the State Council's holiday notice (制度设置.xlsx; books/settings_book.py
reads the workbook into the rows below).

Why: the policies call some targets 暂定 and are silent on many details; the packaged
rules.toml holds the policy's values and our readings, and an office decides its own at
the start of a year. A month's rules are the packaged rules overlaid with the settings in
effect for that month: month M uses, for each setting, the row with the latest 生效月份
not after M (a row without 生效月份 holds from the start); an empty 本单位取值 means the
packaged value. Every command for a month computes with `OfficeSettings.rules_for(month)`,
and the close keeps what it used (`settings_record`) so a re-close of that month can
compute with the same values (`rules_from_record`).

    >>> s = OfficeSettings.parse([SettingRow("E城平台综合上门及时率标准", "60%", "2027-01")], rules=load_rules())
    >>> s.rules_for("2026-12").value("platform_visit_target"), s.rules_for("2027-01").value("platform_visit_target")
    (0.5, 0.6)

Everything here is pure: no workbook, no file. A problem is a `Problem` naming the sheet
and cell; `OfficeSettings.parse` collects all of them and raises one `SettingsError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .calendar import RESTDAY, WORKDAY, CalendarOverride, WorkCalendar
from .errors import Problem, SettingsError, quote
from .parse import is_blank, normalize_text
from .rules import NO, YES, Param, ParamValue, Rules, load_rules

__all__ = [
    "HOLIDAY_SHEET",
    "HolidayRow",
    "OfficeSettings",
    "Resolved",
    "SETTINGS_SHEET",
    "SettingRow",
    "YEAR_SHEET",
    "YearRow",
    "REST",
    "WORK",
    "rules_from_record",
    "setting_params",
    "settings_record",
]

# The sheets of 制度设置.xlsx, as the messages name them.
SETTINGS_SHEET = "制度设置"
HOLIDAY_SHEET = "放假安排"
YEAR_SHEET = "已确认年度"
REST, WORK = "休", "班"  # how the State Council's notice marks a day off and a makeup working day

_MONTH = re.compile(r"^(\d{4})-(0?[1-9]|1[0-2])$")
_SINCE_START = ""  # a row without 生效月份: in effect from the start


def setting_params(rules: Rules) -> list[Param]:
    """The params that are office settings (rules.toml `setting`), in the rules' order."""
    return [p for p in rules.params.values() if p.setting]


# --- the rows as read ---------------------------------------------------------------------


@dataclass(frozen=True)
class SettingRow:
    """One row of the 制度设置 sheet as typed: 项目, 本单位取值, 生效月份 and their cells."""

    item: Any
    value: Any = None
    since: Any = None
    cells: Mapping[str, str] = field(default_factory=dict)  # "item" / "value" / "since" -> "E12"


@dataclass(frozen=True)
class HolidayRow:
    """One row of 放假安排: a date the notice makes 休 (off) or 班 (a makeup working day)."""

    day: Any
    kind: Any
    note: Any = None
    notice: Any = None
    cells: Mapping[str, str] = field(default_factory=dict)  # "day" / "kind" -> "B5"


@dataclass(frozen=True)
class YearRow:
    """One row of 已确认年度: the office has entered this year's notice completely."""

    year: Any
    notice: Any = None
    cells: Mapping[str, str] = field(default_factory=dict)  # "year" -> "A3"


# --- typed settings ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """The office's value for a param from a month on; `value` None: the packaged value."""

    key: str
    value: ParamValue | None
    since: str  # "YYYY-MM", or "" for from the start
    cell: str = ""


@dataclass(frozen=True)
class Resolved:
    """A param's value for a month and where it came from."""

    param: Param
    value: ParamValue
    since: str | None  # the 生效月份 of the office's row in effect; None: packaged value
    office: bool  # the office typed the value (for a default reading: it confirmed it)

    @property
    def source(self) -> str:
        """制度 / 默认 / 本单位（2027-01起）: the words `xinao-xl rules` and the 规则 sheet show."""
        if self.office:
            return f"本单位（{self.since}起）" if self.since else "本单位"
        if self.param.default:
            return "默认"
        return "制度（暂定）" if self.param.provisional else "制度"

    @property
    def unconfirmed_default(self) -> bool:
        """Our reading of a silent point that the office has not confirmed for this month."""
        return self.param.default and not self.office


@dataclass(frozen=True)
class OfficeSettings:
    """The office's checked settings: values by param, the holiday notice, confirmed years.

    Made by `parse` (from the workbook's rows) or `empty()` (no 制度设置.xlsx); frozen, so
    a front end may keep one per file version.
    """

    choices: Mapping[str, tuple[Choice, ...]] = field(default_factory=dict)  # key -> rows, oldest first
    overrides: tuple[CalendarOverride, ...] = ()
    confirmed_years: Mapping[int, str] = field(default_factory=dict)  # year -> 通知文号

    @classmethod
    def empty(cls) -> OfficeSettings:
        return cls()

    @classmethod
    def parse(cls, rows: Iterable[SettingRow], holidays: Iterable[HolidayRow] = (), years: Iterable[YearRow] = (),
              rules: Rules | None = None) -> OfficeSettings:
        """Check every row and build the settings; all problems at once in a `SettingsError`."""
        rules = rules or load_rules()
        problems: list[Problem] = []
        choices = _choices(rows, rules, problems)
        overrides = _overrides(holidays, problems)
        confirmed = _years(years, problems)
        _check_confirmed_years(confirmed, overrides, problems)
        if problems:
            raise SettingsError(problems)
        return cls(choices, tuple(o for o, _ in overrides), {y: notice for y, (notice, _) in confirmed.items()})

    # --- a month's values -------------------------------------------------------------------

    def resolve(self, rules: Rules, month: str) -> list[Resolved]:
        """Every setting param's value for `month`, in the rules' order."""
        out = []
        for param in setting_params(rules):
            row = _in_effect(self.choices.get(param.key, ()), month)
            if row is None or row.value is None:
                out.append(Resolved(param, param.value, row.since if row else None, False))
            else:
                out.append(Resolved(param, row.value, row.since, True))
        return out

    def calendar(self) -> WorkCalendar:
        """The package's calendar with the office's 放假安排 and confirmed years."""
        return WorkCalendar(self.overrides, self.confirmed_years)

    def rules_for(self, month: str, rules: Rules | None = None) -> Rules:
        """The effective rules of `month`: the packaged rules with the settings in effect."""
        rules = rules or load_rules()
        resolved = self.resolve(rules, month)
        values = {r.param.key: r.value for r in resolved if r.office}
        sources = {r.param.key: r.source for r in resolved if r.office}
        return rules.with_values(values, sources, calendar=self.calendar(), month=month)

    def is_empty(self) -> bool:
        return not self.choices and not self.overrides and not self.confirmed_years


def _in_effect(rows: Sequence[Choice], month: str) -> Choice | None:
    """The row with the latest 生效月份 not after `month` (a row without one counts from the start)."""
    current = None
    for row in rows:  # oldest first
        if row.since <= month:
            current = row
    return current


# --- checking the rows ---------------------------------------------------------------------------


def _choices(rows: Iterable[SettingRow], rules: Rules, problems: list[Problem]) -> dict[str, tuple[Choice, ...]]:
    by_label = {normalize_text(p.name): p for p in setting_params(rules)}
    seen: dict[tuple[str, str], str] = {}
    out: dict[str, list[Choice]] = {}
    for row in rows:
        cell = row.cells.get
        if is_blank(row.item):
            if not (is_blank(row.value) and is_blank(row.since)):
                problems.append(Problem(SETTINGS_SHEET, cell("item", ""), "项目为空：请从下拉列表选择项目，或清空这一行"))
            continue
        param = by_label.get(normalize_text(row.item))
        if param is None:
            problems.append(Problem(SETTINGS_SHEET, cell("item", ""),
                                    f"未知的项目“{quote(row.item, 30)}”：请从下拉列表选择项目（与第一部分各行的项目一字不差），或删除这一行"))
            continue
        if is_blank(row.value) and is_blank(row.since):
            continue  # a setting's own row left as generated: the packaged value
        since = _since(row.since, cell("since", ""), param, problems)
        value = _value(row.value, cell("value", ""), param, problems)
        if since is None or value is _BAD:
            continue
        first = seen.get((param.key, since))
        if first is not None:
            when = f"生效月份 {since}" if since else "没有生效月份（自始生效）"
            problems.append(Problem(SETTINGS_SHEET, cell("since", "") or cell("item", ""),
                                    f"“{param.name}”有两行{when}（另一行在 {first}）：同一项目同一月份只能有一行，请删除或改正其中一行"))
            continue
        seen[(param.key, since)] = cell("since", "") or cell("item", "")
        out.setdefault(param.key, []).append(Choice(param.key, value, since, cell("value", "")))
    return {key: tuple(sorted(rows, key=lambda c: c.since)) for key, rows in out.items()}


_BAD = object()


def _since(value: Any, cell: str, param: Param, problems: list[Problem]) -> str | None:
    """生效月份 as "YYYY-MM" ("" when blank: from the start); None after a problem.

    Excel turns a typed 2027-01 into a date (2027-01-01): a date on the 1st is its month."""
    if is_blank(value):
        return _SINCE_START
    if isinstance(value, datetime | date) and value.day == 1:
        return f"{value.year:04d}-{value.month:02d}"
    text = normalize_text(value).replace("/", "-").replace(".", "-")
    text = re.sub(r"^(\d{4})年(\d{1,2})月$", r"\1-\2", text)
    found = _MONTH.fullmatch(text)
    if found and 2000 <= int(found.group(1)) <= 2100:
        return f"{found.group(1)}-{int(found.group(2)):02d}"
    problems.append(Problem(SETTINGS_SHEET, cell, f"“{param.name}”的生效月份“{quote(value)}”不是 YYYY-MM 格式的月份：请填写如 2027-01，"
                                                  "从该月起生效；留空表示自始生效"))
    return None


def _value(value: Any, cell: str, param: Param, problems: list[Problem]) -> Any:
    """本单位取值 as the param holds it (None when blank: the packaged value); `_BAD` after a problem."""
    if is_blank(value):
        return None
    try:
        return param.check(_typed(value, param))
    except ValueError as exc:
        problems.append(Problem(SETTINGS_SHEET, cell, f"“{param.name}”的本单位取值“{quote(value)}”有误（{exc}）：{_fix(param)}"))
        return _BAD


def _typed(value: Any, param: Param) -> Any:
    """What staff typed, turned into the param's kind of value before `Param.check` judges it."""
    if param.is_switch:
        text = normalize_text(value).upper() if not isinstance(value, bool) else value
        if text in (True, YES, "TRUE", "是的"):
            return True
        if text in (False, NO, "FALSE"):
            return False
        return value
    if param.choices or isinstance(param.value, str):
        return normalize_text(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value
    text = normalize_text(value)
    percent = text.endswith("%")
    try:
        number = Decimal(text.rstrip("%"))
    except InvalidOperation:
        return value
    if not number.is_finite():
        return value
    if param.percent and (percent or number > 1):
        number /= 100  # "60%" or 60 typed as text: a percentage
    elif percent:
        return value
    return int(number) if number == number.to_integral_value() and not param.percent else float(number)


def _fix(param: Param) -> str:
    """How to fill the cell, for the message."""
    if param.is_switch:
        return f"请选择“{YES}”或“{NO}”，或留空采用{_packaged(param)}"
    if param.choices:
        return f"请从下拉列表选择（{'、'.join(param.choices)}），或留空采用{_packaged(param)}"
    if param.percent:
        return f"请填写 0% 到 100% 之间的百分数，如 {param.shown()}，或留空采用{_packaged(param)}"
    bounds = ""
    if param.low is not None and param.high is not None:
        bounds = f" {param.shown(param.low)} 到 {param.shown(param.high)} 之间的"
    elif param.low is not None:
        bounds = f"不小于 {param.shown(param.low)} 的"
    kind = "整数" if param.integer else "数字"
    return f"请填写{bounds}{kind}，如 {param.shown()}，或留空采用{_packaged(param)}"


def _packaged(param: Param) -> str:
    return f"{'本系统默认' if param.default else '制度'}取值 {param.shown()}"


def _overrides(rows: Iterable[HolidayRow], problems: list[Problem]) -> list[tuple[CalendarOverride, str]]:
    out: list[tuple[CalendarOverride, str]] = []
    seen: dict[date, str] = {}
    for row in rows:
        cell = row.cells.get
        if is_blank(row.day) and is_blank(row.kind):
            if not (is_blank(row.note) and is_blank(row.notice)):
                problems.append(Problem(HOLIDAY_SHEET, cell("day", ""), "日期为空：请填写日期，或清空这一行"))
            continue
        day = _day(row.day)
        if day is None:
            problems.append(Problem(HOLIDAY_SHEET, cell("day", ""), f"日期“{quote(row.day)}”不是日期：请填写如 2027-01-01 的日期"))
            continue
        kind = "" if is_blank(row.kind) else normalize_text(row.kind)
        if kind not in (REST, WORK, RESTDAY, WORKDAY):
            problems.append(Problem(HOLIDAY_SHEET, cell("kind", ""), f"{day:%Y-%m-%d} 的“休/班”“{quote(row.kind)}”无效：放假日选“{REST}”，调休上班日选“{WORK}”"))
            continue
        if day in seen:
            problems.append(Problem(HOLIDAY_SHEET, cell("day", ""), f"{day:%Y-%m-%d} 出现了两次（另一行在 {seen[day]}）：请删除其中一行"))
            continue
        seen[day] = cell("day", "")
        workday = kind in (WORK, WORKDAY)
        out.append((CalendarOverride(day, WORKDAY if workday else RESTDAY, "" if is_blank(row.note) else str(row.note),
                                     "" if is_blank(row.notice) else str(row.notice)), cell("day", "")))
    return out


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = normalize_text(value).replace("/", "-").replace(".", "-")
        text = re.sub(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$", r"\1-\2-\3", text)
        try:
            y, m, d = (int(x) for x in text.split("-"))
            return date(y, m, d)
        except ValueError:
            return None
    return None


def _years(rows: Iterable[YearRow], problems: list[Problem]) -> dict[int, tuple[str, str]]:
    out: dict[int, tuple[str, str]] = {}
    for row in rows:
        cell = row.cells.get("year", "")
        if is_blank(row.year):
            if not is_blank(row.notice):
                problems.append(Problem(YEAR_SHEET, cell, "年度为空：请填写年度（如 2027），或清空这一行"))
            continue
        year = row.year
        if isinstance(year, str) and normalize_text(year).rstrip("年").isdigit():
            year = int(normalize_text(year).rstrip("年"))
        if isinstance(year, bool) or not isinstance(year, int | float) or float(year) != int(year) or not 2000 <= int(year) <= 2100:
            problems.append(Problem(YEAR_SHEET, cell, f"年度“{quote(row.year)}”无效：请填写四位数的年度，如 2027"))
            continue
        year = int(year)
        if year in out:
            problems.append(Problem(YEAR_SHEET, cell, f"{year}年出现了两次（另一行在 {out[year][1]}）：请删除其中一行"))
            continue
        out[year] = ("" if is_blank(row.notice) else str(row.notice), cell)
    return out


def _check_confirmed_years(confirmed: Mapping[int, tuple[str, str]], overrides: Sequence[tuple[CalendarOverride, str]],
                           problems: list[Problem]) -> None:
    """A year confirmed without any of its notice's dates is almost surely a mistake: every
    State Council notice has holidays; confirming it would count 春节 as working days."""
    calendar = WorkCalendar()
    for year, (_, cell) in confirmed.items():
        if calendar.package_knows(year):
            continue
        if not any(o.day.year == year for o, _ in overrides):
            problems.append(Problem(YEAR_SHEET, cell, f"已确认{year}年，但“{HOLIDAY_SHEET}”表中没有{year}年的日期：请先按国务院{year}年放假通知"
                                                      f"录入全部放假日（{REST}）和调休上班日（{WORK}），再确认该年度"))


# --- the close record ------------------------------------------------------------------------------


def source_of(param: Param) -> str:
    """Where a param's value in a month's rules came from, in the listing's words."""
    if param.source:
        return param.source
    if param.default:
        return "默认"
    return "制度（暂定）" if param.provisional else "制度"


def settings_record(rules: Rules) -> dict[str, Any]:
    """What a close keeps of the settings it used (from the month's rules, `rules_for`):
    every param's value (JSON: bool, number, text) and where it came from, and the office's
    part of the calendar, so a re-close of the month computes with exactly these
    (`rules_from_record`)."""
    calendar = rules.work_calendar
    return {
        "月份": rules.month,
        "参数": {key: {"项目": p.name, "值": p.value, "显示": p.shown(), "来源": source_of(p)} for key, p in rules.params.items()},
        "放假安排": [[f"{o.day:%Y-%m-%d}", REST if o.kind == RESTDAY else WORK, o.note, o.notice] for o in calendar.entries.values()],
        "已确认年度": {str(y): getattr(calendar, "notices", {}).get(y, "") for y in sorted(calendar.confirmed_years)},
    }


def rules_from_record(record: Mapping[str, Any], rules: Rules | None = None) -> Rules:
    """The rules a close computed with, from its record (`settings_record`): a forced re-close
    reproduces the month's scores after the office changed its settings.

    A param the record does not hold (added to the package after that close) keeps the
    packaged value; a recorded param the package no longer has is skipped."""
    rules = rules or load_rules()
    values = {}
    sources = {}
    for key, entry in (record.get("参数") or {}).items():
        if key in rules.params and isinstance(entry, Mapping) and "值" in entry:
            values[key] = entry["值"]
            if str(entry.get("来源") or "").startswith("本单位"):
                sources[key] = str(entry["来源"])
    overrides = []
    for item in record.get("放假安排") or []:
        day, kind, note, notice = (list(item) + ["", "", "", ""])[:4]
        overrides.append(CalendarOverride(date.fromisoformat(day), WORKDAY if kind == WORK else RESTDAY, note, notice))
    years = {int(y): n for y, n in (record.get("已确认年度") or {}).items()}
    return rules.with_values(values, sources, calendar=WorkCalendar(overrides, years), month=str(record.get("月份") or rules.month))

