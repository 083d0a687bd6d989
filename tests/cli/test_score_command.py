"""`xinao-xl score`: a sample file scored, every number recomputed by hand here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xinao_xl.cli import main

DATA = Path(__file__).parents[1] / "data"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_score_sample_file_recomputed_by_hand(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", str(DATA / "score_car_gas_2026-11.json"))
    assert code == 0
    card = json.loads(out)
    assert "车用燃气部" in out  # UTF-8, not \\u escapes
    points = {item["source"] or item["text"]: item["points"] for item in card["items"]}
    # 7.1.3: target 96% (车用燃气部's own row), actual 94.5% → 1.5 points × 2 = 3
    assert points["客户回访满意度"] == -3
    # 7.1.2: 神秘客户检测 96 ≥ 95 → 0 (no line); 加气站管理 92.5 → 2.5 × 3 = 7.5; 收款室管理 95 → 0
    assert "神秘客户检测" not in points and "收款室管理" not in points
    assert points["加气站管理"] == -7.5
    # 7.1.1: 二级 400 有责 → 25 and grade C; 12345 (市长热线) without level → 10; 95158 3级 无责 → 0
    assert points["TS-A"] == -25 and points["TS-B"] == -10 and points["TS-C"] == 0
    assert card["grade"] == "C"
    # 回访 六.1: 2 late flow forms × 2 = 4; 7.1.5 by hand 0.5
    assert points["流转单未按时反馈 2 次"] == -4
    assert points["服务体系建设相关工作"] == -0.5
    # 7.2: 1 praise × 2 = 2; media 5 + 3 = 8
    assert card["bonuses"] == 2 + 5 + 3
    # deductions 3 + 7.5 + 25 + 10 + 0 + 4 + 0.5 = 50; score 100 − 50 + 10 = 60
    assert card["deductions"] == 50
    assert card["score"] == 60
    # 8: weight 10%; 7.3: 0.10 × 60 = 6; 9: 250 × 60 / 100 = 150
    assert card["company_item"] == 6
    assert card["allowance"] == 150


def test_score_issue_example(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sample = {
        "department": "客服部", "month": "2026-11",
        "indicators": {"入户及时率": 0.46, "神秘客户检测": 93},
        "complaints": [{"level": 4, "channel": "400", "responsible": True}],
        "late_flow_forms": 1, "praise": 2, "media_praise": [4],
        "manual": [{"item": "服务体系建设", "points": 1.5}], "allowance_base": 300,
    }
    path = tmp_path / "m.json"
    path.write_text(json.dumps(sample, ensure_ascii=False), encoding="utf-8")
    code, out, _ = run(capsys, "score", str(path))
    card = json.loads(out)
    # 50% − 46% = 4 × 2 = 8; 95 − 93 = 2 × 3 = 6; 400四级 15; flow 2; manual 1.5 → 32.5
    # bonuses 2 × 2 + 4 = 8; score 100 − 32.5 + 8 = 75.5
    assert (code, card["deductions"], card["bonuses"], card["score"]) == (0, 32.5, 8, 75.5)
    # 0.15 × 75.5 = 11.325 → 11.33 (half away from zero); 300 × 75.5 / 100 = 226.5
    assert (card["company_item"], card["allowance"], card["grade"]) == (11.33, 226.5, "")


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ('{"indicators": {}}', "department"),
        ('{"department": "财务处"}', "department"),
        ('{"department": "客服部", "indicators": {"入户及时率": "abc"}}', "indicators.入户及时率"),
        ('{"department": "客服部", "indicators": {"不存在的项": 1}}', "indicators.不存在的项"),
        ('{"department": "客服部", "complaints": [{"level": "六级"}]}', "complaints[0]"),
        ('{"department": "客服部", "complaints": [{"channel": "400"}]}', "complaints[0]"),
        ('{"department": "客服部", "media_praise": [6]}', "media_praise[0]"),
        ('{"department": "客服部", "praise": -1}', "praise"),
        ('{"department": "客服部", "manual": [{"item": "x"}]}', "manual[0]"),
        ('{"department": "客服部", "month": "2026/11"}', "month"),
        ('{"department": "客服部", "bonus": 1}', "bonus"),
        ('[1, 2]', "(根)"),
        ('{"department": ', "JSON"),
    ],
)
def test_bad_input_exit_2_names_the_field(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, field: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "score", str(path))
    assert code == 2
    assert out == ""
    assert field in err and "Traceback" not in err
    assert err.startswith("错误")


def test_missing_file_is_a_chinese_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "score", str(tmp_path / "none.json"))
    assert code == 2 and "无法读取文件" in err


def test_help_is_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    out = capsys.readouterr().out
    assert exc.value.code == 0
    assert out.startswith("用法: xinao-xl") and "显示帮助并退出" in out and "命令" in out


def test_unknown_option_is_a_chinese_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["score"])
    assert exc.value.code == 2
    assert "错误: 缺少必填参数" in capsys.readouterr().err


def test_rules_table_lists_every_param_and_row(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules")
    assert code == 0
    assert "本系统默认，制度未规定" in out and "考核 7.1.1" in out
    assert "通气置换办证及时率" in out and "外网置换平均响应时间" in out


def test_score_refuses_the_same_row_under_two_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 神秘客户检测 and 控股神秘客户检测 are one row of 客服部: counted twice it was 12 points
    # (2 × (95 − 93) × 3) instead of 6
    sample = {"department": "客服部", "month": "2026-11", "indicators": {"神秘客户检测": 93, "控股神秘客户检测": 93}}
    path = tmp_path / "m.json"
    path.write_text(json.dumps(sample, ensure_ascii=False), encoding="utf-8")
    code, out, err = run(capsys, "score", str(path))
    assert code != 0 and out == ""
    assert "重复考核项" in err and "控股神秘客户检测" in err and "Traceback" not in err
