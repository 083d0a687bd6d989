"""``python -m benchmarks.child TASK ARGS``: one measurement in a process of its own.

The parent (`benchmarks.measure.run`) takes the process's wall time from outside; the
process reports its own peak RSS as it exits (the last line of its stderr, `PEAK_MARK`),
and beside it the peak of the processes it started and waited for (the close's second one);
a task that has an in-process time worth reporting (the time after its imports) prints
one JSON line. Each task imports only what it needs, inside the task: the reference
process that reads with pandas must not pay for xinao_xl's imports, nor the close for
pandas' if it no longer needs them.

Tasks:
  cli ARGS…                      ``xinao-xl ARGS`` (what the console script runs)
  read-pandas PATH…              every sheet of each file, ``pandas.read_excel(engine="openpyxl")``
  read-calamine [-n N] PATH…     every sheet of each file with python-calamine, N times
  validate [-n N] PATH…          ``validate_month`` of the files, N times
  close-steps SOURCE RUN         a close in-process: each step's time, every openpyxl load and save
  generate-month N ROOT          a synthetic month of N callbacks (`months`)
  big-ledger N PATH              a 台账 of N callbacks (`months`)
"""

from __future__ import annotations

import atexit
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

MONTH = "2026-11"
NOW = "2026-12-03T09:00:00"


PEAK_MARK = "@@benchmarks peak_mb="  # measure.PEAK_MARK (not imported: this module stays bare)


def peak_mb() -> float:
    """This process's peak RSS: ``VmHWM`` (Linux; it counts this process's memory only),
    else ``ru_maxrss``."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for row in f:
                if row.startswith("VmHWM:"):
                    return int(row.split()[1]) / 1024
    except OSError:
        pass
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss / (2**20 if sys.platform == "darwin" else 1024)


def children_peak_mb() -> float:
    """The largest peak RSS among the processes this one waited for (the close's second
    process, services/spawned.py; Linux counts a started process's peak from the size of
    the process that started it, so this is an upper bound); 0 when none."""
    maxrss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return maxrss / (2**20 if sys.platform == "darwin" else 1024)


def _report_peak() -> None:
    sys.stdout.flush()
    print(f"\n{PEAK_MARK}{peak_mb():.1f} {children_peak_mb():.1f}", file=sys.stderr, flush=True)


def _repeat(args: list[str]) -> tuple[int, list[str]]:
    if args[:1] == ["-n"]:
        return int(args[1]), args[2:]
    return 1, args


def read_pandas(paths: list[str]) -> dict[str, Any]:
    import pandas as pd

    t0 = time.perf_counter()
    for p in paths:
        pd.read_excel(p, sheet_name=None, engine="openpyxl")
    return {"seconds": time.perf_counter() - t0}


def read_calamine(paths: list[str]) -> None:
    from python_calamine import CalamineWorkbook

    for p in paths:
        book = CalamineWorkbook.from_path(str(p))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()


def timed(fn: Any, n: int) -> list[float]:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def validate(paths: list[str], n: int) -> dict[str, Any]:
    from datetime import datetime

    from xinao_xl.services.validate import validate_month

    found: list[Any] = []

    def once() -> None:
        found[:] = validate_month([Path(p) for p in paths], now=datetime.fromisoformat(NOW))

    return {"times": timed(once, n), "findings": len(found)}


def close_steps(source: str, run: str) -> dict[str, Any]:
    """A close of a fresh copy of `source`, each step timed (the progress callback's
    moments) and every openpyxl load and save timed (`openpyxl_io`)."""
    import shutil
    from datetime import datetime

    from xinao_xl.services.close import close_month

    from .month import openpyxl_io

    target = Path(run)
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    marks: list[tuple[str, float]] = []

    def progress(step: int, total: int, text: str) -> None:
        marks.append((text, time.perf_counter()))

    with openpyxl_io() as io:
        t0 = time.perf_counter()
        result = close_month(MONTH, target, now=datetime.fromisoformat(NOW), progress=progress)
        end = time.perf_counter()
    steps = [(text, (marks[i + 1][1] if i + 1 < len(marks) else end) - at) for i, (text, at) in enumerate(marks)]
    return {"seconds": end - t0, "steps": steps, "io": io, "timings": result.timings}


def main(argv: list[str]) -> int:
    atexit.register(_report_peak)  # after everything, a command's own exit included
    task, args = argv[0], argv[1:]
    out: Any
    if task == "cli":
        from xinao_xl.cli import main as xinao_xl

        return xinao_xl(args)
    if task == "generate-month":
        from .months import generate_month

        generate_month(int(args[0]), Path(args[1]))
        return 0
    if task == "big-ledger":
        from .months import write_big_ledger

        write_big_ledger(Path(args[1]), int(args[0]))
        return 0
    if task == "read-pandas":
        out = read_pandas(args)
    elif task == "read-calamine":
        n, paths = _repeat(args)
        out = {"times": timed(lambda: read_calamine(paths), n)}
    elif task == "validate":
        n, paths = _repeat(args)
        out = validate(paths, n)
    elif task == "close-steps":
        out = close_steps(*args)
    else:
        print(f"未知的任务：{task}", file=sys.stderr)
        return 2
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
