"""`python -m benchmarks [--quick] [--only 项,…] [--repeat N] [--keep DIR] [--cache DIR]`:
run the benchmarks and print each figure (min / median of the repetitions) with its goal."""

from __future__ import annotations

import argparse
import compileall
import shutil
import sys
import tempfile
from pathlib import Path

from . import history, measure, sampling
from .month import run_close, run_validate, run_writers
from .scale import run_scale
from .startup import run_startup
from .udfs import run_udfs

SECTIONS = ("startup", "udfs", "close", "writers", "validate", "scale", "history", "sampling")
# repetitions: (normal, --quick)
REPEATS = {"startup": (10, 3), "udfs": (5, 2), "close": (5, 2), "writers": (3, 1), "validate": (3, 2), "scale": (3, 1)}


def _sections(text: list[str] | None) -> list[str]:
    if not text:
        return list(SECTIONS)
    wanted = [s.strip() for part in text for s in part.split(",") if s.strip()]
    unknown = [s for s in wanted if s not in SECTIONS]
    if unknown:
        raise SystemExit(f"未知的项：{'、'.join(unknown)}（可选：{'、'.join(SECTIONS)}）")
    return [s for s in SECTIONS if s in wanted]


def _compiled() -> None:
    """Bytecode for the package, as an installation has it: pip compiles what it installs,
    and the libraries measured beside us (pandas, openpyxl) carry theirs; a checkout run with
    ``PYTHONDONTWRITEBYTECODE`` (set on our machines) compiles every module of ours from
    source in every process, 0.15-0.2 s of each close measured as ours."""
    ok = compileall.compile_dir(measure.REPO / "xinao_xl", quiet=1)
    print(f"xinao_xl 已编译为字节码（{'与安装后一致' if ok else '部分失败，结果偏慢'}）", flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description="性能基准（issue 16）：每个数字与其参照在同一轮中成对测量，打印最小值 / 中位数和目标")
    p.add_argument("--quick", action="store_true", help="小规模、少重复，只看能否运行")
    p.add_argument("--only", action="append", metavar="项", help=f"只运行这些项（逗号分隔，可重复）：{'、'.join(SECTIONS)}")
    p.add_argument("--repeat", type=int, default=None, metavar="N", help="每项的重复次数（默认按项而定）")
    p.add_argument("--keep", default=None, metavar="目录", help="结账等的工作目录保存在此（默认临时目录，运行后删除）")
    p.add_argument("--cache", default=None, metavar="目录", help="历史库基准的合成年度缓存目录（默认 out/benchmarks/…）")
    args = p.parse_args(argv)
    sections = _sections(args.only)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="xinao-bench-"))
    work.mkdir(parents=True, exist_ok=True)

    def repeat(section: str) -> int:
        return args.repeat or REPEATS[section][1 if args.quick else 0]

    measure.GOALS.clear()
    _compiled()
    try:
        if "startup" in sections:
            run_startup(args.quick, repeat("startup"))
        if "udfs" in sections:
            run_udfs(args.quick, repeat("udfs"))
        if "close" in sections:
            run_close(args.quick, repeat("close"), work)
        if "writers" in sections:
            run_writers(args.quick, repeat("writers"), work)
        if "validate" in sections:
            run_validate(args.quick, repeat("validate"), work)
        if "scale" in sections:
            run_scale(args.quick, repeat("scale"), work)
        if "history" in sections:
            print("\n== 历史库", flush=True)
            history.run(quick=args.quick, cache=args.cache)
        if "sampling" in sections:
            print("\n== 抽样写入台账", flush=True)
            sampling.run(quick=args.quick)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(measure.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
