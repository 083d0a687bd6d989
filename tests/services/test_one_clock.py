"""Issue 12, one clock: the same close at the same instant gives the same outputs whatever
the machine's time zone.

The issue's measurement: a close of the demo month at 2026-12-01 16:30 UTC gave 市场工程部
71.25 (津贴 1246.88) on a machine set to UTC and 69.25 (1211.88) on one set to Beijing time:
its 流转单 LZ20261100273, due 2026-12-01 24:00 Beijing time, was on time for the UTC
machine (16:30) and late for the Beijing one (00:30 on 12-02). The close now takes "now"
from policy/clock.py (Beijing wall time of the instant), so both machines judge it late.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from xinao_xl.books.month_folder import MonthFolder
from xinao_xl.policy import clock
from xinao_xl.services.close import close_month
from xinao_xl.services.sample_data import make_sample_month

MONTH = "2026-11"
INSTANT = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)  # 2026-12-02 00:30 in 聊城
GENERATED = datetime(2026, 12, 3, 9, 0)


def _values(path: Path) -> dict[str, Any]:
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def _close_in_zone(zone: str, root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, dict[str, Any]]:
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        make_sample_month(MONTH, root, seed=2026, now=GENERATED)  # the demo's month
        with clock.fixed(INSTANT):
            result = close_month(MONTH, root, user="测试")  # no `now`: the clock's
        mf = MonthFolder(root, MONTH)
        record = json.loads(mf.record_path.read_text(encoding="utf-8"))
        outputs = {p.name: _values(p) for p in result.outputs.values()}
        outputs.update({f"{mf.next().month}/{p.name}": _values(p) for p in result.next_paths})
        return result, {"record": {k: v for k, v in record.items() if k not in ("inputs", "outputs", "next_month", "内容摘要")},
                        "marker": mf.marker.read_text(encoding="utf-8"), "outputs": outputs}
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_the_same_close_in_utc_and_in_beijing_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    utc, in_utc = _close_in_zone("UTC", tmp_path / "utc", monkeypatch)
    beijing, in_beijing = _close_in_zone("Asia/Shanghai", tmp_path / "beijing", monkeypatch)
    assert utc.cards == beijing.cards
    # LZ20261100273 (due 12-01 24:00) is late at 00:30 on 12-02: 市场工程部 loses its 2 points
    # on both machines: 100 − 32.75 + 2 = 69.25; 津贴 1750 × 69.25 / 100 = 1211.875 → 1211.88
    assert (utc.cards["市场工程部"].score, utc.cards["市场工程部"].allowance) == (69.25, 1211.88)
    assert in_utc["record"]["结账时间"] == in_beijing["record"]["结账时间"] == "2026-12-02T00:30:00+08:00"
    assert in_utc["marker"] == in_beijing["marker"] and in_utc["marker"].startswith("2026-12-02 00:30")
    assert in_utc == in_beijing
