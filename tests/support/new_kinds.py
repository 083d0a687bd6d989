"""The packaged rules plus two indicator kinds defined only in tests/data/rules_new_kinds.toml.

Why: issue 11 asks that a new indicator kind be rules data plus at most one pure function.
The tests that use these rules (tests/policy/test_new_kinds.py, tests/books/test_new_kinds.py,
tests/services/test_new_kinds.py) score, render, validate, sample, close and recalculate the
new rows in LibreOffice without a line of code knowing the kinds' names.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from xinao_xl.policy.rules import DEFAULT_RULES_PATH, Rules, parse_rules

NEW_KINDS_PATH = Path(__file__).resolve().parents[1] / "data" / "rules_new_kinds.toml"
ERROR_RATE, CHECKLIST = "业务差错率", "现场检查"


def new_kinds_data() -> dict[str, Any]:
    """rules.toml with the file's params and kinds added and its rows put in every department
    before 投诉管理 (the complaint row stays last, as the workbook expects)."""
    data = tomllib.loads(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))
    extra = tomllib.loads(NEW_KINDS_PATH.read_text(encoding="utf-8"))
    data["params"].update(extra["params"])
    data["kinds"].update(extra["kinds"])
    for dept in data["departments"]:
        rows = dept["indicators"]
        dept["indicators"] = rows[:-1] + [dict(row) for row in extra["rows"]] + rows[-1:]
    return data


def new_kinds_rules(**values: Any) -> Rules:
    """The rules with the new kinds; keyword arguments override param values."""
    data = new_kinds_data()
    for key, value in values.items():
        data["params"][key]["value"] = value
    return parse_rules(data, NEW_KINDS_PATH)
