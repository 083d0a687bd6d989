"""The Chinese texts the add-in's VBA shows, kept out of the VBA source.

VBA stores module source in the project's ANSI code page (936 here), not as Unicode: a
Chinese string literal reads right only on a Windows whose code page is 936, and VBA's own
``MsgBox`` draws through that code page too. So the VBA in ``vba_stubs/`` is ASCII
(``vba_stubs/README.md``) and every text a user sees comes from Python:

- what a button does and says: `xinao_xl.excel.ribbon.dispatch`, at run time;
- what VBA must show without Python (no workbook open, so xlwings cannot start Python; the
  function wizard's help, registered when Excel loads the add-in): written here, by the
  build, to two very hidden sheets of the add-in, where cells hold Unicode whatever the
  code page. VBA reads them (``AddinText`` in ``XinaoRibbon.bas``, ``RegisterFunctions`` in
  ``ThisWorkbook.cls``) and shows them through Unicode calls (``MessageBoxW``,
  ``Application.MacroOptions``).

    >>> text_rows()[0]
    ('title', '新奥服务')
"""

from __future__ import annotations

from collections.abc import Sequence

from xinao_xl.excel.udfs import CATEGORY, UDF_SPECS, UdfSpec

__all__ = [
    "FUNCTIONS_SHEET",
    "MACRO_OPTIONS_LIMIT",
    "NO_WORKBOOK",
    "TEXT_SHEET",
    "TITLE",
    "function_rows",
    "sheets",
    "text_rows",
]

TEXT_SHEET = "xinao_xl.text"
"""Very hidden sheet: column A a key, column B the text (``AddinText`` in XinaoRibbon.bas)."""

FUNCTIONS_SHEET = "xinao_xl.functions"
"""Very hidden sheet: one row per worksheet function: name, description, argument descriptions."""

MACRO_OPTIONS_LIMIT = 255
"""Excel refuses a MacroOptions description or argument description longer than this."""

TITLE = "新奥服务"
NO_WORKBOOK = (
    "请先打开月份文件夹中的工作簿（如 2026-11 文件夹中的服务绩效考核表），再点“新奥服务”选项卡上的按钮。"
    "\n在受保护的视图中打开的工作簿，请先点“启用编辑”。"
)


def text_rows() -> list[tuple[str, str]]:
    """Rows of the text sheet: the message box when no workbook is open, its title, the
    function category of the Insert Function dialog."""
    return [("title", TITLE), ("no_workbook", NO_WORKBOOK), ("category", CATEGORY)]


def _checked(text: str, what: str) -> str:
    if len(text) > MACRO_OPTIONS_LIMIT:
        raise ValueError(f"{what}: Excel accepts at most {MACRO_OPTIONS_LIMIT} characters, got {len(text)}")
    return text


def function_rows(specs: Sequence[UdfSpec] = UDF_SPECS) -> list[tuple[str, ...]]:
    """Rows of the functions sheet, in contract order: name, help, then each argument's help."""
    return [
        (spec.name, _checked(spec.help, spec.name), *(_checked(a.doc, f"{spec.name}.{a.name}") for a in spec.args))
        for spec in specs
    ]


def sheets() -> dict[str, list[tuple[str, ...]]]:
    """Sheet name -> rows, for the build (`xinao_xl.excel.addin.xlam.build_xlam`)."""
    return {TEXT_SHEET: list(text_rows()), FUNCTIONS_SHEET: function_rows()}
