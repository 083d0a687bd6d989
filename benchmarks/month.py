"""The month benchmarks (issue 16): the close as a process against a process that only
reads the same inputs with pandas; what the close spends writing each output; the
validation of a 100,000-row 台账 against its bare calamine read.

Every figure is measured in a process of its own (`benchmarks.child`), paired with its
reference in the same repetition (`measure.alternate`); min and median are printed, with
the goal beside each ratio.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from xinao_xl.services.spawned import SERIAL_ENV

from .measure import Series, alternate, child, child_env, cli, goal, goal_line, line, run
from .months import MONTH, NOW, big_ledger, inputs, synthetic_month


@contextmanager
def openpyxl_io() -> Iterator[list[tuple[str, str, float]]]:
    """Within the block, every openpyxl save and load is timed: (what, file name, seconds).
    That is the part of the close no code of ours can make faster while openpyxl writes.
    A workbook written with XlsxWriter (books/xlsx.py) is timed as it turns into bytes
    ("写出"; its sheets are drawn before, in the step's own time)."""
    import openpyxl
    from openpyxl import Workbook

    from xinao_xl.books.xlsx import Book

    record: list[tuple[str, str, float]] = []
    save, load, to_bytes = Workbook.save, openpyxl.load_workbook, Book.to_bytes

    def timed_to_bytes(book: Book) -> bytes:
        sheets = book.sheet_names()
        t0 = time.perf_counter()
        try:
            return to_bytes(book)
        finally:
            record.append(("写出", f"{sheets[0] if sheets else ''} 等 {len(sheets)} 张工作表", time.perf_counter() - t0))

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

    Workbook.save, openpyxl.load_workbook, Book.to_bytes = timed_save, timed_load, timed_to_bytes  # type: ignore[method-assign]
    try:
        yield record
    finally:
        Workbook.save, openpyxl.load_workbook, Book.to_bytes = save, load, to_bytes  # type: ignore[method-assign]


def _fresh(source: Path, target: Path) -> Path:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    return target


def close_process(source: Path, target: Path, tree_memory: bool = False) -> Any:
    """``xinao-xl close`` of a fresh copy (the copy is not timed), beside an existing history
    store, as every close after an office's first finds it (the first also creates the
    store's tables); `tree_memory`: also the peak memory of the close and its second
    process together (`measure.run`)."""
    _fresh(source, target)
    from xinao_xl.history.store import HistoryStore, default_path

    HistoryStore(default_path(target)).close()  # empty, with its tables (not timed)
    return run(cli("close", MONTH, "--dir", str(target), "--yes", "--now", NOW.isoformat()), tree_memory=tree_memory)


def run_close(quick: bool, repeat: int, work: Path) -> None:
    callbacks = 1_000 if quick else 10_000
    print(f"\n== 月度结账进程 vs 只用 pandas 读取同样四个输入的进程（{callbacks:,} 条回访；{repeat} 次，交替运行）", flush=True)
    root = synthetic_month(callbacks)
    paths = [str(p) for p in inputs(root)]
    closes, reads, ratios, cpu_ratios = Series(), Series(), Series(), Series()
    close_mb, read_mb, close_cpu, read_cpu = Series(), Series(), Series(), Series()
    for c, r in alternate(repeat, lambda: close_process(root, work / "close"), lambda: run(child("read-pandas", *paths))):
        closes.add(c.seconds)
        reads.add(r.seconds)
        ratios.add(c.seconds / r.seconds)
        close_mb.add(c.peak_mb)
        read_mb.add(r.peak_mb)
        close_cpu.add(c.cpu_seconds)
        read_cpu.add(r.cpu_seconds)
        cpu_ratios.add(c.cpu_seconds / r.cpu_seconds)
    print(line("xinao-xl close（进程，秒）", closes.text(), f"CPU {close_cpu.text()} s，峰值内存 {close_mb.text('{:.0f}', ' MB')}"))
    print(line("pandas read_excel(engine=openpyxl) 进程（秒）", reads.text(), f"CPU {read_cpu.text()} s，峰值内存 {read_mb.text('{:.0f}', ' MB')}"))
    # CPU time: what the two processes compute, less swayed by other load than wall time (a reference; the goal is on wall time)
    print(line("CPU 时间之比（参考：负载下比墙钟时间稳定）", f"{cpu_ratios.text()}×"))
    print(goal_line(goal(f"结账进程 ÷ pandas 读取进程（{callbacks:,} 回访）", ratios, "≤ 0.8×", lambda v: v <= 0.8, unit="×")))


TIMED = {  # close_month's timings, in the order of the close (services/close.py)
    "validate": "读取并校验",
    "compute": "计分",
    "write": "考核表结账副本、回访报告、津贴申请、意见统计表",
    "history": "历史库（写入并提交）",
    "beside_wait": "流转单、下月工作簿（有另一进程时为等待它的时间）",
}


def run_writers(quick: bool, repeat: int, work: Path) -> None:
    """Each output's building and saving in a close (in-process, a child per close), with
    lxml and without (openpyxl uses lxml when it is installed, unless OPENPYXL_LXML=False).
    The close runs in one process here (``XINAO_XL_SERIAL=1``): what the second process
    builds is timed where it is built, and every openpyxl save is seen."""
    callbacks = 1_000 if quick else 10_000
    print(f"\n== 结账各步骤与 openpyxl 保存（{callbacks:,} 条回访；进程内计时，{repeat} 次）", flush=True)
    root = synthetic_month(callbacks)
    try:
        import lxml  # noqa: F401

        modes = {"lxml": {"OPENPYXL_LXML": "True", SERIAL_ENV: "1"}, "无 lxml": {"OPENPYXL_LXML": "False", SERIAL_ENV: "1"}}
    except ImportError:
        modes = {"无 lxml（未安装）": {SERIAL_ENV: "1"}}
    results: dict[str, list[Any]] = {m: [] for m in modes}
    for i in range(repeat):
        order = list(modes) if i % 2 == 0 else list(reversed(modes))
        for mode in order:
            proc = run(child("close-steps", str(root), str(work / "steps")), env=child_env(modes[mode]))
            results[mode].append(proc.json())
    main = next(iter(modes))
    runs = results[main]
    print(f"  （{main}；秒，最小值 / 中位数）")
    for key, text in TIMED.items():
        print(line(text, Series([r["timings"].get(key, 0.0) for r in runs]).text()))
    print(line("结账（进程内合计）", Series([r["seconds"] for r in runs]).text()))
    saves = [[(name, t) for what, name, t in r["io"] if what == "保存"] for r in runs]
    loads = [sum(t for what, _, t in r["io"] if what == "载入") for r in runs]
    print(line(f"其中 openpyxl 保存 {len(saves[0])} 个工作簿", Series([sum(t for _, t in s) for s in saves]).text()))
    print(line("其中 openpyxl 载入（考核表、意见统计表）", Series(loads).text()))
    for k, (name, _) in enumerate(saves[0]):
        print(line(f"  保存 {name[:30]}", Series([s[k][1] for s in saves if k < len(s)]).text()))
    written = [[(name, t) for what, name, t in r["io"] if what == "写出"] for r in runs]
    if written[0]:
        print(line(f"其中 XlsxWriter 写出 {len(written[0])} 个工作簿（内存中，成为字节）", Series([sum(t for _, t in w) for w in written]).text()))
        for k, (name, _) in enumerate(written[0]):
            print(line(f"  写出 {name[:30]}", Series([w[k][1] for w in written if k < len(w)]).text()))
    goal(f"结账写出（考核表副本、报告、津贴申请、意见统计表、流转单、下月工作簿；{callbacks:,} 回访）",
         Series([r["timings"]["write"] + r["timings"]["beside_wait"] for r in runs]), "XlsxWriter 重写后对比（issue 16 第 1 项）", None)
    if len(modes) == 2:
        other = results["无 lxml"]
        ratio = Series([sum(t for w, _, t in a["io"] if w == "保存") / sum(t for w, _, t in b["io"] if w == "保存")
                        for a, b in zip(runs, other, strict=True)])
        print(line("openpyxl 保存：lxml ÷ 无 lxml", ratio.text(unit="×")))
        print(line("结账（进程内）：lxml ÷ 无 lxml", Series([a["seconds"] / b["seconds"] for a, b in zip(runs, other, strict=True)]).text(unit="×")))


def run_validate(quick: bool, repeat: int, work: Path) -> None:
    rows = 10_000 if quick else 100_000
    print(f"\n== 校验 {rows:,} 行台账 vs calamine 直接读取该台账（各一个进程，进程内计时，{repeat} 次，交替运行）", flush=True)
    ledger = str(big_ledger(rows))
    validate, first, read, ratios = Series(), Series(), Series(), Series()
    validate_mb, read_mb = Series(), Series()
    findings = 0
    for v, r in alternate(repeat, lambda: run(child("validate", "-n", "2", ledger)), lambda: run(child("read-calamine", "-n", "2", ledger))):
        vt, rt = v.json(), r.json()
        findings = vt["findings"]
        first.add(vt["times"][0])
        validate.add(vt["times"][-1])
        read.add(rt["times"][-1])
        ratios.add(vt["times"][-1] / rt["times"][-1])
        validate_mb.add(v.peak_mb)
        read_mb.add(r.peak_mb)
    print(line("校验（秒；进程中第二次）", validate.text(), f"首次 {first.text()}；{findings} 条发现；峰值内存 {validate_mb.text('{:.0f}', ' MB')}"))
    print(line("calamine 直接读取（秒）", read.text(), f"峰值内存 {read_mb.text('{:.0f}', ' MB')}"))
    print(goal_line(goal(f"校验 ÷ calamine 读取（{rows:,} 行）", ratios, "≤ 2×", lambda v: v <= 2, unit="×")))
