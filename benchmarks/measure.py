"""How the benchmarks measure: processes timed from outside, figures paired with their
reference inside one repetition, min and median printed, each goal beside its figure.

Why pairs: the machine is shared (2 CPUs, other work running), so a figure and its
reference measured minutes apart can be slowed by different load. Each repetition runs the
measured thing and its reference one right after the other (the order alternating between
repetitions), the ratio is taken inside the repetition, and the min and median of those
ratios are printed: the min is what the code can do, the median what a run usually gets.

Peak memory is the child process's own high-water mark, which the child reports as it
exits (`benchmarks.child`: ``VmHWM`` of ``/proc/self/status``): every measurement whose
memory is reported runs in a process of its own. Not ``ru_maxrss`` from ``wait4``: Linux
starts a forked child's maximum at the parent's size (the benchmark's own hundreds of MB
would be reported as the child's).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


PEAK_MARK = "@@benchmarks peak_mb="  # the last line a `benchmarks.child` process writes to stderr


@dataclass(frozen=True)
class Proc:
    """One child process: wall time from start to exit, its peak RSS (NaN unless it is a
    `benchmarks.child`), what it printed."""

    seconds: float
    peak_mb: float
    stdout: str
    cpu_seconds: float = float("nan")  # user + system CPU time of the child (and what it waited for)
    forked_peak_mb: float = float("nan")  # peak RSS of the processes the child started (0: none; `child.children_peak_mb`)
    tree_pss_mb: float = float("nan")  # peak PSS of the child and its children together (sampled; `run(tree_memory=True)`)

    def json(self) -> Any:
        """The last line of the child's output as JSON (`benchmarks.child` prints one)."""
        return json.loads(self.stdout.strip().splitlines()[-1])


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a child: this checkout first on the path (the code measured is
    the code the parent imports), no history store but the one a command is given."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
    env.pop("XINAO_XL_DB", None)
    env.pop("XINAO_XL_DEBUG", None)
    env.update(extra or {})
    return env


def _tree(pid: int) -> list[int]:
    """`pid` and every process under it (Linux ``/proc``)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return out


def tree_pss_mb(pid: int) -> float:
    """The memory `pid` and its children take together: the sum of their PSS (a page two
    processes share counts half in each), from ``/proc/PID/smaps_rollup``."""
    total = 0
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/smaps_rollup", encoding="ascii") as f:
                total += next((int(row.split()[1]) for row in f if row.startswith("Pss:")), 0)
        except (OSError, ValueError):
            pass
    return total / 1024


class _TreeMemory:
    """The largest `tree_pss_mb` of a running process, sampled every `every` seconds in a
    thread (reading smaps costs the kernel time: only where the memory is the question)."""

    def __init__(self, proc: subprocess.Popen[bytes], every: float = 0.02) -> None:
        import threading

        self.peak = float("nan") if not Path("/proc/self/smaps_rollup").exists() else 0.0
        self._proc, self._every = proc, every
        self._thread = threading.Thread(target=self._run, daemon=True)
        if self.peak == self.peak:
            self._thread.start()

    def _run(self) -> None:
        while self._proc.poll() is None:
            self.peak = max(self.peak, tree_pss_mb(self._proc.pid))
            time.sleep(self._every)

    def join(self) -> float:
        if self._thread.is_alive():
            self._thread.join()
        return self.peak


def run(argv: Sequence[str], env: dict[str, str] | None = None, cwd: Path | None = None, tree_memory: bool = False) -> Proc:
    """Run `argv` to its end: its wall time and the peak RSS it reported (with `tree_memory`,
    also the peak PSS of it and its children together, sampled). A failure stops the
    benchmark with what the child said: a failed command measures nothing."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    with subprocess.Popen(list(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env or child_env(), cwd=cwd) as popen:
        sampler = _TreeMemory(popen) if tree_memory else None
        stdout, stderr = popen.communicate()
    done = subprocess.CompletedProcess(popen.args, popen.returncode, stdout, stderr)
    seconds = time.perf_counter() - t0
    tree_peak = sampler.join() if sampler is not None else float("nan")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # children run one at a time: the delta is this one's
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    err = done.stderr.decode("utf-8", "replace")
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, argv[:6]))} … exit {done.returncode}:\n{err[-3000:]}")
    marks = [ln[len(PEAK_MARK):].split() for ln in err.splitlines() if ln.startswith(PEAK_MARK)]
    peak = float(marks[-1][0]) if marks else float("nan")
    forked = float(marks[-1][1]) if marks and len(marks[-1]) > 1 else float("nan")
    return Proc(seconds, peak, done.stdout.decode("utf-8", "replace"), cpu, forked, tree_peak)


def python(*args: str) -> list[str]:
    return [sys.executable, *args]


def child(task: str, *args: str) -> list[str]:
    """A `benchmarks.child` task in a process of its own (it reports its peak memory)."""
    return python("-m", "benchmarks.child", task, *args)


def cli(*args: str) -> list[str]:
    """``xinao-xl ARGS`` as a `benchmarks.child` (the same imports and work as the console
    script, plus the report of its peak memory at exit)."""
    return child("cli", *args)


def xinao_xl(*args: str) -> list[str]:
    """The ``xinao-xl`` command as staff run it (the console script beside this Python); no
    peak memory (`cli` runs it with)."""
    script = Path(sys.executable).with_name("xinao-xl")
    return [str(script), *args] if script.exists() else python("-m", "xinao_xl", *args)


# --- figures -------------------------------------------------------------------------------


@dataclass
class Series:
    """Several repetitions of one figure."""

    values: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.values.append(value)

    @property
    def min(self) -> float:
        return min(self.values)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def max(self) -> float:
        return max(self.values)

    def text(self, fmt: str = "{:.2f}", unit: str = "") -> str:
        """``min / median`` (one value when there is one repetition)."""
        if len(self.values) == 1:
            return fmt.format(self.values[0]) + unit
        return f"{fmt.format(self.min)} / {fmt.format(self.median)}{unit}"


@dataclass(frozen=True)
class Goal:
    """A goal of issue 16 with the figure measured for it (min and median)."""

    name: str
    measured: str
    goal: str
    met: bool | None  # None: no goal to meet here (a reference figure)

    @property
    def verdict(self) -> str:
        return "" if self.met is None else ("达标" if self.met else "未达标")


GOALS: list[Goal] = []


def goal(name: str, series: Series, goal_text: str, test: Callable[[float], bool] | None, fmt: str = "{:.2f}", unit: str = "") -> Goal:
    """Record and return the goal line; met when the median meets it (the min is what the
    code can do, the median what a run usually gets: the goal is for the run)."""
    g = Goal(name, series.text(fmt, unit), goal_text, None if test is None else test(series.median))
    GOALS.append(g)
    return g


def line(label: str, value: str, note: str = "", width: int = 46) -> str:
    """A label padded by display width (Chinese takes two columns), then the value."""
    return f"  {pad(label, width)} {value}" + (f"   {note}" if note else "")


def pad(text: str, width: int) -> str:
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - used)


def goal_line(g: Goal, width: int = 46) -> str:
    return line(g.name, pad(g.measured, 16), f"目标 {g.goal}  {g.verdict}".rstrip(), width)


def summary() -> str:
    """Every goal measured in this run, one line each."""
    if not GOALS:
        return ""
    rows = ["", "目标一览（issue 16；实测为 最小值 / 中位数，按中位数判断）"]
    rows += [goal_line(g, width=58) for g in GOALS]
    return "\n".join(rows)


def alternate(n: int, first: Callable[[], Any], second: Callable[[], Any]) -> list[tuple[Any, Any]]:
    """`n` repetitions of the pair (first, second), the order swapped every other time, so
    neither always runs on a cache the other warmed; returns (first's, second's) results."""
    out = []
    for i in range(n):
        if i % 2 == 0:
            a = first()
            b = second()
        else:
            b = second()
            a = first()
        out.append((a, b))
    return out


def best(fn: Callable[[], Any], repeat: int = 3, setup: Callable[[], Any] | None = None) -> tuple[float, Any]:
    """Fastest wall time of `repeat` in-process runs (setup not timed) and the last result."""
    times, result = [], None
    for _ in range(repeat):
        if setup:
            setup()
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result
