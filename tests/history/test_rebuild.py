"""Two synthetic months closed one after the other write the store; `history rebuild` from
the closed folders gives exactly the same rows (row counts and a SHA-256 of the ordered rows
per table), on SQLite and on PostgreSQL; a rebuild that fails leaves the store as it was.

The months are small (80 callbacks, 6 complaints each) and the module closes them once
(about 4 s a month, mostly writing workbooks).
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from xinao_xl.books import callback_ledger, complaint_ledger
from xinao_xl.books.month_folder import MonthMissingError
from xinao_xl.books.read import BookReader
from xinao_xl.books.workbooks import file_name
from xinao_xl.cli import main
from xinao_xl.history.store import HistoryStore
from xinao_xl.policy.rules import load_rules
from xinao_xl.services import history
from xinao_xl.services.close import close_month
from xinao_xl.services.sample_data import SampleSize, make_sample_month

CO = "聊城新奥燃气"
MONTHS = {"2026-10": datetime(2026, 11, 4, 9, 30, 0), "2026-11": datetime(2026, 12, 3, 16, 45, 12)}
SIZE = SampleSize(callbacks=80, complaints=6)


@pytest.fixture(scope="module")
def closed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The months generated and closed in order; each close writes 历史库.sqlite in the root."""
    root = tmp_path_factory.mktemp("closed")
    for month, now in MONTHS.items():
        make_sample_month(month, root, SIZE, seed=7, now=now)  # replaces the blank set the previous close made
        result = close_month(month, root, now=now, user="测试员", force=True, reason="合成数据", db=str(root / "历史库.sqlite"))
        assert result.history is not None and result.history.counts["months"] == 1
    return root


@pytest.fixture(scope="module")
def as_closed(closed: Path) -> dict[str, tuple[int, str]]:
    with HistoryStore(str(closed / "历史库.sqlite")) as st:
        return st.fingerprint(CO)


def ledger_rows(root: Path, month: str, stem: str) -> int:
    spec = callback_ledger.ledger_sheet() if stem == callback_ledger.STEM else complaint_ledger.ledger_sheet(load_rules())
    return len(BookReader(root / month / file_name(stem, month)).table(spec).records())


def test_every_close_recorded_its_month(closed: Path, as_closed: dict[str, tuple[int, str]]) -> None:
    with HistoryStore(str(closed / "历史库.sqlite")) as st:
        assert st.months(CO) == list(MONTHS)
        info = st.rows("months", CO)
        assert [r["closed_at"] for r in info] == list(MONTHS.values())
        assert all(r["forced"] and r["closed_by"] == "测试员" for r in info)
    # every 台账 and 投诉台账 row of the three folders, one store row each
    assert as_closed["callbacks"][0] == sum(ledger_rows(closed, m, callback_ledger.STEM) for m in MONTHS)
    assert as_closed["complaints"][0] == sum(ledger_rows(closed, m, complaint_ledger.STEM) for m in MONTHS)
    assert as_closed["score_cards"][0] == len(MONTHS) * 7  # seven departments a month
    assert as_closed["completed_orders"][0] == len(MONTHS) * len(load_rules().business_types)


def test_scores_in_the_store_are_the_closes_scores(closed: Path) -> None:
    import json

    with HistoryStore(str(closed / "历史库.sqlite")) as st:
        cards = {(r["month"], r["dept"]): r for r in st.rows("score_cards", CO)}
        items = st.rows("score_items", CO, ["2026-11"])
    for month in MONTHS:
        record = json.loads((closed / month / f"{month}_结账记录.json").read_text(encoding="utf-8"))
        for dept, s in record["得分"].items():
            assert (cards[(month, dept)]["score"], cards[(month, dept)]["deductions"]) == (s["月度服务得分"], s["扣分合计"])
    for dept in {r["dept"] for r in items}:  # the lines add up to the card: 100 − deductions + bonuses
        card = cards[("2026-11", dept)]
        lines = [r["points"] for r in items if r["dept"] == dept]
        assert round(-sum(p for p in lines if p < 0), 2) == card["deductions"]
        assert round(sum(p for p in lines if p > 0), 2) == card["bonuses"]


def test_rebuild_gives_the_same_rows(closed: Path, as_closed: dict[str, tuple[int, str]], db_url: str) -> None:
    first = history.rebuild(closed, db=db_url)
    assert first.months == list(MONTHS)
    assert first.fingerprint == as_closed  # row counts and SHA-256 of the ordered rows, table by table
    again = history.rebuild(closed, db=db_url)  # over a full store: replaced, not doubled
    assert again.fingerprint == as_closed


def test_a_failed_rebuild_leaves_the_store(closed: Path, tmp_path: Path, db_url: str) -> None:
    root = tmp_path / "root"
    shutil.copytree(closed, root)
    history.rebuild(root, db=db_url)
    (root / "2026-12" / "已结账.txt").write_text("2027-01-04 09:00（测试员）\n", encoding="utf-8")
    (root / "2026-12" / file_name(complaint_ledger.STEM, "2026-12")).unlink()  # a closed folder without its 投诉台账
    with pytest.raises(MonthMissingError):
        history.rebuild(root, db=db_url)
    with HistoryStore(db_url) as st:
        assert st.fingerprint(CO) == history.rebuild(closed, db=str(tmp_path / "参照.sqlite")).fingerprint


def test_a_reclose_writes_the_given_database(closed: Path, tmp_path: Path, db_url: str) -> None:
    """Closing again (PostgreSQL or SQLite by --db) replaces the month with the same rows."""
    root = tmp_path / "root"
    shutil.copytree(closed, root)
    result = close_month("2026-11", root, now=MONTHS["2026-11"], user="测试员", force=True, reason="复核", db=db_url)
    assert result.history is not None and "历史库" in result.summary()
    with HistoryStore(db_url) as st, HistoryStore(str(closed / "历史库.sqlite")) as ref:
        for table in ("callbacks", "complaints", "flow_forms", "score_cards", "score_items", "praise", "completed_orders"):
            assert st.rows(table, CO, ["2026-11"]) == ref.rows(table, CO, ["2026-11"]), table


def test_a_close_that_fails_before_its_marker_leaves_the_store_as_it_was(closed: Path, tmp_path: Path, db_url: str,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The store gets the month after the marker (its rows may be made before, while a second
    process builds outputs): a close that fails writing the marker leaves the store without
    the month, and the month not closed; run again, the month is there as the first close
    wrote it."""
    from xinao_xl.books.month_folder import MonthFolder

    root = tmp_path / "root"
    shutil.copytree(closed, root)
    history.rebuild(root, db=db_url)
    with HistoryStore(db_url) as st:
        st.delete_month(CO, "2026-11")
        before = st.fingerprint(CO)
    (root / "2026-11" / "已结账.txt").unlink()

    def marker_fails(self: MonthFolder, *args: object) -> None:
        raise OSError("写入标记失败（测试）")

    monkeypatch.setattr(MonthFolder, "mark_closed", marker_fails)
    with pytest.raises(OSError, match="写入标记失败"):
        close_month("2026-11", root, now=MONTHS["2026-11"], user="测试员", force=True, reason="复核", db=db_url)
    assert not (root / "2026-11" / "已结账.txt").exists()
    with HistoryStore(db_url) as st:
        assert st.fingerprint(CO) == before and "2026-11" not in st.months(CO)
    monkeypatch.undo()
    result = close_month("2026-11", root, now=MONTHS["2026-11"], user="测试员", force=True, reason="复核", db=db_url)
    assert result.history is not None
    with HistoryStore(db_url) as st, HistoryStore(str(closed / "历史库.sqlite")) as ref:
        assert st.months(CO) == list(MONTHS)
        assert st.rows("callbacks", CO, ["2026-11"]) == ref.rows("callbacks", CO, ["2026-11"])


def test_a_store_that_cannot_be_written_is_a_note(closed: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    shutil.copytree(closed, root)
    result = close_month("2026-11", root, now=MONTHS["2026-11"], force=True, reason="复核", db="postgresql://nobody@127.0.0.1:1/none")
    assert result.history is None
    assert any(n.startswith("历史库未写入") and "history rebuild" in n for n in result.notes)
    assert (root / "2026-11" / "已结账.txt").exists()


def test_history_commands(closed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XINAO_XL_DB", raising=False)
    db = str(tmp_path / "命令.sqlite")
    assert main(["history", "rebuild", "--dir", str(closed), "--db", db]) == 0
    out = capsys.readouterr().out
    assert "已按 2 个已结账月份重建" in out and "callbacks" in out
    assert main(["history", "status", "--dir", str(closed), "--db", db]) == 0
    out = capsys.readouterr().out
    assert "2026-10、2026-11" in out
    assert main(["history", "status", "--dir", str(tmp_path)]) == 0
    assert "不存在" in capsys.readouterr().out
