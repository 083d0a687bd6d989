"""The close as the month grows: 1,000 / 10,000 / 50,000 / 100,000 callbacks (complaints 3 %
of that, at most 1,500: `months.complaints_for`), each ``xinao-xl close`` a process of its own (wall time, peak RSS).

Goals (issue 16): a 100,000-callback close within 500 MB, and time linear in the month's
size. The memory judged is the close's with its second process (services/spawned.py):
the peak of their PSS together, sampled (`measure.run`; a page they share counts once), or
the close process's own ``VmHWM`` where that is higher (a sample can miss a short peak);
the ``VmHWM`` is printed beside it. Linear is judged on the marginal cost, seconds per 1,000 more callbacks between
successive sizes (fixed costs, the imports and the templates, cancel out): the slope from
50,000 to 100,000 within 1.25 × the slope from 10,000 to 50,000. Each repetition closes
every size, the order reversed every other repetition.
"""

from __future__ import annotations

from pathlib import Path

from .measure import Proc, Series, goal, goal_line, line, pad
from .month import close_process
from .months import synthetic_month

SIZES = (1_000, 10_000, 50_000, 100_000)
QUICK_SIZES = (1_000, 3_000)
MEMORY_GOAL_MB = 500
SLOPE_GOAL = 1.25


def run_scale(quick: bool, repeat: int, work: Path, sizes: tuple[int, ...] | None = None) -> None:
    sizes = sizes or (QUICK_SIZES if quick else SIZES)
    print(f"\n== 结账规模：{' / '.join(f'{n:,}' for n in sizes)} 条回访（每次一个进程；{repeat} 次）", flush=True)
    roots = {n: synthetic_month(n) for n in sizes}
    seconds: dict[int, Series] = {n: Series() for n in sizes}
    peaks: dict[int, Series] = {n: Series() for n in sizes}
    together: dict[int, Series] = {n: Series() for n in sizes}
    slopes: dict[tuple[int, int], Series] = {pair: Series() for pair in zip(sizes, sizes[1:], strict=False)}
    for i in range(repeat):
        done: dict[int, Proc] = {}
        for n in sizes if i % 2 == 0 else tuple(reversed(sizes)):
            done[n] = close_process(roots[n], work / f"scale-{n}", tree_memory=True)
            seconds[n].add(done[n].seconds)
            peaks[n].add(done[n].peak_mb)
            # both: the sampled PSS can miss a short peak, the close's own VmHWM misses the child
            together[n].add(max(done[n].tree_pss_mb, done[n].peak_mb))
            print(f"    {n:>7,} 回访：{done[n].seconds:6.2f} s，结账进程 {done[n].peak_mb:5.0f} MB，"
                  f"两个进程合计 {done[n].tree_pss_mb:5.0f} MB", flush=True)
        for a, b in slopes:
            slopes[(a, b)].add((done[b].seconds - done[a].seconds) / ((b - a) / 1000))
    print(f"  {pad('回访', 10)}{pad('秒（最小 / 中位）', 20)}{pad('结账进程峰值 MB', 18)}{pad('两个进程合计峰值 MB', 20)}")
    for n in sizes:
        print(f"  {n:>8,}  {pad(seconds[n].text(), 20)}{pad(peaks[n].text('{:.0f}'), 18)}{pad(together[n].text('{:.0f}'), 20)}")
    for (a, b), s in slopes.items():
        memory = Series([(y - x) / ((b - a) / 1000) for x, y in zip(peaks[a].values, peaks[b].values, strict=True)])
        print(line(f"每多 1,000 条回访（{a:,} → {b:,}）", f"{s.text('{:.3f}')} s", f"内存 {memory.text('{:.1f}', ' MB')}"))
    largest = sizes[-1]
    print(goal_line(goal(f"{largest:,} 回访结账的峰值内存（MB，两个进程合计）", together[largest], f"≤ {MEMORY_GOAL_MB} MB",
                         lambda v: v <= MEMORY_GOAL_MB, "{:.0f}")))
    if len(sizes) >= 3:
        (a, b), (c, d) = list(slopes)[-2:]
        ratio = Series([late / early for early, late in zip(slopes[(a, b)].values, slopes[(c, d)].values, strict=True)])
        print(goal_line(goal(f"线性：斜率 {c // 1000}k→{d // 1000}k ÷ 斜率 {a // 1000}k→{b // 1000}k", ratio, f"≤ {SLOPE_GOAL}×",
                             lambda v: v <= SLOPE_GOAL, unit="×")))
