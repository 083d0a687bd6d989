"""The sampling benchmark: a day's callbacks appended to a 10,000-row 台账, written in place
(`books.append`, what `sample` does since issue 13) against the openpyxl re-save it did before.

Two figures each: the write alone (100 records and the 抽样 sheet's seven cells into the
台账, temp file and replace included), and the whole `sample_day` (reading the export, the
台账 and last month, the rules, the write) with each writer. Best of a few runs, each on a
fresh copy of the month.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from xinao_xl.books import callback_ledger
from xinao_xl.books.append import append_records
from xinao_xl.books.cells import put, put_formula
from xinao_xl.books.completed_export import write_completed_export
from xinao_xl.books.filecheck import load_workbook
from xinao_xl.books.read import BookReader
from xinao_xl.books.save import save_atomic
from xinao_xl.books.schema import NATIVE, TableSheet
from xinao_xl.books.writer import style_formula_cell, write_record
from xinao_xl.policy.rules import load_rules
from xinao_xl.services import sampling
from xinao_xl.services.sample_data import SampleSize, make_sample_month

from .measure import best
from .months import MONTH, NOW

DAY = date(2026, 11, 28)
RECORDS = 100


def openpyxl_append(path: Path, spec: TableSheet, first: int, records: Sequence[Mapping[str, Any]], *,
                    form_cells: Mapping[str, Mapping[tuple[int, int], Any]] | None = None) -> list[int]:
    """What sampling did before issue 13: load the 台账 with openpyxl, write, save it whole."""
    wb = load_workbook(path)
    ws = wb[spec.name]
    formulas = [(spec.index(c.key), c) for c in spec.formula_columns]
    rows = []
    for n, values in enumerate(records):
        r = first + n
        write_record(ws, spec, r, values)
        if r > spec.last_row:
            for col, column in formulas:
                style_formula_cell(put_formula(ws, r, col, spec.render(column, r, NATIVE)), column)
        rows.append(r)
    for name, cells in (form_cells or {}).items():
        if name in wb.sheetnames:
            for (row, column), value in cells.items():
                put(wb[name], row, column, value)
    save_atomic(wb, path, keep_previous=True)
    return rows


def _records(n: int) -> list[dict[str, Any]]:
    return [{"call_date": DAY, "business": "零散", "order": f"BM{i:05d}", "done_date": DAY - timedelta(days=1), "customer": f"客户{i}",
             "phone": f"1560000{i:04d}", "address": f"东昌路{i}号", "staff": "李师傅", "dept": "客服部", "agent": "孙雪燕"} for i in range(n)]


def _export(path: Path, n: int) -> Path:
    """`n` 零散 orders completed the day before (零散 is called back in full: all are taken)."""
    done = datetime.combine(DAY - timedelta(days=1), datetime.min.time()) + timedelta(hours=9)
    return write_completed_export(path, [{"order": f"BX{i:05d}", "business": "零散", "done_at": done + timedelta(minutes=i), "customer": f"新客户{i}",
                                          "phone": f"1570000{i:04d}", "address": f"柳园路{i}号", "staff": "李师傅", "dept": "客服部"} for i in range(n)])


def run(quick: bool = False, keep: str | None = None) -> None:
    callbacks = 2_000 if quick else 10_000
    work = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="xinao-bench-sampling-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        print(f"生成合成月份：回访台账 {callbacks:,} 行 …", flush=True)
        t0 = time.perf_counter()
        source = work / "source"
        if source.exists():
            shutil.rmtree(source)
        make_sample_month(MONTH, source, SampleSize(callbacks=callbacks, complaints=10), seed=1, now=NOW)
        export = _export(work / "完工.xlsx", RECORDS)
        print(f"  （生成用时 {time.perf_counter() - t0:.1f} s）")
        spec = callback_ledger.ledger_sheet()
        run_dir = work / "run"
        ledger = sampling.ledger_path(run_dir, MONTH)

        def fresh() -> None:
            if run_dir.exists():
                shutil.rmtree(run_dir)
            shutil.copytree(source, run_dir)

        fresh()
        first = max(r["_row"] for r in BookReader(ledger).table(spec).records()) + 1
        sample_spec = callback_ledger.sample_sheet(load_rules())
        form = {sample_spec.name: {(sample_spec.row_of(b), 2): 20 for b in ("维修", "置换", "零散")}}
        records = _records(RECORDS)
        size_mb = ledger.stat().st_size / 2**20

        def write_with(fn: Callable[..., list[int]]) -> Callable[[], list[int]]:
            return lambda: fn(ledger, spec, first, records, form_cells=form)

        t_inplace, rows = best(write_with(append_records), repeat=3, setup=fresh)
        assert len(rows) == RECORDS
        t_openpyxl, _ = best(write_with(openpyxl_append), repeat=2, setup=fresh)

        def sample() -> Any:
            return sampling.sample_day(export, DAY, "孙雪燕", run_dir, seed=1)

        s_inplace, result = best(sample, repeat=3, setup=fresh)
        taken = len(result.rows)  # a few export customers may have been called in the last 7 days (the synthetic month)
        original = sampling.append_records
        sampling.append_records = openpyxl_append  # type: ignore[assignment]
        try:
            s_openpyxl, _ = best(sample, repeat=2, setup=fresh)
        finally:
            sampling.append_records = original

        print(f"\n结果（秒，取多次运行中最快的一次）：向 {callbacks:,} 行台账（{size_mb:.1f} MB，第 {first} 行起）追加 {RECORDS} 行")
        print(f"  原样写入（books.append，只改动台账、抽样两个部件）      {t_inplace:7.2f}")
        print(f"  openpyxl 载入并整本另存（issue 13 之前）                {t_openpyxl:7.2f}   {t_openpyxl / t_inplace:5.1f}×")
        print(f"  xinao-xl sample 全过程（抽取 {taken} 条），原样写入              {s_inplace:7.2f}")
        print(f"  xinao-xl sample 全过程，openpyxl 另存                     {s_openpyxl:7.2f}   {s_openpyxl / s_inplace:5.1f}×")
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
