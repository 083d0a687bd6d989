"""The synthetic month: deterministic for a seed, every business type and department, fake
phones, and valid for the validation service (no 错误); the completed-orders export."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from xinao_xl.books.completed_export import write_completed_export
from xinao_xl.books.imported import read_imports
from xinao_xl.books.read import BookReader
from xinao_xl.policy.rules import load_rules
from xinao_xl.services.sample_data import SampleSize, completed_orders, generate, make_sample_month
from xinao_xl.services.sampling import read_export
from xinao_xl.services.validate import validate_month

RULES = load_rules()
NOW = datetime(2026, 12, 3, 9)


def test_same_seed_same_month_other_seed_other_month() -> None:
    a, b, c = generate("2026-11", seed=5, now=NOW), generate("2026-11", seed=5, now=NOW), generate("2026-11", seed=6, now=NOW)
    assert a.callbacks == b.callbacks and a.complaints == b.complaints and a.items == b.items and a.actuals == b.actuals
    assert a.callbacks != c.callbacks


def test_realistic_spread() -> None:
    m = generate("2026-11", SampleSize(callbacks=600, complaints=40), seed=1, now=NOW)
    assert len(m.callbacks) == 600 and len({c["no"] for c in m.complaints}) == 40
    assert {c["business"] for c in m.callbacks} == {b.name for b in RULES.business_types}
    assert {c["result"] for c in m.callbacks} == set(RULES.callback_valid) | set(RULES.callback_invalid)
    assert all(c["phone"].startswith("139") and len(c["phone"]) == 11 for c in m.callbacks)
    assert len({c["phone"] for c in m.callbacks}) == 600
    flows = [c for c in m.callbacks if c.get("flow") == "是"]
    assert flows and all(c["result"] == "不满意" for c in flows)
    assert any(c.get("feedback_date") is None for c in flows)  # still open: carried over
    assert {c["channel"] for c in m.complaints} == {"400", "95158", "市长热线", "其他"}
    assert any(c["major"] for c in m.complaints) and any(c["resp"] == "无责" and c["reason"] for c in m.complaints)
    assert any(c.get("closed") is None for c in m.complaints)
    # complaints and late flow forms are not typed in 加减分明细 (issue 12): the 汇入 takes them
    assert {i["type"] for i in m.items} == {"表扬", "媒体表扬", "手工扣分"}


def test_the_complaints_course() -> None:
    """投诉 第七条 in the synthetic month: a rejected round followed by its next round (same
    complaint and department, below it), callback results, an outsourced provider's complaint,
    a special termination of a 无责 complaint, a re-assignment and a piece of evidence."""
    m = generate("2026-11", SampleSize(callbacks=60, complaints=40), seed=1, now=NOW)
    rows = m.complaints
    i = next(n for n, c in enumerate(rows) if c.get("review") == "驳回")
    first, second = rows[i], rows[i + 1]
    assert (first["no"], first["dept"]) == (second["no"], second["dept"]) and first.get("closed") is None and second.get("closed")
    assert second["inv_done"] > first["review_at"]  # the second round starts at the rejection
    assert all(c.get("callback") for c in rows if c.get("revisit_done"))
    assert all(c["callback"] == "满意" for c in rows if str(c.get("reason") or "").startswith("2.") and c.get("callback"))
    assert [c["resp_kind"] for c in rows if c.get("resp_kind")] == ["外包服务方"]
    [ended] = [c for c in rows if c.get("term_status")]
    assert ended["resp"] == "无责" and ended["term_status"] == "已批准" and ended["term_approved"] > ended["term_applied"]
    assert [r["way"] for r in m.reassignments] == ["调整部门"] and m.evidence[0]["_link"].startswith("证据/")


def test_written_month_has_a_current_imports_sheet(tmp_path: Path) -> None:
    """The generated 考核表's 汇入 holds the recount of its ledgers (the last step is a refresh)."""
    m = make_sample_month("2026-11", tmp_path, seed=3, now=NOW)
    findings = validate_month(m.folder, now=NOW)
    assert not [f for f in findings if f.sheet == "汇入"]
    reader = BookReader(m.paths["服务绩效考核表"])
    held = read_imports(reader.rows("汇入"), RULES)
    assert held is not None and held.as_of == NOW
    # every generated complaint is in the month, and each row counts once except the rejected
    # round above its next round (投诉 第七条(二)3): rows - 1 complaint rows in the 汇入
    rejected = [c for c in m.complaints if c.get("review") == "驳回"]
    assert len(rejected) == 1 and len(held.complaints) == len(m.complaints) - 1
    assert [c.no for c in held.complaints].count(rejected[0]["no"]) == 1


def test_written_month_validates_without_errors(tmp_path: Path) -> None:
    m = make_sample_month("2026-11", tmp_path, seed=3, now=NOW)
    findings = validate_month(m.folder, now=NOW)
    assert not [f for f in findings if f.is_error], [f.message for f in findings if f.is_error]


def test_completed_export_round_trip(tmp_path: Path) -> None:
    rows = completed_orders(date(2026, 11, 20), 30, seed=2)
    path = write_completed_export(tmp_path / "完工.xlsx", rows)
    orders = read_export(path)
    assert [o.order_no for o in orders] == [r["order"] for r in rows]
    assert orders[0].business == "表计更换" and all(o.phone.startswith("139") for o in orders)


def test_the_demo_month_holds_what_customers_and_clerks_write() -> None:
    """No text of the month a new clerk studies starts like a formula (= + - @, full-width
    too): hostile texts are the tests' (test_injection.py, tests/corpus)."""
    from xinao_xl.books.cells import looks_like_formula

    m = generate("2026-11", SampleSize(callbacks=2000, complaints=60), seed=2026, now=NOW)
    texts = [v for row in (*m.callbacks, *m.complaints, *m.items) for v in row.values() if isinstance(v, str)]
    assert len(texts) > 15000
    assert not [t for t in texts if looks_like_formula(t)]
    opinions = {c["opinion"] for c in m.callbacks if c.get("opinion")}
    assert "希望上门前电话联系" in opinions and len(opinions) >= 5


def test_the_sample_export_beside_the_demo(tmp_path: Path) -> None:
    """12-03's export: orders completed in the days before (some too old for the 3-day rule),
    a few for customers called in November, one of a type not called back."""
    from xinao_xl.services.sample_data import export_name, write_sample_export

    m = generate("2026-11", seed=2026, now=NOW)
    day = date(2026, 12, 3)
    path = write_sample_export(tmp_path, day, m.callbacks)
    assert path == tmp_path / export_name(day) == tmp_path / "完工工单_2026-12-03.xlsx"
    orders = read_export(path)
    assert len(orders) == 150
    assert {o.completed_at.date() for o in orders} <= {date(2026, 11, 28 + k) for k in range(3)} | {date(2026, 12, k) for k in (1, 2, 3)}
    assert any(o.business == "表计更换" for o in orders)
    called = {c["phone"] for c in m.callbacks}
    assert any(o.phone in called for o in orders)
