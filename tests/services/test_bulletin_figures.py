"""The 服务通报's figures (回访办法 五.6(2)) as the close writes them: every cell of the
sheet's tables worked out by hand from tests/services/hand_month.py, and the month's
counts (`month_counts`, made from the month's rows at the close, issue 16) turned into the
same tables as the period report's queries give once the close has written the month to
the store: on the hand month and on a synthetic one with every kind of row."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook
from pandas.testing import assert_frame_equal

from xinao_xl.books import callback_ledger
from xinao_xl.books.bulletin import SHEET
from xinao_xl.books.closing import CARRIED
from xinao_xl.books.month_folder import OUT_DIR
from xinao_xl.books.workbooks import file_name
from xinao_xl.books.writer import write_record
from xinao_xl.history import figures as F
from xinao_xl.history import queries as Q
from xinao_xl.history.store import HistoryStore, company_name
from xinao_xl.services import history
from xinao_xl.services.bulletin import month_counts
from xinao_xl.services.close import close_month
from xinao_xl.services.month_books import MonthBooks
from xinao_xl.services.sample_data import SampleSize, make_sample_month

from . import hand_month as H
from .test_bulletin import LINES


def test_every_cell_of_the_tables_by_hand(tmp_path: Path) -> None:
    H.build(tmp_path)
    close_month(H.MONTH, tmp_path, user="测试员", now=H.NOW)
    ws = load_workbook(tmp_path / H.MONTH / OUT_DIR / f"{H.MONTH}_客户回访报告.xlsx")[SHEET]
    rows = [tuple(c.value for c in row if c.value is not None) for row in ws.iter_rows(min_row=4 + len(LINES))]
    assert [r for r in rows if r] == [
        ("一、各业务回访满意率",),
        ("业务类型", "回访量", "满意", "不满意", "满意率"),
        # 维修: calls 6, 7, 8 满意, 9 未接通 (no valid callback) → 3 valid, 3 / 3 = 100 %
        ("维修", 3, 3, 0, 1.0),
        # 安检: calls 10, 11 不满意 → 2 valid, 0 / 2
        ("安检", 2, 0, 2, 0.0),
        # 零散: calls 1-4 满意, 5 不满意 → 5 valid, 4 / 5 = 80 %
        ("零散", 5, 4, 1, 0.8),
        # 3 + 2 + 5 = 10 valid, 3 + 0 + 4 = 7 满意, 0 + 2 + 1 = 3 不满意, 7 / 10
        ("合计", 10, 7, 3, 0.7),
        ("二、不满意原因",),
        ("不满原因", "次数", "责任部门（次数）"),
        # one 不满意 each; equal counts by reason: "=" (U+003D) < 停 (U+505C) < 服 (U+670D)
        (H.EQ_REASON, 1, "客服部 1"),  # call 5, 客服部
        ("停气通知不到位", 1, "管网部 1"),  # call 10, 管网部
        ("服务态度差", 1, "客服部 1"),  # call 11, 客服部
        ("三、流转单反馈（两个自然日内，回访办法六.1）",),
        ("责任部门", "流转单", "超时反馈或未反馈"),
        # 客服部: LZ001 answered 11-13 09:00, due 11-12 24:00 (late); LZ003 answered 11-21, due 11-22 (in time)
        ("客服部", 2, 1),
        # 管网部: LZ002 opened 11-28 15:00, due 11-30 24:00, still open on 12-03 09:00: late
        ("管网部", 1, 1),
        ("合计", 3, 2),
    ]


def _agree(root: Path, month: str, now: datetime) -> None:
    """`month_counts` before the close, the store's queries after it: the same tables."""
    mb = MonthBooks.open(root, month, as_of=now, rules=H.RULES)
    counts = month_counts(mb)
    close_month(month, root, user="测试员", now=now, force=True, reason="合成数据")
    company = company_name()
    with HistoryStore(str(root / "历史库.sqlite")) as st, st.engine.connect() as conn:
        # the plain rows the 通报 is made of, and the period report's frames from the same counts
        assert F.types_rows(counts.callbacks, counts.completed, H.RULES) == F.callbacks_by_type_rows(conn, [month], company, H.RULES)
        assert_frame_equal(Q.types_table(Q.frame_of(counts.callbacks, F.CALLBACK_COUNTS), counts.completed, H.RULES),
                           Q.callbacks_by_type(conn, [month], company, H.RULES))
        stored = Q.unsatisfied_reasons(conn, [month], company)
        assert sorted(counts.reasons, key=str) == sorted(stored.itertuples(index=False, name=None), key=str)
        flows = Q.late_flows(conn, [month], company, H.RULES)
        assert F.late_flow_rows(counts.flows, [month], H.RULES) == flows.to_dict("records")
        assert_frame_equal(Q.late_flows_table(Q.frame_of(counts.flows, F.FLOW_COUNTS), [month], H.RULES), flows)


def test_the_counts_are_what_the_store_queries_give_on_the_hand_month(tmp_path: Path) -> None:
    """With two rows carried from October (a 不满意 call with a late flow form, and a
    满意 one in a business type the rules do not know): in the store, not in the figures."""
    H.build(tmp_path)
    path = tmp_path / H.MONTH / file_name(callback_ledger.STEM, H.MONTH)
    wb = load_workbook(path)
    first = H.LEDGER.first_row + len(H.CALLS)
    write_record(wb[H.LEDGER.name], H.LEDGER, first, H.call(12, 2, "安检", "不满意", reason="十月的原因", flow="是", flow_no="LZ000",
                                                             flow_date=H.t(28, month=10), call_date=date(2026, 10, 28), done_date=date(2026, 10, 27), note=CARRIED))
    write_record(wb[H.LEDGER.name], H.LEDGER, first + 1, H.call(13, 2, "十月业务", "满意", call_date=date(2026, 10, 29), done_date=date(2026, 10, 28), note=CARRIED))
    wb.save(path)
    mb = MonthBooks.open(tmp_path, H.MONTH, as_of=H.NOW, rules=H.RULES)
    assert [f["in_month"] for f in history.callback_figure_rows(mb)] == [True] * 11 + [False, False]
    _agree(tmp_path, H.MONTH, H.NOW)


def test_the_counts_are_what_the_store_queries_give_on_a_synthetic_month(tmp_path: Path) -> None:
    """300 generated callbacks: every business type, results including 未接通 and 拒访,
    carried rows of the month before (not in the month: not counted), flow forms on time,
    late and open."""
    now = datetime(2026, 12, 3, 9)
    make_sample_month("2026-11", tmp_path, SampleSize(callbacks=300, complaints=10), seed=5, now=now)
    _agree(tmp_path, "2026-11", now)


def _figures_by_row(mb: MonthBooks, r: dict[str, object]) -> dict[str, object]:
    """A callback's figures as they were made before issue 16, one record at a time: the
    columns (`history.callback_figure_columns`) must give exactly these."""
    result = mb.result(r)
    reason = r.get("reason")
    return {"in_month": mb.month.contains(r.get("call_date")), "business": mb.business(r.get("business")), "result": result,
            "satisfied": result == mb.rules.callback_satisfied, "unsatisfied": result == mb.rules.callback_unsatisfied,
            "reason": None if reason is None or not str(reason).strip() else str(reason).strip(), "dept": mb.dept(r.get("dept"))}


def test_the_callback_figures_are_made_once_by_columns(tmp_path: Path, monkeypatch) -> None:
    """The hand month's 11 callbacks and an October row (a 不满意 carried over): the figures by
    columns equal those made row by row, and are made once for the bulletin and the store's
    rows; the 台账's business types (零散 ×5, 维修 ×4, 安检 ×3: 12 rows) are each read once."""
    H.build(tmp_path)
    path = tmp_path / H.MONTH / file_name(callback_ledger.STEM, H.MONTH)
    wb = load_workbook(path)
    write_record(wb[H.LEDGER.name], H.LEDGER, H.LEDGER.first_row + len(H.CALLS), H.call(12, 2, "安检", "不满意", reason=" 十月的原因 ",
                                                                                         call_date=date(2026, 10, 28), done_date=date(2026, 10, 27), note=CARRIED))
    wb.save(path)
    mb = MonthBooks.open(tmp_path, H.MONTH, as_of=H.NOW, rules=H.RULES)
    read: list[object] = []
    real = mb._business
    monkeypatch.setattr(mb, "_business", lambda v: read.append(v) or real(v))
    rows = list(history.callback_figure_rows(mb))
    assert rows == [_figures_by_row(mb, r) for r in mb.ledger.records()]
    assert [r["in_month"] for r in rows] == [True] * 11 + [False]
    assert rows[-1]["reason"] == "十月的原因" and rows[-1]["unsatisfied"]
    assert sorted(read) == ["安检", "维修", "零散"]  # 3 distinct values of 12 rows
    assert history.callback_figure_columns(mb) is history.callback_figure_columns(mb)  # the bulletin's are the store's
    counts = month_counts(mb)  # 满意 零散 4 + 维修 3; 不满意 零散 1 + 安检 2; 未接通 维修 1: the October row not counted
    assert sorted(counts.callbacks) == sorted([(H.MONTH, "零散", "满意", 4), (H.MONTH, "零散", "不满意", 1), (H.MONTH, "维修", "满意", 3),
                                               (H.MONTH, "维修", "未接通", 1), (H.MONTH, "安检", "不满意", 2)])
    stored = [(r["business"], r["result"], r["reason"], r["dept"]) for r in history.callback_records(mb)]
    assert stored == [(r["business"], r["result"], r["reason"], r["dept"]) for r in rows]


def test_a_text_column_of_the_store_is_the_text_stripped_or_none() -> None:
    """`history._s`'s shortcut for text: blank (empty, spaces, a full-width space, a tab)
    is None, other text stripped, as `is_blank` then ``str.strip`` give it; other values as before."""
    from xinao_xl.policy.parse import is_blank

    values = ["", " ", "\u3000", "\t\n", " 停气 ", "态度差", "\u3000不满\u3000", 12, 1.5, float("nan"), None, date(2026, 11, 3)]
    assert [history._s(v) for v in values] == [None if is_blank(v) else str(v).strip() for v in values]
    assert [history._s(v) for v in values[:7]] == [None, None, None, None, "停气", "态度差", "不满"]
