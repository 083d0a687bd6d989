"""`python -m benchmarks [--quick] [--keep DIR] [--only month|history|sampling] [--cache DIR]`: run
every benchmark once and print the ratios."""

from __future__ import annotations

import argparse
import sys

from . import history, sampling
from .month import run


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description="月度结账、校验、历史库的性能基准（一次运行，打印比值）")
    p.add_argument("--quick", action="store_true", help="小规模（1,000 条回访、1 万行台账），只看能否运行")
    p.add_argument("--keep", default=None, help="生成的工作簿保存在此目录（默认临时目录，运行后删除）")
    p.add_argument("--only", choices=("month", "history", "sampling"), default=None,
                   help="只运行一项：month（结账、校验）、history（历史库载入、年度报告）或 sampling（向万行台账追加抽样）")
    p.add_argument("--cache", default=None, help="历史库基准的合成年度缓存目录（默认 out/benchmarks/…，设置不变时重复使用）")
    args = p.parse_args(argv)
    if args.only in (None, "month"):
        run(quick=args.quick, keep=args.keep)
    if args.only in (None, "history"):
        history.run(quick=args.quick, cache=args.cache)
    if args.only in (None, "sampling"):
        sampling.run(quick=args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
