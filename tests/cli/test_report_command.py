"""`xinao-xl report`: quarter, year and month analyses on a small hand-made store (tests/history),
the Chinese file name, the missing months named, a period or database that is not there
refused with a Chinese message and exit code 2, and --db taking a URL or a file path; and
`report --month`, the month's 客户回访报告 from its workbooks, open or closed (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.history import test_queries as T
from xinao_xl.cli import main
from xinao_xl.history import schema as S
from xinao_xl.history.store import HistoryStore


def _store(path: Path) -> Path:
    with HistoryStore(str(path)) as st, st.engine.begin() as c:
        c.execute(S.months.insert(), T._rows(S.months, [{"month": m} for m in ("2026-10", "2026-11")]))
        c.execute(S.complaints.insert(), T._rows(S.complaints, T.COMPLAINTS))
        c.execute(S.callbacks.insert(), T._rows(S.callbacks, T.CALLS))
        c.execute(S.score_cards.insert(), T._rows(S.score_cards, T.CARDS))
    return path


def test_quarter_year_and_analysis_month(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _store(tmp_path / "历史库.sqlite")
    assert main(["report", "--quarter", "2026Q4", "--dir", str(tmp_path), "--company", T.CO]) == 0
    out = capsys.readouterr().out
    assert (tmp_path / "报表" / "2026Q4_季度分析报告.xlsx").is_file()
    assert "2026年第四季度" in out and "没有 2026-12 的数据" in out
    assert main(["report", "--year", "2026", "--dir", str(tmp_path), "--company", T.CO]) == 0
    assert (tmp_path / "报表" / "2026_年度分析报告.xlsx").is_file()
    assert "没有 2026-01、2026-02" in capsys.readouterr().out
    # the monthly analysis from the store: --analysis-month (--month is the month's 回访报告)
    assert main(["report", "--analysis-month", "2026-11", "--dir", str(tmp_path), "--company", T.CO, "--out", str(tmp_path / "x.xlsx")]) == 0
    assert (tmp_path / "x.xlsx").is_file() and "没有" not in capsys.readouterr().out


def test_db_elsewhere_by_path_or_url(tmp_path: Path) -> None:
    db = _store(tmp_path / "别处.sqlite")
    work = tmp_path / "月度"
    assert main(["report", "--quarter", "2026Q4", "--dir", str(work), "--db", str(db), "--company", T.CO]) == 0
    assert main(["report", "--quarter", "2026-q4", "--dir", str(work), "--db", f"sqlite:///{db}", "--company", T.CO]) == 0
    assert (work / "报表" / "2026Q4_季度分析报告.xlsx").is_file()


def test_refusals_in_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--quarter", "2026Q4", "--dir", str(tmp_path)]) == 2
    assert "没有找到历史库" in capsys.readouterr().err
    _store(tmp_path / "历史库.sqlite")
    assert main(["report", "--quarter", "2025Q1", "--dir", str(tmp_path), "--company", T.CO]) == 2
    assert "没有 测试公司 2025年第一季度" in capsys.readouterr().err
    assert main(["report", "--quarter", "2026Q4", "--dir", str(tmp_path)]) == 2  # the default company is not in it
    assert "历史库中的公司：测试公司" in capsys.readouterr().err
    assert main(["report", "--quarter", "2026Q9", "--dir", str(tmp_path)]) == 2
    assert "无法识别的期间" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["report", "--dir", str(tmp_path)])  # one of --month, --quarter, --year, --analysis-month is required
    assert "--quarter" in capsys.readouterr().err
    assert not (tmp_path / "报表").exists()


def test_the_month_s_callback_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`report --month` on an open month (no close, no history store): the 客户回访报告 the
    生成回访报告 button writes (services/report.py), masked or shared; --callbacks is its old
    name; --share means nothing for an analysis report and is refused."""
    from tests.services import hand_month as H
    from tests.support.snapshot import snapshot, snapshot_diff
    from xinao_xl.services.report import make_report

    H.build(tmp_path / "m")
    assert not (tmp_path / "m" / "历史库.sqlite").exists() and not (tmp_path / "m" / H.MONTH / "已结账.txt").exists()
    assert main(["report", "--month", H.MONTH, "--dir", str(tmp_path / "m"), "--now", H.NOW.isoformat(), "--share"]) == 0
    path = tmp_path / "m" / H.MONTH / "结账" / f"{H.MONTH}_客户回访报告.xlsx"
    assert str(path) in capsys.readouterr().out
    same = make_report(H.MONTH, tmp_path / "m", "none", H.NOW, out=tmp_path / "button.xlsx")
    assert snapshot_diff(snapshot(same), snapshot(path)) == []
    assert main(["report", "--callbacks", H.MONTH, "--dir", str(tmp_path / "m"), "--now", H.NOW.isoformat(), "--out", str(tmp_path / "old.xlsx")]) == 0
    assert (tmp_path / "old.xlsx").is_file()
    assert main(["report", "--quarter", "2026Q4", "--dir", str(tmp_path), "--share"]) == 2
    assert "--share 只用于 --month" in capsys.readouterr().err
    assert main(["report", "--month", "2026-13", "--dir", str(tmp_path)]) == 2
    assert "月份格式应为 YYYY-MM" in capsys.readouterr().err
