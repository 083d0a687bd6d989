"""`xinao-xl validate FILE... [--previous DIR] [--out DIR] [--csv FILE]`: check a month's workbooks.

Prints every finding (级别, 工作簿, 工作表, 单元格, 说明), writes them into one workbook
``2026-11_校验结果.xlsx`` beside the month's books (or in ``--out``), each finding's cell a
link that opens the book at that cell (the books themselves are not written), with
``--csv FILE`` also a CSV of the findings (formula-like texts made safe, books/csv_export.py), and ends
with exit code 1 when there is any 错误, 0 otherwise, 2 when the input cannot be read.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import Any

from .base import CliError, table


def register(sub: Any) -> None:
    p = sub.add_parser(
        "validate",
        help="校验某月的工作簿（格式、下拉值、制度规则、跨表一致、公式被改写）",
        description="校验某月的工作簿；有“错误”时退出码为1，无法读取时为2",
    )
    p.add_argument("files", nargs="+", type=Path, metavar="文件", help="工作簿文件或月份文件夹（如 2026-11）")
    p.add_argument("--previous", type=Path, default=None, metavar="上月文件夹", help="上月文件夹（7日内重复回访检查用；默认自动查找同级的上月文件夹）")
    p.add_argument("--out", type=Path, default=None, metavar="文件夹", help="校验结果工作簿写到这个文件夹（默认写在被校验的工作簿旁）")
    p.add_argument("--csv", type=Path, default=None, metavar="文件.csv",
                   help="另把校验结果写成 CSV（UTF-8，Excel 可直接打开；以 = + - @ 开头的文字前加 ' 防止被当作公式）")
    p.add_argument("--now", default=None, help=argparse.SUPPRESS)  # a fixed "now" for tests: 2026-12-01T10:00
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from xinao_xl.books.csv_export import write_csv
    from xinao_xl.books.save import preflight
    from xinao_xl.services import validate

    now = datetime.fromisoformat(args.now) if args.now else None
    source = args.files[0] if len(args.files) == 1 else args.files
    sources, month = validate.month_sources(source)
    results = validate.result_path(sources, month, args.out)
    # before any work: the workbooks and every file this run may write
    preflight(read=sources.values(), write=[results, args.csv])
    findings = validate.validate_month(source, args.previous, now=now)
    written = validate.write_results(findings, sources, args.out, month)
    if findings:
        rows = [[f.severity, f.workbook, f.sheet, f.cell, f.message] for f in findings]
        print(table(rows, ["级别", "工作簿", "工作表", "单元格", "说明"]))
    errors = sum(f.is_error for f in findings)
    warnings = len(findings) - errors
    print(f"\n共 {errors} 个错误、{warnings} 个警告（{len(sources)} 个工作簿）")
    print(f"  校验结果：{written}（点“单元格”一列的链接，打开工作簿中要改的单元格）")
    if args.csv is not None:
        try:
            print(f"  校验结果（CSV）：{write_csv(args.csv, validate.result_rows(findings))}")
        except OSError as exc:  # the CSV open in Excel (locked on Windows), a read-only folder
            raise CliError(f"无法写入 {args.csv}（{exc.strerror or type(exc).__name__}）：如已在 Excel 中打开请先关闭", 2) from None
    return 1 if errors else 0
