"""The month benchmarks: close vs. reading the same inputs, validation of a 100k-row 台账.

Each figure is the best of a few runs (the first run of anything pays for imports and
caches; the close runs on a fresh copy each time, since a closed month refuses a second
close without --force).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from python_calamine import CalamineWorkbook

from xinao_xl.books import callback_ledger
from xinao_xl.books.cells import looks_like_formula, set_value
from xinao_xl.books.month_folder import MonthFolder
from xinao_xl.books.schema import NATIVE
from xinao_xl.policy.rules import load_rules
from xinao_xl.services.close import close_month
from xinao_xl.services.sample_data import BENCH, Fake, SampleSize, callback_rows, make_sample_month
from xinao_xl.services.validate import validate_month

MONTH = "2026-11"
NOW = datetime(2026, 12, 3, 9)


def best(fn: Callable[[], Any], repeat: int = 3, setup: Callable[[], Any] | None = None) -> tuple[float, Any]:
    """Fastest wall time of `repeat` runs (setup not timed) and the last result."""
    times, result = timed(fn, repeat, setup)
    return min(times), result


def timed(fn: Callable[[], Any], repeat: int = 3, setup: Callable[[], Any] | None = None) -> tuple[list[float], Any]:
    """Wall time of each of `repeat` runs (setup not timed) and the last result. The first
    run pays what a process pays once (the files' safety check, the template formulas)."""
    times, result = [], None
    for _ in range(repeat):
        if setup:
            setup()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return times, result


@contextmanager
def openpyxl_io() -> Iterator[list[tuple[str, str, float]]]:
    """Within the block, every openpyxl save and load is timed: (what, file name, seconds).
    That is the part of the close no code of ours can make faster."""
    record: list[tuple[str, str, float]] = []
    save, load = Workbook.save, openpyxl.load_workbook

    def timed_save(wb: Workbook, target: Any) -> None:
        t0 = time.perf_counter()
        try:
            save(wb, target)
        finally:
            record.append(("保存", Path(str(getattr(target, "name", target))).name, time.perf_counter() - t0))

    def timed_load(source: Any, *args: Any, **kwargs: Any) -> Workbook:
        t0 = time.perf_counter()
        try:
            return load(source, *args, **kwargs)
        finally:
            record.append(("载入", Path(str(source)).name, time.perf_counter() - t0))

    Workbook.save, openpyxl.load_workbook = timed_save, timed_load  # type: ignore[method-assign]
    try:
        yield record
    finally:
        Workbook.save, openpyxl.load_workbook = save, load  # type: ignore[method-assign]


def read_openpyxl(paths: list[Path]) -> None:
    for p in paths:
        pd.read_excel(p, sheet_name=None, engine="openpyxl")


def read_calamine(paths: list[Path]) -> None:
    for p in paths:
        book = CalamineWorkbook.from_path(str(p))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()


def _text_safe(ws: Any, value: Any) -> Any:
    """Typed text that starts like a formula goes in as a text cell, as `books.cells` writes it:
    write-only openpyxl would otherwise store "=希望…" as a formula."""
    if isinstance(value, str) and looks_like_formula(value):
        return set_value(WriteOnlyCell(ws), value)
    return value


def write_big_ledger(path: Path, rows: int) -> Path:
    """A 台账 of `rows` callbacks as the template lays it out, formulas in every row
    (write-only openpyxl: the generator must not take longer than what it measures)."""
    rules = load_rules()
    import random

    rng = random.Random(100)
    data = callback_rows(MONTH, rows, rng, Fake(rng), rules)
    spec = callback_ledger.ledger_sheet()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(spec.name)
    ws.append([f"{MONTH} 客户回访信息台账"])
    ws.append(list(spec.headers))
    for r, row in enumerate(data, start=spec.first_row):
        ws.append([spec.render(c, r, NATIVE) if c.is_formula else _text_safe(ws, row.get(c.key)) for c in spec.columns])
    wb.save(path)
    return path


def run(quick: bool = False, keep: str | None = None) -> None:
    size = SampleSize(callbacks=1_000, complaints=60) if quick else BENCH
    ledger_rows = 10_000 if quick else 100_000
    work = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="xinao-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        print(f"生成合成月份：{size.callbacks:,} 条回访，{size.complaints:,} 条投诉，7 个部门 …", flush=True)
        t0 = time.perf_counter()
        source = work / "source"
        if source.exists():
            shutil.rmtree(source)
        make_sample_month(MONTH, source, size, seed=1, now=NOW)
        print(f"  （生成用时 {time.perf_counter() - t0:.1f} s）")
        inputs = list(MonthFolder(source, MONTH).existing_books().values())
        run_dir = work / "run"

        def fresh() -> None:
            if run_dir.exists():
                shutil.rmtree(run_dir)
            shutil.copytree(source, run_dir)

        t_openpyxl, _ = best(lambda: read_openpyxl(inputs), repeat=2)
        t_calamine, _ = best(lambda: read_calamine(inputs), repeat=3)
        close_times, result = timed(lambda: close_month(MONTH, run_dir, now=NOW), repeat=3, setup=fresh)
        t_close = min(close_times)
        t_write = result.timings["write"] + result.timings["next_month"]
        fresh()
        with openpyxl_io() as io_times:  # a fourth close, only to see openpyxl's share of it
            close_month(MONTH, run_dir, now=NOW)

        print(f"\n生成 {ledger_rows:,} 行回访台账 …", flush=True)
        big = write_big_ledger(work / f"{MONTH}_{callback_ledger.STEM}.xlsx", ledger_rows)
        t_big_read, _ = best(lambda: read_calamine([big]), repeat=3)
        validate_times, findings = timed(lambda: validate_month([big], now=NOW), repeat=3)
        t_validate = min(validate_times)

        print("\n结果（秒，取多次运行中最快的一次）")
        print(f"  月度结账（{size.callbacks:,} 回访 / {size.complaints} 投诉）          {t_close:7.2f}（首次 {close_times[0]:.2f}）")
        names = {"validate": "校验", "compute": "计分", "write": "写结账输出", "next_month": "下月工作簿", "history": "历史库"}
        print("    其中：" + "，".join(f"{names.get(k, k)} {v:.2f}" for k, v in result.timings.items()))
        print(f"  pandas read_excel(engine=openpyxl) 读取同样四个输入   {t_openpyxl:7.2f}")
        print(f"  calamine 直接读取四个输入                            {t_calamine:7.2f}")
        print(f"  输出写入（结账副本、报告、流转单、下月工作簿）         {t_write:7.2f}")
        floor = sum(t for _, _, t in io_times)
        print(f"  其中 openpyxl 本身的载入、保存（结账中逐个计时）              {floor:7.2f}")
        for what, name, t in io_times:
            print(f"    {what} {name[:40]:40s} {t:6.2f}")
        print(f"  校验 {ledger_rows:,} 行台账                                {t_validate:7.2f}（首次 {validate_times[0]:.2f}；{len(findings)} 条发现）")
        print(f"  calamine 直接读取该台账                              {t_big_read:7.2f}")
        print("\n比值                                                      实测     目标")
        r1 = t_openpyxl / t_close
        r2 = t_close / (t_calamine + t_write)
        r3 = t_validate / t_big_read
        print(f"  openpyxl 读取 ÷ 结账（结账快几倍）                    {r1:6.2f}×   ≥ 5×   {'达标' if r1 >= 5 else '未达标'}")
        print(f"  结账 ÷ （calamine 读取 + 写输出）                      {r2:6.2f}×   ≤ 1.5× {'达标' if r2 <= 1.5 else '未达标'}")
        print(f"  校验 ÷ calamine 读取（{ledger_rows:,} 行）                 {r3:6.2f}×   ≤ 2×   {'达标' if r3 <= 2 else '未达标'}")
        print(f"\n  结账要快 5 倍须在 {t_openpyxl / 5:.2f} 秒内完成；仅 openpyxl 载入、保存工作簿就要 {floor:.2f} 秒"
              f"（{floor / (t_openpyxl / 5):.1f} 倍于该预算）")
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
