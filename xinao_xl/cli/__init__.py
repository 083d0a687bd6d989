"""`xinao-xl`: the headless front end. Each command lives in its own module and registers
itself through `register(subparsers)`; this module only builds the parser and turns the
errors every layer raises into a Chinese message and an exit code.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib import import_module

from xinao_xl import __version__
from xinao_xl.policy.errors import PolicyInputError, RulesError

from .base import CliError, ZhArgumentParser, use_utf8

COMMAND_MODULES = ("rules", "score", "month", "demo", "validate", "sample", "close", "verify", "addin", "doctor")


def build_parser() -> ZhArgumentParser:
    parser = ZhArgumentParser(
        prog="xinao-xl",
        description="聊城新奥燃气 服务考核、客户回访、客户投诉 工作簿工具（命令行）",
    )
    parser.add_argument("--version", action="version", version=f"xinao-xl {__version__}", help="显示版本")
    sub = parser.add_subparsers(title="命令", dest="command", metavar="命令", parser_class=ZhArgumentParser)
    for name in COMMAND_MODULES:
        import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    use_utf8()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except CliError as exc:
        print(f"错误: {exc}", file=sys.stderr)
        return exc.code
    except PolicyInputError as exc:
        print(f"输入错误: {exc}", file=sys.stderr)
        return 2
    except RulesError as exc:
        print(f"规则文件错误: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
