"""The history store benchmark: a synthetic year (12 months × 10,000 callbacks and 300
complaints: 120,000 callbacks, 3,600 complaints), each month generated and closed once into
a cache folder (the closes fill its 历史库.sqlite), then:

- loading a month into the store (`services.history.read_month`: the four workbooks read
  and normalised; `HistoryStore.write_month`: one transaction) against reading the same
  four workbooks straight with calamine;
- the annual report from the store (`services.period_report`) against reading the year's
  48 workbooks straight with calamine, the least any report made from the workbooks must do.

Each figure is the best of a few runs; the store is a fresh SQLite file in a temporary
folder so the cache's own store is never touched. Generating the year takes minutes: the
cache (``out/benchmarks/…``, gitignored) is reused while its settings match.
"""

from __future__ import annotations

import json
import shutil
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from xinao_xl.books.month_folder import MARKER, MonthFolder
from xinao_xl.books.period_report import build_period_report
from xinao_xl.books.save import save_atomic
from xinao_xl.history.store import HistoryStore, company_name
from xinao_xl.policy.rules import load_rules
from xinao_xl.services import history
from xinao_xl.services.close import close_month
from xinao_xl.services.period_report import make_period_report, parse_period, period_data
from xinao_xl.services.sample_data import BENCH, SampleSize, make_sample_month

from .child import read_calamine
from .measure import best

CACHE = Path("out") / "benchmarks"
SEED = 2026
SETTINGS = "基准设置.json"


def close_time(month: str) -> datetime:
    """The close runs on the 3rd of the next month at 09:00, as the office does."""
    year, mon = (int(x) for x in month.split("-"))
    first = datetime(year + mon // 12, mon % 12 + 1, 1, 9)
    return first + timedelta(days=2)


def build_cache(cache: Path, months: list[str], size: SampleSize) -> dict[str, float]:
    """Generate and close each month once (kept while the settings match); returns the
    closes' own history-write times (empty when the cache was reused)."""
    wanted = {"months": months, "callbacks": size.callbacks, "complaints": size.complaints, "seed": SEED}
    settings = cache / SETTINGS
    if settings.exists() and json.loads(settings.read_text(encoding="utf-8")) == wanted and all((cache / m / MARKER).exists() for m in months):
        print(f"使用已生成的缓存：{cache}")
        return {}
    if cache.exists():
        shutil.rmtree(cache)
    cache.mkdir(parents=True)
    writes = {}
    for n, month in enumerate(months, start=1):
        t0 = time.perf_counter()
        make_sample_month(month, cache, size, seed=SEED + n, now=close_time(month))
        result = close_month(month, cache, now=close_time(month), user="基准")
        writes[month] = result.timings.get("history", 0.0)
        print(f"  {month} 生成并结账 {time.perf_counter() - t0:5.1f} s（其中写历史库 {writes[month]:.2f} s）", flush=True)
    settings.write_text(json.dumps(wanted, ensure_ascii=False), encoding="utf-8")
    return writes


def run(quick: bool = False, cache: str | None = None) -> None:
    period = parse_period("2026Q4" if quick else "2026")
    months = list(period.months)
    size = SampleSize(callbacks=1_000, complaints=30) if quick else BENCH
    folder = Path(cache) if cache else CACHE / ("history-quick" if quick else "history-12m")
    print(f"历史库基准：{len(months)} 个月，每月 {size.callbacks:,} 条回访、{size.complaints} 条投诉（共 {len(months) * size.callbacks:,} / "
          f"{len(months) * size.complaints:,}）", flush=True)
    close_writes = build_cache(folder, months, size)
    company = company_name()
    work = Path(tempfile.mkdtemp(prefix="xinao-history-bench-"))
    try:
        db = work / "历史库.sqlite"
        reads, derives, writes = [], [], []
        with HistoryStore(str(db)) as store:
            for month in months:
                inputs = list(MonthFolder(folder, month).existing_books().values())
                t_read, _ = best(lambda inputs=inputs: read_calamine(inputs), repeat=3)
                t_derive, records = best(lambda month=month: history.read_month(folder, month), repeat=2)
                t_write, _ = best(lambda month=month, records=records: store.write_month(company, month, records), repeat=2)
                reads.append(t_read)
                derives.append(t_derive)
                writes.append(t_write)
        all_inputs = [p for m in months for p in MonthFolder(folder, m).existing_books().values()]
        t_read_year, _ = best(lambda: read_calamine(all_inputs), repeat=2)
        out = work / "报表.xlsx"
        t_report, result = best(lambda: make_period_report(period, folder, db=str(db), out=out), repeat=3)
        with HistoryStore(str(db)) as store, store.engine.connect() as conn:
            rules = load_rules()
            t_queries, data = best(lambda: period_data(conn, period, company, months, rules), repeat=3)
        t_book, _ = best(lambda: save_atomic(build_period_report(data), work / "b.xlsx"), repeat=3)
        size_mb = db.stat().st_size / 1e6

        read, derive, write = (statistics.mean(x) for x in (reads, derives, writes))
        print(f"\n结果（秒，取多次运行中最快的一次；每月为 {len(months)} 个月的平均）")
        print(f"  calamine 直接读取一个月的四个工作簿                  {read:7.2f}")
        print(f"  载入一个月：读取并整理（read_month）                 {derive:7.2f}")
        print(f"  载入一个月：写入历史库（一个事务）                   {write:7.2f}")
        if close_writes:
            print(f"  结账时写历史库（结账计时，平均）                       {statistics.mean(close_writes.values()):7.2f}")
        print(f"  calamine 直接读取全期 {len(all_inputs)} 个工作簿                  {t_read_year:7.2f}")
        print(f"  {period.title}分析报告（历史库 → xlsx）                {t_report:7.2f}")
        print(f"    其中：查询 {t_queries:.2f}，写报告工作簿 {t_book:.2f}")
        print(f"  历史库文件大小                                        {size_mb:7.1f} MB")
        print("\n比值")
        print(f"  载入一个月（读取整理 + 写入） ÷ calamine 读取该月       {(derive + write) / read:6.2f}×")
        print(f"  其中写入历史库 ÷ calamine 读取该月                    {write / read:6.2f}×")
        print(f"  {period.title}报告 ÷ calamine 读取全期工作簿              {t_report / t_read_year:6.2f}×"
              f"（报告快 {t_read_year / t_report:.1f} 倍）")
        print(f"  {period.title}报告 ÷ 全期读取并整理（无历史库时的下限）    {t_report / sum(derives):6.2f}×")
        print(f"\n报告：{result.path}（临时，运行后删除）；缓存：{folder}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
