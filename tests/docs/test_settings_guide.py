"""The office manager's page (docs/制度设置说明.md) says what 制度设置.xlsx holds, and keeps saying it:
its table of every setting is the rules data's, every setting is explained, the user guide
links it, and the message it quotes is the program's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from xinao_xl.policy.rules import load_rules
from xinao_xl.policy.settings import OfficeSettings, SettingRow, setting_params

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGE = DOCS / "制度设置说明.md"
RULES = load_rules()


@pytest.fixture(scope="module")
def page() -> str:
    return PAGE.read_text(encoding="utf-8")


def test_the_table_of_settings_is_the_rules_data(page: str) -> None:
    block = page.split("<!-- all-settings -->")[1].split("<!-- /all-settings -->")[0]
    rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in block.strip().splitlines()[2:]]
    assert rows == [[p.name, p.clause, p.shown(), p.nature] for p in setting_params(RULES)]


def test_every_default_reading_and_provisional_target_is_explained_with_its_policy_words(page: str) -> None:
    explained = page.split("## 5. 全部设置项")[0]
    for p in setting_params(RULES):
        if p.default or p.provisional:
            assert f"`{p.name}`" in explained or p.name in ("月度服务得分下限", "距时限不足几天显示“即将到期”", "某类业务不足回访量时差额转给其他业务"), p.name
    for words in ("没有写“有责”二字", "依据神秘客户标准评分", "每降低一个百分点此类考核扣2分", "3个内", "应尽量避免", "(暂定)"):
        assert words in explained, words


def test_the_quoted_message_is_the_programs(page: str) -> None:
    quoted = re.search(r"  制度设置\.xlsx 制度设置!(E\d+)：(.+)", page)
    assert quoted
    row = 3 + [p.name for p in setting_params(RULES)].index("E城平台综合上门及时率标准")
    assert quoted.group(1) == f"E{row}"
    with pytest.raises(ValueError) as caught:
        OfficeSettings.parse([SettingRow("E城平台综合上门及时率标准", 1.2, None, {"value": f"E{row}"})], rules=RULES)
    assert f"{quoted.group(1)}：{quoted.group(2)}" in str(caught.value)


def test_the_user_guide_links_the_page() -> None:
    guide = (DOCS / "使用说明.md").read_text(encoding="utf-8")
    assert "](制度设置说明.md)" in guide and "](使用说明.md)" in PAGE.read_text(encoding="utf-8")
