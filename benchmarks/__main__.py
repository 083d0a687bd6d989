"""`python -m benchmarks [--quick] [--keep DIR]`: run every benchmark once and print the ratios."""

from __future__ import annotations

import argparse
import sys

from .month import run


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description="月度结账、校验的性能基准（一次运行，打印比值）")
    p.add_argument("--quick", action="store_true", help="小规模（1,000 条回访、1 万行台账），只看能否运行")
    p.add_argument("--keep", default=None, help="生成的工作簿保存在此目录（默认临时目录，运行后删除）")
    args = p.parse_args(argv)
    run(quick=args.quick, keep=args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
