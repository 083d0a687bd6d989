"""Texts of the 帮助 group: the function list (函数说明) and versions and settings (版本与设置)."""

from __future__ import annotations

import sys
from pathlib import Path

from xinao_xl import __version__
from xinao_xl.policy.rules import load_rules
from xinao_xl.services.doctor import installed_version

from .addin.inspect import embedded_xlwings_version
from .udfs import UDF_SPECS

__all__ = ["function_help_rows", "settings_text"]


def function_help_rows() -> list[list[str]]:
    """Header, then one row per function: the call as typed, its help, its arguments."""
    rows = [["函数", "说明", "参数"]]
    for spec in UDF_SPECS:
        params = ", ".join(f"[{a.name}]" if a.optional else a.name for a in spec.args)
        args = "；".join(f"{a.name}{'（可选）' if a.optional else ''}：{a.doc}" for a in spec.args)
        rows.append([f"={spec.name}({params})", spec.help, args])
    return rows


def settings_text(addin: Path | None) -> str:
    """Versions and where things are, for a support call."""
    rules = load_rules()
    lines = [
        f"xinao_xl {__version__}",
        f"Python {sys.version.split()[0]}：{sys.executable}",
        f"xlwings（Python）{installed_version('xlwings') or '未安装'}",
    ]
    if addin is not None:
        lines.append(f"加载项：{addin}")
        lines.append(f"xlwings（加载项 VBA）{embedded_xlwings_version(addin) or '无法读取'}")
    source = getattr(rules, "source", None)
    if source:
        lines.append(f"规则文件：{source}")
    lines.append(f"工作表函数：{len(UDF_SPECS)} 个（类别“新奥服务”）")
    return "\n".join(lines)
