"""Use case: the quarterly or annual analysis report (`xinao-xl report --quarter 2026Q4`).

    result = make_period_report(parse_period("2026Q4"), Path("D:/服务考核"))
    print(result.summary())        # → D:/服务考核/报表/2026Q4_季度分析报告.xlsx

投诉办法 第十条(二) asks for monthly, quarterly and annual statistical analysis of the
complaint records database; 回访办法 五.6(2) for the analysis of the callbacks. The figures
come from the history store (`history.queries`), which every monthly close fills, so a
year's report reads one database instead of twelve months of workbooks; the workbooks stay
the source of truth (`xinao-xl history rebuild` remakes the store from them).

Months of the period that the store does not hold are named in the result and on every
sheet of the report, and the report covers the months that are there; a period with none
of its months in the store is refused (there is nothing to report).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xinao_xl.books.period_report import PeriodData, build_period_report
from xinao_xl.books.save import save_atomic
from xinao_xl.books.schema import FMT_INT, FMT_PERCENT, FMT_POINTS
from xinao_xl.history import queries as Q
from xinao_xl.history.store import HistoryError, HistoryStore, company_name, existing_url, show_url
from xinao_xl.policy.errors import XinaoError, staff_text
from xinao_xl.policy.month import Month
from xinao_xl.policy.rules import Rules, load_rules

OUT_DIR = "报表"
KIND_NAMES = {"quarter": "季度", "year": "年度", "month": "月度"}
QUARTER_NAMES = "一二三四"


class PeriodReportError(XinaoError, ValueError):
    """The report cannot be made (Chinese message)."""


@dataclass(frozen=True)
class Period:
    """A month, a quarter or a year: its label, its kind and its months in order."""

    label: str  # 2026Q4 | 2026 | 2026-11
    kind: str  # quarter | year | month
    months: tuple[str, ...]

    @property
    def title(self) -> str:
        year = self.label[:4]
        if self.kind == "quarter":
            return f"{year}年第{QUARTER_NAMES[int(self.label[-1]) - 1]}季度"
        if self.kind == "year":
            return f"{year}年度"
        return Month(self.label).title

    @property
    def file_name(self) -> str:
        return f"{self.label}_{KIND_NAMES[self.kind]}分析报告.xlsx"


def parse_period(text: str) -> Period:
    """``2026Q4`` (also ``2026-Q4``, ``2026q4``), ``2026`` or ``2026-11``."""
    t = str(text).strip().upper().replace(" ", "")
    if m := re.fullmatch(r"(\d{4})-?Q([1-4])", t):
        year, q = int(m.group(1)), int(m.group(2))
        return Period(f"{year}Q{q}", "quarter", tuple(str(m) for m in Month(f"{year}-{3 * q:02d}").back(3)))
    if m := re.fullmatch(r"(\d{4})", t):
        year = int(m.group(1))
        return Period(str(year), "year", tuple(str(m) for m in Month(f"{year}-12").back(12)))
    if (m := re.fullmatch(r"(\d{4})-(\d{1,2})", t)) and 1 <= int(m.group(2)) <= 12:
        month = f"{int(m.group(1))}-{int(m.group(2)):02d}"
        return Period(month, "month", (month,))
    raise PeriodReportError(f"无法识别的期间：{text}（季度如 2026Q4，年度如 2026，月份如 2026-11）")


@dataclass
class PeriodReportResult:
    period: Period
    path: Path
    present: tuple[str, ...]
    missing: tuple[str, ...]
    company: str
    source: str
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"{self.period.title}分析报告（{self.company}，{len(self.present)} 个月：{'、'.join(self.present)}）已写入：{self.path}"]
        if self.missing:
            lines.append(f"注意：历史库中没有 {'、'.join(self.missing)} 的数据，报告未包含这些月份（请先结账，或运行 xinao-xl history rebuild）")
        lines += [f"注意：{n}" for n in self.notes]
        return "\n".join(lines)


def period_data(conn: Any, period: Period, company: str, present: list[str], rules: Rules) -> PeriodData:
    """Every frame of the report for the months the store holds (`present`)."""
    frames: dict[str, Any] = {f"complaints_by_{by}": Q.complaints_by(conn, present, company, by, rules) for by in ("level", "channel", "dept", "major", "resp")}
    frames["sla"] = Q.sla(conn, present, company, rules)
    frames["repeats"] = Q.repeat_complaints(conn, present, company, rules)
    for key in ("rejections", "terminations", "complaint_callbacks", "outside_parties"):  # 投诉 第七条
        frames[key] = getattr(Q, key)(conn, present, company, rules)
    counts = Q.callback_counts(conn, present, company)  # one pass over the period's callbacks for both
    frames["callbacks_by_type"] = Q.callbacks_by_type(conn, present, company, rules, counts)
    frames["satisfaction_trend"] = Q.satisfaction_trend(conn, list(period.months), company, rules, counts)
    frames["late_flows"] = Q.late_flows(conn, present, company, rules)
    frames["scores"] = Q.score_table(conn, present, company, "score", rules)
    frames["deductions"] = Q.score_table(conn, present, company, "deductions", rules)
    frames["deductions_by_category"] = Q.deductions_by_category(conn, present, company, rules)
    trend_months = [str(m) for m in Month(period.months[-1]).back(12)]
    frames["score_trend"] = Q.score_trend(conn, period.months[-1], company, 12, rules)
    data = PeriodData(period.label, period.title, period.months, tuple(present), frames, company=company, trend_months=tuple(trend_months))
    data.overview = overview(frames, rules)
    return data


def _total(frame: Any, column: str, empty: Any = 0) -> Any:
    """The 合计 row's value of a per-department frame (`empty` when the frame has none)."""
    if frame.empty:
        return empty
    value = frame.set_index("key").loc["合计", column]
    return empty if value is None or value != value else value


def _outside(frame: Any, kind: str) -> int:
    return int(frame.loc[frame["kind"] == kind, "rows"].sum()) if not frame.empty else 0


def overview(frames: dict[str, Any], rules: Rules | None = None) -> list[tuple[str, Any, str | None]]:
    """The 概览 sheet's key figures, from the same frames the sheets show."""
    rules = rules or load_rules()
    level = frames["complaints_by_level"]
    resp = frames["complaints_by_resp"]
    major = frames["complaints_by_major"]
    sla = frames["sla"]
    calls = frames["callbacks_by_type"].set_index("business").loc["合计"]
    flows = frames["late_flows"]
    scores = frames["scores"]
    judged = int(sla["on_time"].sum() + sla["late"].sum() + sla["open_overdue"].sum()) if not sla.empty else 0
    flow_total = flows.set_index("key").loc["合计"] if not flows.empty else None
    out: list[tuple[str, Any, str | None]] = [
        ("投诉（起）", int(level["complaints"].sum()) if not level.empty else 0, FMT_INT),
        ("投诉（部门条）", int(level["rows"].sum()) if not level.empty else 0, FMT_INT),
        ("其中有责（条）", int(resp.loc[resp["key"] == Q.RESPONSIBLE, "rows"].sum()) if not resp.empty else 0, FMT_INT),
        ("疑似重大投诉（起）", int(major.loc[major["key"] != Q.GENERAL, "complaints"].sum()) if not major.empty else 0, FMT_INT),
        ("投诉扣分合计", float(level["points"].sum()) if not level.empty else 0.0, FMT_POINTS),
        ("投诉环节按时率", int(sla["on_time"].sum()) / judged if judged else None, FMT_PERCENT),
        ("重复投诉（起）", len(frames["repeats"]), FMT_INT),
        ("审核驳回（轮）", _total(frames["rejections"], "rejected"), FMT_INT),
        ("特殊终止办结（条）", _total(frames["terminations"], "terminated"), FMT_INT),
        ("投诉回访满意率", _total(frames["complaint_callbacks"], "satisfaction", None), FMT_PERCENT),
        ("外包服务方导致的投诉（条）", _outside(frames["outside_parties"], rules.step("responsibility").word("contractor")), FMT_INT),
        ("有效回访量", int(calls["calls"]), FMT_INT),
        ("回访满意率", calls["satisfaction"], FMT_PERCENT),
        ("流转单（张）", int(flow_total["flows"]) if flow_total is not None else 0, FMT_INT),
        ("超时流转单（张）", int(flow_total["late_flows"]) if flow_total is not None else 0, FMT_INT),
    ]
    if not scores.empty:
        mean = scores.set_index("key")["平均"]
        out.append(("各部门平均得分最低", f"{mean.idxmin()} {mean.min():.2f}", None))
    return out


def make_period_report(period: Period | str, root: Path, *, db: str | None = None, company: str | None = None, out: Path | None = None,
                       rules: Rules | None = None) -> PeriodReportResult:
    """Write the period's report (see the module docstring); returns where and what it covers."""
    if isinstance(period, str):
        period = parse_period(period)
    rules = rules or load_rules()
    root = Path(root)
    url = existing_url(db, root)
    if url is None:
        raise PeriodReportError(f"没有找到历史库（{db or root / '历史库.sqlite'}）：请先结账，或运行 xinao-xl history rebuild --dir {root} 由已结账月份重建")
    company = company_name(company)
    try:
        store = HistoryStore(url)
    except HistoryError:
        raise
    except Exception as exc:  # a server that does not answer, a file that is not a database
        raise PeriodReportError(f"无法打开历史库 {show_url(url)}（{staff_text(exc)}）") from exc
    try:
        with store.engine.connect() as conn:
            present = Q.present_months(conn, period.months, company)
            if not present:
                held = Q.companies(conn)
                other = f"；历史库中的公司：{'、'.join(held)}" if held and company not in held else ""
                raise PeriodReportError(f"历史库中没有 {company} {period.title}（{'、'.join(period.months)}）任何月份的数据，未生成报告{other}")
            data = period_data(conn, period, company, present, rules)
    finally:
        store.close()
    data.source = show_url(url)
    path = save_atomic(build_period_report(data), Path(out) if out else root / OUT_DIR / period.file_name)
    return PeriodReportResult(period, path, data.present, data.missing, company, data.source)


__all__ = ["Period", "PeriodReportError", "PeriodReportResult", "make_period_report", "parse_period", "period_data"]
