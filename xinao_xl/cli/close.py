"""`xinao-xl close 2026-11 --dir DIR [--force --reason TEXT]`: the monthly close.

Validates first (错误 stop the close unless --force with a reason), computes every
department's score, writes the closed 考核表, the filled 意见统计表, the 客户回访报告 and the
流转单 into ``DIR/2026-11/结账/``, records the close and generates next month's workbooks
with the open items carried over. Prints a progress bar and the score table.

``--share`` makes the 回访报告 fit to leave the office: no customer name, phone or address
(services/share.py says what it covers; the 意见统计表 and 流转单 stay internal).

The month computes with the office's settings in effect for it (制度设置.xlsx beside the
month folders); a forced re-close of a closed month with those its record holds, unless
``--current-settings``; the summary says which.

``--dry-run`` (预结账) shows the validation findings grouped by kind and the scores the close
would record, and writes nothing. Run at a terminal, the close shows the same and asks before
writing; ``--yes`` skips the question (scripts; without a terminal nobody is asked).

``--db`` and ``--company`` choose the history store the month is written to (default: the
setting ``XINAO_XL_DB``, else ``历史库.sqlite`` in DIR; services/history.py).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .base import table

if TYPE_CHECKING:  # imported when the command runs (cli/__init__.py: start-up)
    from xinao_xl.services import close

BAR = 24


def register(sub: Any) -> None:
    p = sub.add_parser("close", help="月度结账：计分、考核表结账副本、意见统计表、回访报告、流转单、生成下月工作簿", description="月度结账：先校验（有错误时停止，除非 --force 并说明原因），再计分，把考核表结账副本、意见统计表、回访报告、流转单写入 月份/结账/，写结账记录，生成下月工作簿并结转未办结投诉和未反馈流转单")
    p.add_argument("month", metavar="月份", help="如 2026-11")
    p.add_argument("--dir", type=Path, default=Path("."), metavar="目录", help="月份文件夹所在目录（默认当前目录）")
    p.add_argument("--force", action="store_true", help="有校验错误或已结账时仍结账（须同时填写 --reason）")
    p.add_argument("--reason", default=None, metavar="原因", help="强制结账的原因（记入结账记录）")
    p.add_argument("--user", default=None, metavar="结账人", help="结账人（默认当前登录用户）")
    p.add_argument("--share", "--no-people", dest="share", action="store_true",
                   help="对外版回访报告：不含客户姓名、电话、地址（文字中出现的也替换为***）；意见统计表和流转单仍含客户信息，仅限内部")
    p.add_argument("--db", default=None, metavar="历史库", help="历史库：PostgreSQL 地址（postgresql://用户@主机/库名）或 SQLite 文件路径；"
                   "默认取设置 XINAO_XL_DB，否则为 --dir 下的 历史库.sqlite；off 表示不写历史库")
    p.add_argument("--company", default=None, metavar="公司", help="公司名称（写入历史库；默认取设置 XINAO_XL_COMPANY，否则为“聊城新奥燃气”）")
    p.add_argument("--current-settings", action="store_true",
                   help="强制重新结账已结账的月份时，按当前的 制度设置.xlsx 计算（默认按上次结账记录中的制度设置，使得分不因此后的设置修改而变）")
    p.add_argument("--dry-run", "--preview", dest="dry_run", action="store_true",
                   help="预结账：显示校验问题（按类别汇总）和将记录的得分，不写入任何文件")
    p.add_argument("--yes", "-y", action="store_true", help="不询问确认（供脚本使用）；在终端中运行时默认先显示预结账结果并询问")
    p.add_argument("--now", default=None, help=argparse.SUPPRESS)
    p.set_defaults(run=run)


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def ask(preview: close.ClosePreview) -> bool:
    """Show the preview and ask (a terminal only; scripts pass --yes or run without one)."""
    sys.stderr.write("\n")
    print(preview.text())
    try:
        answer = input(f"确认结账 {preview.month}？输入 y 确认，其他键取消：").strip().lower()
    except EOFError:
        return False
    return answer in ("y", "yes", "是", "确认")


def console_bar(step: int, total: int, text: str) -> None:
    """A one-line bar on stderr: [#########-----] 3/8 写入考核表结账副本; into a log file or a
    pipe (a scheduled close, the ribbon's captured output) one plain line per step instead,
    since a carriage return and an erase-line code are noise there."""
    if not sys.stderr.isatty():
        sys.stderr.write(f"{step}/{total} {text}\n")
        sys.stderr.flush()
        return
    done = BAR * step // total
    end = "\n" if step == total else ""
    sys.stderr.write(f"\r[{'#' * done}{'-' * (BAR - done)}] {step}/{total} {text}\033[K{end}")
    sys.stderr.flush()


def _user(given: str | None) -> str:
    if given:
        return given
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers and services
        return ""


def run(args: argparse.Namespace) -> int:
    from xinao_xl.books.report import MASKED, NO_PEOPLE
    from xinao_xl.services import close

    now = datetime.fromisoformat(args.now) if args.now else None
    if args.dry_run:
        preview = close.preview_close(args.month, args.dir, force=args.force, reason=args.reason, now=now, db=args.db, company=args.company,
                                      current_settings=args.current_settings)
        print(preview.text())
        print("\n（预结账：未写入任何文件）")
        return 0
    confirm = ask if (_interactive() and not args.yes) else None
    try:
        result = close.close_month(args.month, args.dir, force=args.force, reason=args.reason, user=_user(args.user), progress=console_bar,
                                   now=now, people=NO_PEOPLE if args.share else MASKED, db=args.db, company=args.company, confirm=confirm,
                                   current_settings=args.current_settings)
    except close.ValidationFailed as exc:  # the errors as a table, then the message (cli.main, exit code 1)
        sys.stderr.write("\n")
        errors = [f for f in exc.findings if f.is_error]
        print(table([[f.workbook, f.sheet, f.cell, f.message] for f in errors[:30]], ["工作簿", "工作表", "单元格", "说明"]))
        if len(errors) > 30:
            print(f"……另有 {len(errors) - 30} 个错误")
        raise
    except BaseException:  # the progress bar's line ends before the message cli.main prints
        sys.stderr.write("\n")
        raise
    if confirm is None:  # not asked: the findings by kind still shown, with the scores below
        groups = close.ClosePreview(result.month, result.cards, result.findings).groups()
        if groups:
            print(f"校验：{sum(f.is_error for f in result.findings)} 个错误、{sum(not f.is_error for f in result.findings)} 个警告")
            print("\n".join(f"  {g.line()}" for g in groups[:15]))
            print()
    print(table(result.score_rows(), close.CloseResult.SCORE_HEADERS))
    print()
    print(result.summary())
    return 0
