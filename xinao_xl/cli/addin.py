"""`xinao-xl addin stubs|build|install`: the Excel add-in from the text in ``vba_stubs/``.

    xinao-xl addin stubs            # regenerate XinaoUDFs.bas and ThisWorkbook.cls from the UDFs
    xinao-xl addin stubs --check    # exit 1 when the committed files are out of date
    xinao-xl addin build            # dist/xinao_xl.xlam, on any OS
    xinao-xl addin install          # Windows: into Excel's startup folder, this Python in its conf
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .base import CliError

DEFAULT_OUT = Path("dist") / "xinao_xl.xlam"


def register(sub: Any) -> None:
    p = sub.add_parser("addin", help="Excel 加载项：生成函数存根、构建 xinao_xl.xlam、在 Windows 上安装", description="Excel 加载项：stubs 生成函数存根，build 构建 dist/xinao_xl.xlam，install 在 Windows 上安装")
    actions = p.add_subparsers(title="操作", dest="action", metavar="操作")
    stubs = actions.add_parser("stubs", help="根据工作表函数重新生成 vba_stubs 中的 XinaoUDFs.bas 和 ThisWorkbook.cls",
                                description="根据工作表函数重新生成 vba_stubs 中的 XinaoUDFs.bas 和 ThisWorkbook.cls；--check 只检查是否最新")
    stubs.add_argument("--check", action="store_true", help="只检查是否最新；过期时退出码为1")
    stubs.add_argument("--dir", type=Path, default=None, metavar="目录", help="vba_stubs 目录（默认项目中的 vba_stubs）")
    stubs.set_defaults(run=run_stubs)
    build = actions.add_parser("build", help="构建加载项 dist/xinao_xl.xlam（任何操作系统）", description="构建加载项 dist/xinao_xl.xlam（任何操作系统都可以构建）")
    build.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="文件", help="输出文件（默认 dist/xinao_xl.xlam）")
    build.add_argument("--dir", type=Path, default=None, metavar="目录", help="vba_stubs 目录（默认项目中的 vba_stubs）")
    build.set_defaults(run=run_build)
    install = actions.add_parser("install", help="安装加载项到 Excel 启动文件夹（仅 Windows）", description="把加载项安装到 Excel 启动文件夹（XLSTART），并写入当前 Python 的路径（仅 Windows）")
    install.add_argument("--from-source", action="store_true", help="由 Excel 导入 vba_stubs 中的模块并编译生成加载项（需信任对 VBA 工程对象模型的访问）")
    install.set_defaults(run=run_install)
    p.set_defaults(run=lambda args: _usage(p))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _stubs_dir(given: Path | None) -> Path:
    from xinao_xl.excel.addin.sources import STUBS_DIR

    folder = given or STUBS_DIR
    if not (folder / "customUI14.xml").is_file():
        raise CliError(f"找不到 vba_stubs 目录（{folder}）：请在项目目录中运行，或用 --dir 指定")
    return folder


def run_stubs(args: argparse.Namespace) -> int:
    from xinao_xl.excel.addin.sources import stale_stubs, write_generated

    folder = _stubs_dir(args.dir)
    stale = stale_stubs(folder)
    if args.check:
        if stale:
            print(f"以下文件已过期，请运行 xinao-xl addin stubs：{'、'.join(stale)}")
            return 1
        print("vba_stubs 已是最新")
        return 0
    for path in write_generated(folder):
        print(f"{'已更新' if path.name in stale else '无变化'}：{path}")
    return 0


def run_build(args: argparse.Namespace) -> int:
    from xinao_xl.excel.addin.sources import build_addin, stale_stubs

    folder = _stubs_dir(args.dir)
    stale = stale_stubs(folder)
    if stale:
        raise CliError(f"vba_stubs 中的 {'、'.join(stale)} 与工作表函数不一致：请先运行 xinao-xl addin stubs", 1)
    try:
        out = build_addin(args.out, folder)
    except ValueError as exc:
        raise CliError(f"构建失败：{exc}", 1) from None
    print(f"已生成加载项：{out}")
    return 0


def run_install(args: argparse.Namespace) -> int:
    from xinao_xl.excel.addin import install

    if not sys.platform.startswith("win"):
        raise CliError("安装加载项需要 Windows 和 Excel：请在办公电脑（Windows）上运行 xinao-xl addin install；其他系统可用 xinao-xl addin build 生成 dist/xinao_xl.xlam", 2)
    folder = install.startup_folder()
    target = install.install_from_source(folder) if args.from_source else install.install_built(folder)
    print(f"已安装加载项：{target}\n请重新启动 Excel，功能区中会出现“新奥服务”选项卡")
    return 0
