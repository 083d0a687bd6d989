"""The 服务通报 summary (回访办法 五.6(2)) on the hand-typed month: every sentence worked out
by hand from tests/services/hand_month.py, the comparison with last month from the store,
and the sheet the close adds to the 回访报告."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from xinao_xl.books.bulletin import SHEET
from xinao_xl.books.month_folder import OUT_DIR
from xinao_xl.history.store import HistoryStore
from xinao_xl.services.bulletin import month_bulletin
from xinao_xl.services.close import close_month
from xinao_xl.services.month_books import MonthBooks

from . import hand_month as H

# 11 callbacks: 零散 4 满意 1 不满意, 维修 3 满意 1 未接通, 安检 2 不满意
#   → valid 7 + 3 = 10, rate 7 / 10; 安检 0 / 2 is the lowest
# flow forms: LZ001 客服部 answered 11-13 09:00 > 11-12 24:00 (late), LZ002 管网部 open on 12-03
#   (late), LZ003 客服部 in time → 3 forms, 2 late
LINES = [
    "2026年11月有效回访 10 次，满意 7 次，不满意 3 次，满意率 70.00%。",
    "未接通、拒访 1 次，不计入回访量和满意率。",
    "满意率最低的业务：安检 0.00%（有效回访 2 次）。",
    f"不满意原因居前：{H.EQ_REASON} 1 次（客服部 1）；停气通知不到位 1 次（管网部 1）；服务态度差 1 次（客服部 1）。",
    "流转单 3 张，超时反馈或未反馈 2 张：客服部 1 张、管网部 1 张（每张扣 2 分，回访办法六.1）。",
]


@pytest.fixture()
def month(tmp_path: Path) -> tuple[Path, MonthBooks]:
    H.build(tmp_path)
    return tmp_path, MonthBooks.open(tmp_path, H.MONTH, as_of=H.NOW, rules=H.RULES)


def test_sentences_and_tables_by_hand(month) -> None:
    root, mb = month
    b = month_bulletin(mb, root)
    assert b.lines == LINES and b.previous is None
    types = {r["business"]: r for r in b.types}
    assert list(types) == ["维修", "安检", "零散", "合计"]  # the rules' order; types without a valid callback left out
    assert tuple(types["零散"][k] for k in ("calls", "satisfied", "unsatisfied")) == (5, 4, 1) and types["零散"]["satisfaction"] == 4 / 5
    assert [tuple(r.values()) for r in b.late_flows] == [("客服部", 2, 1), ("管网部", 1, 1), ("合计", 3, 2)]


def test_last_month_from_the_store(month) -> None:
    root, mb = month
    with HistoryStore(str(root / "历史库.sqlite")) as st:
        st.write_month("聊城新奥燃气", "2026-10", {"months": [{}], "callbacks": [
            {"row_no": 3, "call_date": date(2026, 10, 5), "in_month": True, "business": "维修", "result": "满意", "satisfied": True, "unsatisfied": False,
             "flow": False, "carried": False},
            {"row_no": 4, "call_date": date(2026, 10, 6), "in_month": True, "business": "维修", "result": "不满意", "satisfied": False, "unsatisfied": True,
             "flow": False, "carried": False}]})
    b = month_bulletin(mb, root)
    assert b.previous == "2026-10"
    # 合计 50% in October, 70% now: up 20 points; 维修 50% → 100%: +50 points
    assert b.lines[0] == "2026年11月有效回访 10 次，满意 7 次，不满意 3 次，满意率 70.00%（上月 50.00%，上升 20.00 个百分点）。"
    types = {r["business"]: r for r in b.types}
    assert (types["维修"]["previous"], types["维修"]["change"]) == (0.5, (1.0 - 0.5) * 100)
    assert types["零散"]["previous"] is None and types["零散"]["change"] is None  # none in October


def _store_october(root: Path) -> None:
    with HistoryStore(str(root / "历史库.sqlite")) as st:
        st.write_month("聊城新奥燃气", "2026-10", {"months": [{}], "callbacks": [
            {"row_no": 3, "call_date": date(2026, 10, 5), "in_month": True, "business": "维修", "result": "满意", "satisfied": True, "unsatisfied": False,
             "flow": False, "carried": False}]})


# Runs a close in a new interpreter and names every module whose code runs an ``import
# pandas`` (module level or inside a function: `__import__` is called either way, also
# when pandas is loaded already).
PANDAS_IMPORTERS = """
import builtins, json, sys
from datetime import datetime
from pathlib import Path
importers = set()
real = builtins.__import__
def watching(name, globals=None, locals=None, fromlist=(), level=0):
    if name == "pandas" or name.startswith("pandas."):
        importers.add((globals or {}).get("__name__", "?"))
    return real(name, globals, locals, fromlist, level)
builtins.__import__ = watching
from xinao_xl.services.close import close_month
result = close_month("2026-11", Path(sys.argv[1]), user="测试员", now=datetime(2026, 12, 3, 9))
assert result.notes is not None
print(json.dumps(sorted(m for m in importers if m.startswith("xinao_xl"))))
"""


def test_the_close_imports_no_pandas(month) -> None:
    """Issue 16: nothing a close runs imports pandas — the reading (column stores, not
    frames), the 回访报告, its 服务通报 (with last month from the store: the history figures'
    path), the history queries. pandas' import was a quarter of a second of every close."""
    import subprocess
    import sys

    root, _ = month
    _store_october(root)
    done = subprocess.run([sys.executable, "-c", PANDAS_IMPORTERS, str(root)], capture_output=True, text=True, timeout=300, check=True)
    importers = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert importers == set(), importers
    wb = load_workbook(root / H.MONTH / OUT_DIR / f"{H.MONTH}_客户回访报告.xlsx")
    assert "上月（2026-10）满意率" in [c.value for row in wb[SHEET].iter_rows() for c in row]  # last month was compared


def test_the_close_adds_the_sheet_to_the_report(month) -> None:
    root, _ = month
    close_month(H.MONTH, root, user="测试员", now=H.NOW)
    wb = load_workbook(root / H.MONTH / OUT_DIR / f"{H.MONTH}_客户回访报告.xlsx")
    assert wb.sheetnames[-1] == SHEET
    ws = wb[SHEET]
    assert [ws.cell(row=r, column=1).value for r in range(4, 4 + len(LINES))] == LINES
    quoted = next(c for row in ws.iter_rows() for c in row if c.value == H.EQ_REASON)
    assert quoted.data_type == "s" and quoted.quotePrefix  # staff text stays text
    assert not [c for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_the_close_builds_the_callback_records_once(month, monkeypatch: pytest.MonkeyPatch) -> None:
    """The callback records are built once in a close (issue 16), by the history write; the
    服务通报 counts only the columns the records are built on (`history.callback_figure_columns`),
    which need no customer key: each of the 台账's 11 callbacks gives one customer key, and
    each of the 投诉台账's 4 complaints one: 11 + 4 = 15 (built twice, the callbacks would
    give 2 × 11 + 4 = 26)."""
    from xinao_xl.services import history

    keys: list[object] = []
    real = history.customer_key

    def counted(*args: object) -> str:
        keys.append(args)
        return real(*args)

    monkeypatch.setattr(history, "customer_key", counted)
    root, _ = month
    result = close_month(H.MONTH, root, user="测试员", now=H.NOW)
    assert result.history is not None  # the store was written, from the same records
    assert len(H.CALLS) == 11 and len(H.COMPLAINT_ROWS) == 4
    assert len(keys) == 11 + 4
