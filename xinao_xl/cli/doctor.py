"""`xinao-xl doctor [--addin FILE] [--folder DIR]`: check this computer can run the add-in.

Exit code 1 when a check fails (错误), 0 otherwise; every problem says what to do.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("doctor", help="诊断：Python、xlwings 版本、工作表函数、工作日历、月份文件夹", description="诊断本机能否运行新奥服务加载项；有“错误”时退出码为1")
    p.add_argument("--addin", type=Path, default=None, metavar="文件", help="要检查的加载项（默认：Excel 启动文件夹中的或 dist/xinao_xl.xlam）")
    p.add_argument("--folder", type=Path, default=Path("."), metavar="文件夹", help="月份文件夹（默认当前目录）")
    p.set_defaults(run=run)


def _find_addin(given: Path | None) -> Path | None:
    from xinao_xl.excel.addin.install import user_config_path
    from xinao_xl.excel.addin.sources import ADDIN_NAME, REPO_ROOT

    if given is not None:
        return given
    candidates = [REPO_ROOT / "dist" / ADDIN_NAME, Path("dist") / ADDIN_NAME]
    appdata = user_config_path().parent.parent / "AppData" / "Roaming" / "Microsoft" / "Excel" / "XLSTART" / ADDIN_NAME
    return next((p for p in [appdata, *candidates] if p.is_file()), None)


def run(args: argparse.Namespace) -> int:
    from xinao_xl.excel.addin.inspect import embedded_xlwings_version
    from xinao_xl.services.doctor import has_errors, report, run_checks

    addin = _find_addin(args.addin)
    version = embedded_xlwings_version(addin) if addin is not None else None
    if addin is not None:
        print(f"加载项：{addin}")
    checks = run_checks(addin_xlwings=version, month_folder=args.folder)
    print(report(checks))
    return 1 if has_errors(checks) else 0
