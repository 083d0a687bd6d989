"""Validation of a large ledger with planted errors gives exactly the findings the
row-by-row code gave before it was made column-wise (issue 16): the same cells, the same
messages, the same order. The expected findings were computed once by that code
(`golden_ledger`, ``data/validate_golden.json``)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from .golden_ledger import EXPECTED, NAME, findings_of, write_golden_ledger


def test_large_ledger_gives_the_findings_the_row_by_row_code_gave(tmp_path: Path) -> None:
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    found = findings_of(write_golden_ledger(tmp_path / NAME))
    assert len(found) == len(expected)
    for n, (got, want) in enumerate(zip(found, expected, strict=True)):
        assert got == want, f"finding {n + 1}"


def test_the_stored_findings_cover_every_kind_of_check() -> None:
    """The planted errors reach the checks the speed-up rewrote: types, dropdowns, lengths,
    contacts, required cells, unique orders, formulas, date order, the policy rules, the
    count beyond a hundred per column and runs of rows."""
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    text = "\n".join(f[4] for f in expected)
    for words in ("不是日期", "是文字，不是日期", "不在下拉列表中", "不是下拉列表中的写法", "不是有效的电话号码", "缺少客户姓名",
                  "缺少客户电话", "已在第", "超过", "公式被改写为", "公式已被清除", "超出模板预设", "未逐一列出",
                  "7日内不应重复回访", "合并单元格", "必填", "尚未填写"):
        assert words in text, words
    assert any(":" in f[3] for f in expected)  # a run of rows as one range finding
    columns = Counter((f[0], f[3].rstrip("0123456789:")) for f in expected if f[3])
    assert max(columns.values()) > 100  # listed up to a hundred, then counted
