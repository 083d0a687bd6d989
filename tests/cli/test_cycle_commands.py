"""`xinao-xl handout`, `collect`, `allowance-form`: the assessment cycle from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.services.month import MONTH, NOW, build_month
from xinao_xl.books import self_assessment
from xinao_xl.cli import main


def test_handout_collect_and_the_allowance_form(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build_month(tmp_path)
    assert main(["collect", MONTH, "--dir", str(tmp_path)]) == 2  # not handed out: refused in Chinese
    assert "尚未发放" in capsys.readouterr().err
    assert main(["handout", MONTH, "--dir", str(tmp_path), "--now", NOW.isoformat()]) == 0
    assert "已发放 2026-11 自评表 7 份" in capsys.readouterr().out
    path = tmp_path / MONTH / "自评" / "计财部_自评.xlsx"
    wb = load_workbook(path)
    wb[self_assessment.SHEET]["E5"] = -3  # 预算书编制 in days: below 0
    wb.save(path)
    assert main(["collect", MONTH, "--dir", str(tmp_path)]) == 1  # an 错误: exit code 1
    out = capsys.readouterr().out
    assert "[错误] 计财部_自评.xlsx 自评!E5" in out and "有错误未收集（请部门改正后重新交回）：计财部" in out
    assert main(["allowance-form", MONTH, "--dir", str(tmp_path)]) == 2
    assert "尚未结账" in capsys.readouterr().err
    assert main(["close", MONTH, "--dir", str(tmp_path), "--yes", "--now", NOW.isoformat()]) == 0
    capsys.readouterr()
    assert main(["allowance-form", MONTH, "--dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip().endswith("2026-11_服务津贴申请.xlsx")
