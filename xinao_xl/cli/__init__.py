"""`xinao-xl`: the headless front end. Each command lives in its own module and registers
itself through `register(subparsers)`; this module only builds the parser and turns the
errors every layer raises into a Chinese message and an exit code, in one place (`main`):
a `XinaoError` (policy/errors.py) prints its message and ends with its exit code; anything
else is unexpected and shows only its type (`unexpected`).

Start-up: building the parser imports every command module, so a command module imports
at its top only what its parser needs (the standard library, `base`, light policy
modules); its use case, and with it pandas, openpyxl, SQLAlchemy and calamine, is imported
inside the function that runs the command. ``xinao-xl --version``, ``--help`` and a
command's ``--help`` then start in a fraction of the time (tests/cli/test_startup.py
checks that building the parser imports none of them; ``python -m benchmarks --only
startup`` times it).
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence

from xinao_xl import __version__
from xinao_xl.books.no_numpy import install as _without_numpy
from xinao_xl.policy.errors import XinaoError

from . import (
    addin,
    close,
    complaint_form,
    cycle,
    demo,
    doctor,
    flow_forms,
    history,
    lookup,
    month,
    refresh,
    report,
    rules,
    sample,
    score,
    settings,
    today,
    validate,
    verify,
)
from .base import ZhArgumentParser, use_utf8

_without_numpy()  # before a command imports openpyxl (which the modules above do not: books/no_numpy.py)

COMMANDS = (rules, settings, score, month, demo, validate, refresh, sample, close, verify, history, report, addin, doctor)
# The daily round (issue 14): what is due today, the 流转单 at the moment of flow, a customer's history
COMMANDS += (today, flow_forms, lookup)
COMMANDS += (complaint_form,)  # a complaint on paper: 投诉单 and 附件5 (issue 18)
# The assessment cycle (issue 19): hand out, collect, the allowance application
COMMANDS += (cycle,)


def build_parser() -> ZhArgumentParser:
    parser = ZhArgumentParser(
        prog="xinao-xl",
        description="聊城新奥燃气 服务考核、客户回访、客户投诉 工作簿工具（命令行）",
    )
    parser.add_argument("--version", action="version", version=f"xinao-xl {__version__}", help="显示版本")
    parser.add_argument("--debug", action="store_true", help="出错时显示Python调用栈（供维护人员排查；也可设环境变量 XINAO_XL_DEBUG=1）")
    sub = parser.add_subparsers(title="命令", dest="command", metavar="命令", parser_class=ZhArgumentParser)
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    use_utf8()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    debug = args.debug or bool(os.environ.get("XINAO_XL_DEBUG"))
    try:
        return int(args.run(args) or 0)
    except XinaoError as exc:  # refused before any work, unusable input, findings: the message is for staff
        if debug:
            traceback.print_exc()  # with the error it was made from (a database's, a file's)
        print(staff_message(exc), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `xinao-xl today | head`: the reader has what it wanted
        _quiet_stdout()
        return 0
    except Exception as exc:  # a bug or a case nobody foresaw: a message, never a traceback for staff
        if debug:
            raise
        return unexpected(exc)


def staff_message(exc: XinaoError) -> str:
    """``错误: …`` (the error's label, once: a message that starts with it is not prefixed again)."""
    return exc.message if exc.message.startswith(exc.label) else f"{exc.label}: {exc.message}"


def _quiet_stdout() -> None:
    """After a closed pipe, point stdout at devnull so the interpreter's own flush at exit
    does not raise again (the pattern the Python docs give for SIGPIPE)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def unexpected(exc: BaseException) -> int:
    """Exit code 2 with a Chinese message. Only the error's type is shown: its text may carry
    a cell's content (a customer's name or phone), which does not belong on a console."""
    if isinstance(exc, MemoryError):
        print("错误: 内存不足，处理已中止（工作簿过大或已损坏）。", file=sys.stderr)
    else:
        print(f"错误: 处理时发生意外错误（{type(exc).__name__}），已中止。请把所用命令和文件交给维护人员；"
              "加 --debug 重新运行（如 xinao-xl --debug validate …）可显示详细信息。", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
