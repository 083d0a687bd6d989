"""回访办法 六.2: each callback agent's record in the 回访报告, recomputed by hand.

The clean month's 台账 has four callbacks by 孙雪燕 (rows 3–6: on time, the 不满意 of row 4
passed on the same day as the call, every field filled). Added here: four by 王芳, one
without a 回访人, one of October's."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook

from tests.services.month import LEDGER, MONTH, NOW, build_month
from xinao_xl.books import callback_ledger
from xinao_xl.books.report import AGENTS
from xinao_xl.books.writer import write_record
from xinao_xl.services.agents import INCOMPLETE, NO_AGENT, agent_stats
from xinao_xl.services.month_books import MonthBooks
from xinao_xl.services.report import make_report

ADDED = {
    # 完工 11-05, 回访 11-12: 7 days > 3 → 超过3日回访
    7: {"call_date": date(2026, 11, 12), "business": "维修", "done_date": date(2026, 11, 5), "customer": "甲", "phone": "13900000020", "agent": "王芳", "result": "满意"},
    # no phone; 不满意 without 不满原因 and without 流转 → 3 kinds, 1 incomplete row
    8: {"call_date": date(2026, 11, 13), "business": "维修", "done_date": date(2026, 11, 12), "customer": "乙", "agent": "王芳", "result": "不满意"},
    # called 11-14, 流转日期 11-16 → 流转不及时 (not the day of the call)
    9: {"call_date": date(2026, 11, 14), "business": "安检", "done_date": date(2026, 11, 13), "customer": "丙", "phone": "13900000021", "agent": "王芳",
        "result": "不满意", "reason": "态度差", "flow": "是", "flow_no": "LZ009", "flow_date": datetime(2026, 11, 16, 9)},
    # no 回访结果, no 业务类型, no 完工日期 → 3 kinds, 1 incomplete row (and no lateness: no completion day)
    10: {"call_date": date(2026, 11, 15), "customer": "丁", "phone": "13900000022", "agent": "王芳"},
    # no 回访人: counted under 未填回访人, an incomplete row by itself
    11: {"call_date": date(2026, 11, 16), "business": "维修", "done_date": date(2026, 11, 15), "customer": "戊", "phone": "13900000023", "result": "满意"},
    # October's call: not this month's
    12: {"call_date": date(2026, 10, 30), "business": "维修", "done_date": date(2026, 10, 29), "customer": "己", "phone": "13900000024", "agent": "王芳", "result": "满意"},
}


def _month(root: Path) -> None:
    folder = build_month(root)
    path = folder / f"{MONTH}_{callback_ledger.STEM}.xlsx"
    wb = load_workbook(path)
    for r, values in ADDED.items():
        write_record(wb[LEDGER.name], LEDGER, r, values)
    wb.save(path)


def test_each_agents_record_recomputed_by_hand(tmp_path: Path) -> None:
    _month(tmp_path)
    stats = {a.agent: a for a in agent_stats(MonthBooks.open(tmp_path, MONTH, as_of=NOW))}
    assert list(stats) == ["孙雪燕", "王芳", NO_AGENT, "合计"]
    kinds = dict(zip(INCOMPLETE, range(len(INCOMPLETE)), strict=True))

    s = stats["孙雪燕"]  # rows 3-6: 4 calls, nothing missing, nothing late
    assert (s.calls, s.incomplete, s.by_kind, s.late_calls, s.late_flows) == (4, 0, (0,) * 6, 0, 0)

    w = stats["王芳"]  # rows 7-10 (row 12 is October's): 4 calls; rows 8 and 10 incomplete
    assert (w.calls, w.incomplete, w.late_calls, w.late_flows) == (4, 2, 1, 1)
    assert w.by_kind[kinds["客户电话未填"]] == 1 and w.by_kind[kinds["不满意未填原因"]] == 1 and w.by_kind[kinds["不满意未流转"]] == 1  # row 8
    assert w.by_kind[kinds["回访结果未填"]] == 1 and w.by_kind[kinds["业务类型未填"]] == 1 and w.by_kind[kinds["完工日期未填"]] == 1  # row 10

    n = stats[NO_AGENT]  # row 11
    assert (n.calls, n.incomplete, n.by_kind, n.late_calls, n.late_flows) == (1, 1, (0,) * 6, 0, 0)

    t = stats["合计"]  # 4 + 4 + 1 calls; 0 + 2 + 1 incomplete
    assert (t.calls, t.incomplete, t.by_kind, t.late_calls, t.late_flows) == (9, 3, (1,) * 6, 1, 1)


def test_the_report_has_the_agents_sheet(tmp_path: Path) -> None:
    _month(tmp_path)
    path = make_report(MONTH, tmp_path, now=NOW)
    ws = load_workbook(path)[AGENTS]
    header = [c.value for c in ws[2]]
    assert header == ["回访人", "回访条数", "信息不齐全行数", *INCOMPLETE, "超过3日回访", "流转不及时"]
    rows = {r[0]: r[1:] for r in ws.iter_rows(min_row=3, max_row=6, values_only=True)}
    assert rows["王芳"] == (4, 2, 1, 1, 1, 1, 1, 1, 1, 1)
    assert rows["合计"][0] == 9
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("不打分" in t for t in texts) and not any("得分" in t for t in header)


def _by_rows(mb: MonthBooks) -> list[tuple[object, ...]]:
    """The agents' records as they were counted before issue 16, one record per row: the
    column-wise `agent_stats` must give exactly these."""
    from xinao_xl.policy.callbacks import callback_late
    from xinao_xl.policy.parse import is_blank, parse_bool

    def day(v: object) -> object:
        return v.date() if isinstance(v, datetime) else v if isinstance(v, date) else None

    rows: dict[str, list[object]] = {}
    for rec in mb.calls():
        name = "" if is_blank(rec.get("agent")) else str(rec["agent"]).strip()
        row = rows.setdefault(name or NO_AGENT, [0, 0, [0] * 6, 0, 0])
        result = mb.result(rec)
        unsat = result == mb.rules.callback_unsatisfied
        flowed = not is_blank(rec.get("flow")) and parse_bool(rec["flow"]) and not is_blank(rec.get("flow_no"))
        found = [not result, is_blank(rec.get("phone")), is_blank(rec.get("business")), day(rec.get("done_date")) is None,
                 unsat and is_blank(rec.get("reason")), unsat and not flowed]
        row[0] += 1
        row[1] += any(found) or not name
        row[2] = [n + bool(g) for n, g in zip(row[2], found, strict=True)]
        done, called, flow_day = day(rec.get("done_date")), day(rec.get("call_date")), day(rec.get("flow_date"))
        row[3] += done is not None and callback_late(done, called, mb.rules)
        row[4] += flow_day is not None and flow_day > called
    return [(a, r[0], r[1], tuple(r[2]), r[3], r[4]) for a, r in rows.items()]


def test_the_columns_count_what_the_rows_count(tmp_path: Path) -> None:
    """`agent_stats` reads the 台账 by columns (issue 16): on the month above, row by row
    gives the same records — 孙雪燕 4 calls; 王芳 4 calls, rows 8 and 10 incomplete, row 7
    late (11-12 − 11-05 = 7 > 3 days), row 9's flow form late (11-16 > 11-14); 1 without
    回访人 — and the 合计 adds them up: 4 + 4 + 1 = 9 calls, 0 + 2 + 1 = 3 incomplete."""
    _month(tmp_path)
    mb = MonthBooks.open(tmp_path, MONTH, as_of=NOW)
    stats = agent_stats(mb)
    expected = _by_rows(mb)
    assert [(a.agent, a.calls, a.incomplete, a.by_kind, a.late_calls, a.late_flows) for a in stats[:-1]] == expected
    assert [(a[0], a[1], a[2], a[4], a[5]) for a in expected] == [("孙雪燕", 4, 0, 0, 0), ("王芳", 4, 2, 1, 1), (NO_AGENT, 1, 1, 0, 0)]
    total = stats[-1]
    assert (total.agent, total.calls, total.incomplete, total.late_calls, total.late_flows) == ("合计", 9, 3, 1, 1)
