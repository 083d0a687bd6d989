"""The worksheet functions: microseconds a call, each with the arguments its cells usually
hold (goal, issue 16: every one within 20 µs).

Excel calls a function once per cell on every recalculation, so a 台账 of thousands of
rows pays this thousands of times. Each call gets the calling cell, as xlwings passes it:
here a stand-in whose workbook sits in a month folder with the office's 制度设置.xlsx, so
the lookup of the month's rules (`excel.caller_rules`, cached per workbook) is counted;
what Excel's COM calls cost on top is not measurable here. Dates run through a month's
worth of days, as a column of a ledger does.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from .measure import Series, goal, goal_line, line
from .months import MONTH

GOAL_US = 20.0
DAYS = [date(2026, 11, 1) + timedelta(days=d) for d in range(30)]
MOMENTS = [datetime(2026, 11, 1, 9, 30) + timedelta(days=d, hours=d % 7) for d in range(30)]


def usual_arguments() -> dict[str, list[tuple[Any, ...]]]:
    """Function name -> the argument tuples its cells usually pass (cycled through)."""
    return {
        "DEDUCT_COMPLAINT": [("400四级", None, "是"), (5, "95158", None), ("二级", "400", "有责"), (3, None, "否")],
        "DEDUCT_MYSTERY": [(93.5,), (96.0, 95)],
        "DEDUCT_SATISFACTION": [(0.965,), ("96.5%", 0.98)],
        "DEDUCT_PLATFORM": [(0.46, "上门及时率"), (0.93, "好评率")],
        "DEDUCT_RATE": [(0.995, 1.0), (0.97, 0.98, 2)],
        "DEDUCT_DAYS": [(3.5, 3), (2, 3, 2)],
        "DEDUCT_LATE_FLOW": [(2,), (0,)],
        "BONUS_PRAISE": [(2, [[3], [5], [None]]), (0, None)],
        "DEPT_SCORE": [([[5.0], [2.0], [None], [0.0]], [[3.0], [None]])],
        "DEPT_GRADE": [([[4], [None], [3]],), ([[None], [None]],)],
        "DEPT_WEIGHT": [("客服部",), ("管网部",)],
        "COMPANY_ITEM": [("客服部", 96.0), ("市场工程部", 104.0)],
        "ALLOWANCE": [(1500, 96.0), (1750, 100.5)],
        "CALLBACK_QUOTA": [("维修", 40), ("零散", 12), ("安检", [[45], [12], [80], [20], [11], [3], [1]])],
        "DUE_DATE": [(m, stage, major) for m in MOMENTS for stage, major in (("调查", "否"), ("处理", None), ("流转单", None))],
        "WORKDAY_CN": [(d, n) for d in DAYS for n in (1, 2, 3, 5)],
        "SLA_STATUS": [(m + timedelta(days=2), None, m + timedelta(days=1, hours=20)) for m in MOMENTS]
        + [(m + timedelta(days=2), m + timedelta(days=1), None) for m in MOMENTS],
    }


def per_call_us(fn: Callable[..., Any], calls: list[tuple[Any, ...]], caller: Any, n: int) -> float:
    """Microseconds a call over `n` calls cycling through `calls` (the loop's own cost included)."""
    reps = max(1, n // len(calls))
    t0 = time.perf_counter()
    for _ in range(reps):
        for args in calls:
            fn(*args, caller=caller)
    return (time.perf_counter() - t0) / (reps * len(calls)) * 1e6


def run_udfs(quick: bool, repeat: int) -> None:
    from xinao_xl.books.settings_book import ensure_settings_book
    from xinao_xl.excel import udfs

    n = 500 if quick else 5_000
    print(f"\n== 工作表函数（微秒/次；每次 {n:,} 次调用，{repeat} 次）", flush=True)
    with tempfile.TemporaryDirectory(prefix="xinao-bench-udf-") as tmp:
        root = Path(tmp)
        ensure_settings_book(root)
        (root / MONTH).mkdir()
        caller = SimpleNamespace(sheet=SimpleNamespace(book=SimpleNamespace(fullname=str(root / MONTH / f"{MONTH}_客户回访信息台账.xlsx"))))
        arguments = usual_arguments()
        missing = set(udfs.udf_names()) ^ set(arguments)
        if missing:
            raise RuntimeError(f"基准的工作表函数与 udfs.UDF_SPECS 不一致：{sorted(missing)}")
        times: dict[str, Series] = {name: Series() for name in arguments}
        for name, calls in arguments.items():  # each result checked once: a text result is an error cell
            fn = getattr(udfs, name)
            for args in calls:
                value = fn(*args, caller=caller)
                if isinstance(value, str) and value.startswith("#"):
                    raise RuntimeError(f"{name}{args} 返回错误：{value}")
        for _ in range(repeat):
            for name, calls in arguments.items():
                times[name].add(per_call_us(getattr(udfs, name), calls, caller, n))
    for name, s in times.items():
        print(line(name, s.text("{:.1f}", " µs"), "" if s.median <= GOAL_US else "超过 20 µs", width=24))
    slowest = max(times, key=lambda k: times[k].median)
    print(goal_line(goal(f"最慢的工作表函数（{slowest}，共 {len(times)} 个）", times[slowest], f"≤ {GOAL_US:.0f} µs", lambda v: v <= GOAL_US,
                         "{:.1f}", " µs")))
