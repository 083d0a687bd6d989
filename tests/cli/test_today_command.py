"""`xinao-xl today`: the daily list as a table (deadline, time left, what, clause, workbook,
sheet, cell), exit code 0 with items and on a quiet day, a bad date refused in Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.services import daily_month as D
from xinao_xl.cli import main
from xinao_xl.services.new_month import create_month


def test_the_list_as_a_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    D.build(tmp_path)
    assert main(["today", "--dir", str(tmp_path), "--now", D.NOW.isoformat()]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("2026-11-20 今日待办 11 项：投诉 5 项，流转单 2 项，回访 4 项；其中已超时 3 项")
    assert lines[1] == "今日回访（回访 四.2，按今日抽取的工单）：维修 剩 1/2，安检 剩 1/1"
    header = lines[3].split()
    assert header == ["截止时间", "剩余时间", "事项", "依据", "工作簿", "工作表", "单元格"]
    rows = lines[5:]
    assert rows[1].startswith("2026-11-17 23:59  已超时 2天10小时") and rows[1].endswith("台账      K6")
    assert rows[-1].startswith("2026-11-21 23:59  剩 1天14小时") and rows[-1].endswith("K3")
    assert len(rows) == 11


def test_a_quiet_day_ends_with_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    create_month("2026-11", tmp_path)
    assert main(["today", "--date", "2026-11-10", "--dir", str(tmp_path)]) == 0
    assert "2026-11-10 今日无待办" in capsys.readouterr().out


def test_a_bad_date_or_no_month_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["today", "--date", "11月32日", "--dir", str(tmp_path)]) == 2
    assert "错误" in capsys.readouterr().err
    assert main(["today", "--date", "2026-11-10", "--dir", str(tmp_path)]) == 2
    assert "没有 2026-10 或 2026-11 的月份文件夹" in capsys.readouterr().err
