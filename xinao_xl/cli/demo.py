"""`xinao-xl demo`: the whole month on synthetic data (README's first command).

Creates 2026-11 with a realistic synthetic month (fake customers, generated, not customer
data) in ``./示例/`` (or ``--dir``), validates it, closes it, and prints where the files
are and the score table of all seven departments. Opens nothing. Beside the month it
writes the completed-orders export of 12-03 (``完工工单_2026-12-03.xlsx``) and prints the
``xinao-xl sample`` command that samples it into December's 台账, the next step of the
guide's walk-through.

A previous demo run in the same folder is replaced; a folder that is not a demo folder
(no ``.xinao-demo`` marker) and already holds month folders is refused, so the demo never
deletes staff's work.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from xinao_xl.services.sample_size import SampleSize

from .base import CliError, table
from .close import console_bar

DEMO_MONTH = "2026-11"
DEMO_DIR = Path("示例")
MARKER = ".xinao-demo"
# The close runs "as of" early December, so a flow form still open at the end of November
# is late and its department loses the points, as it would at a real close.
DEMO_NOW = datetime(2026, 12, 3, 9, 0)
AGENT = "孙雪燕"  # the clerk of the guide's walk-through


def register(sub: Any) -> None:
    p = sub.add_parser("demo", help="用合成样例数据演示整月流程：生成、校验、结账、得分表", description="用合成样例数据（虚构客户）演示整月流程：在 ./示例/ 中生成 2026-11 的四个工作簿，校验、结账，并打印七个部门的得分表；另写一份 12 月 3 日的完工工单，练习抽样用")
    p.add_argument("--dir", type=Path, default=DEMO_DIR, metavar="目录", help="示例文件夹（默认 ./示例/，会覆盖上次的示例）")
    p.add_argument("--callbacks", type=int, default=SampleSize().callbacks, metavar="条数", help="回访条数（默认 %(default)s）")
    p.add_argument("--complaints", type=int, default=SampleSize().complaints, metavar="条数", help="投诉条数（默认 %(default)s）")
    p.add_argument("--seed", type=int, default=2026, metavar="种子", help="随机种子（相同种子生成相同数据）")
    p.set_defaults(run=run)


def prepare(folder: Path) -> None:
    """Empty a previous demo folder; refuse a folder that is not ours."""
    from xinao_xl.books.save import write_text_atomic

    if folder.exists() and any(folder.iterdir()):
        if not (folder / MARKER).exists():
            raise CliError(f"{folder} 已存在且不是示例文件夹（没有 {MARKER}）：为免覆盖工作簿已停止，请用 --dir 指定其他文件夹")
        for child in folder.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    write_text_atomic(folder / MARKER, "xinao-xl demo\n")


def run(args: argparse.Namespace) -> int:
    from xinao_xl.services import close, validate
    from xinao_xl.services.sample_data import make_sample_month, write_sample_export

    folder: Path = args.dir
    prepare(folder)
    size = SampleSize(callbacks=args.callbacks, complaints=args.complaints)
    month = make_sample_month(DEMO_MONTH, folder, size, seed=args.seed, now=DEMO_NOW)
    print(f"【1/3 生成】{DEMO_MONTH} 合成样例（虚构客户，非真实数据）：回访 {len(month.callbacks)} 条，投诉 {len(month.complaints)} 条，加减分 {len(month.items)} 条")
    for path in month.paths.values():
        print(f"  {path}")
    export = write_sample_export(folder, DEMO_NOW.date(), month.callbacks, seed=args.seed)
    print(f"  {export}（{DEMO_NOW.month}月{DEMO_NOW.day}日从业务系统导出的完工工单，练习每日抽样用）")

    findings = validate.validate_month(month.folder, now=DEMO_NOW)
    errors = sum(f.is_error for f in findings)
    print(f"\n【2/3 校验】{errors} 个错误、{len(findings) - errors} 个警告")
    for f in findings[:5]:
        print(f"  [{f.severity}] {f.workbook} {f.sheet}!{f.cell}：{f.message}")

    print("\n【3/3 结账】", flush=True)
    result = close.close_month(DEMO_MONTH, folder, user="示例", progress=console_bar, now=DEMO_NOW)
    sys.stderr.flush()
    print(result.summary())
    if result.record:
        print(f"结账记录：{result.record}")
    print(f"\n【{DEMO_MONTH} 各部门服务考核得分】")
    print(table(result.score_rows(), close.CloseResult.SCORE_HEADERS))
    print("\n每个部门的扣分明细见结账副本的“结账明细”表；用 Excel 或 WPS 打开上面的文件即可查看。")
    print(f"接着练习 {DEMO_NOW.month}月{DEMO_NOW.day}日的抽样：xinao-xl sample {export} --date {DEMO_NOW:%Y-%m-%d} --agent {AGENT} --dir {folder}")
    return 0
