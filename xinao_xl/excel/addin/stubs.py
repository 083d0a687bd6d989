"""Generate the VBA text that forwards worksheet functions to Python, from `UDF_SPECS`.

Two generated files live in ``vba_stubs/`` (committed, checked fresh by a test):

- ``XinaoUDFs.bas``: one VBA function per UDF in the form open-source xlwings writes when it
  imports UDFs (``xlwings.udfs.generate_vba_wrapper``: ``XLPy.CallUDF`` with the module
  name, the function name, the arguments and ``ActiveWorkbook`` because we are an add-in).
  xlwings' own generator imports pywin32 and needs a live workbook, so it cannot run off
  Windows; this writer produces the same text, and a test runs xlwings' generator source on
  the same functions and compares.
- ``ThisWorkbook.cls``: on open and on install, registers each function's Chinese
  description, argument descriptions and the category 新奥服务 with
  ``Application.MacroOptions`` (what xlwings does from Python after its import).

    >>> "Function DEDUCT_MYSTERY(score, Optional standard)" in udf_stubs()
    True
"""

from __future__ import annotations

from collections.abc import Sequence

from xinao_xl.excel.udfs import CATEGORY, UDF_SPECS, UdfSpec

__all__ = [
    "GENERATED_NOTE",
    "MACRO_OPTIONS_LIMIT",
    "UDF_MODULE",
    "THIS_WORKBOOK_HEADER",
    "this_workbook_cls",
    "udf_stubs",
    "vba_string",
]

UDF_MODULE = "xinao_xl.excel.udfs"
"""The Python module the stubs call (also the ``UDF Modules`` entry of the conf sheet)."""

MACRO_OPTIONS_LIMIT = 255
"""Excel refuses a MacroOptions description or argument description longer than this."""

GENERATED_NOTE = "' 由 xinao-xl addin stubs 根据 xinao_xl.excel.udfs 的 UDF_SPECS 生成，请勿手改"

THIS_WORKBOOK_HEADER = (
    "VERSION 1.0 CLASS\n"
    "BEGIN\n"
    "  MultiUse = -1  'True\n"
    "END\n"
    'Attribute VB_Name = "ThisWorkbook"\n'
    'Attribute VB_Base = "0{00020819-0000-0000-C000-000000000046}"\n'
    "Attribute VB_GlobalNameSpace = False\n"
    "Attribute VB_Creatable = False\n"
    "Attribute VB_PredeclaredId = True\n"
    "Attribute VB_Exposed = True\n"
    "Attribute VB_TemplateDerived = False\n"
    "Attribute VB_Customizable = True\n"
)


# Characters of the help texts that code page 936 (GBK) lacks, and what VBA gets instead.
_GBK_SUBSTITUTES = {"\u2212": "-", "\u2013": "-", "\u00a0": " "}


def vba_string(text: str, codepage: int = 936) -> str:
    """``text`` as a VBA string literal in the project's code page.

    Quotes are doubled; a minus sign (U+2212), which GBK lacks, becomes ``-``; any other
    character outside the code page is an error, since VBA would show it as ``?``.
    """
    if "\n" in text or "\r" in text:
        raise ValueError(f"a VBA string literal cannot hold a line break: {text!r}")
    text = "".join(_GBK_SUBSTITUTES.get(ch, ch) for ch in text)
    try:
        text.encode(f"cp{codepage}")
    except UnicodeEncodeError as exc:
        raise ValueError(f"{text!r}: {text[exc.start]!r} is not in code page {codepage}") from None
    return '"' + text.replace('"', '""') + '"'


def _stub(spec: UdfSpec, module: str) -> list[str]:
    """One function as ``generate_vba_wrapper`` writes it (4-space indents, label at 0)."""
    params = ", ".join(("Optional " if a.optional else "") + a.name for a in spec.args)
    args = "Array(" + ", ".join(a.name for a in spec.args) + ")"
    call = f'XLPy.CallUDF("{module}", "{spec.name}", {args}'
    return [
        f"Function {spec.name}({params})",
        '    #If App = "Microsoft Excel" Then',
        "        If TypeOf Application.Caller Is Range Then On Error GoTo failed",
        f"        {spec.name} = {call}, ActiveWorkbook, Application.Caller)",
        "        Exit Function",
        "    #Else",
        f"        {spec.name} = {call})",
        "        Exit Function",
        "    #End If",
        "failed:",
        f"    {spec.name} = Err.Description",
        "End Function",
        "",
    ]


def udf_stubs(specs: Sequence[UdfSpec] = UDF_SPECS, module: str = UDF_MODULE) -> str:
    """The text of ``vba_stubs/XinaoUDFs.bas`` (LF line ends; the build writes CRLF).

    Functions come in name order, as xlwings lists a module's functions (``dir``).
    """
    lines = [
        'Attribute VB_Name = "XinaoUDFs"',
        GENERATED_NOTE,
        "' 每个函数只把参数转给 Python（xlwings 导入函数时生成的同一写法），不含业务逻辑",
        "#Const App = \"Microsoft Excel\" 'Adjust when using outside of Excel",
    ]
    for spec in sorted(specs, key=lambda s: s.name):
        lines += _stub(spec, module)
    return "\n".join(lines) + "\n"


def _checked(text: str, what: str) -> str:
    if len(text) > MACRO_OPTIONS_LIMIT:
        raise ValueError(f"{what}: Excel accepts at most {MACRO_OPTIONS_LIMIT} characters, got {len(text)}")
    return vba_string(text)


def _registration(spec: UdfSpec) -> list[str]:
    lines = [f"    Register {vba_string(spec.name)}, _", f"        {_checked(spec.help, spec.name)}, _"]
    docs = [_checked(a.doc, f"{spec.name}.{a.name}") for a in spec.args]
    if not docs:
        return [*lines, "        Empty"]
    lines.append("        Array(" + docs[0] + (")" if len(docs) == 1 else ", _"))
    for i, doc in enumerate(docs[1:], start=2):
        lines.append("              " + doc + (")" if i == len(docs) else ", _"))
    return lines


def this_workbook_cls(specs: Sequence[UdfSpec] = UDF_SPECS, category: str = CATEGORY) -> str:
    """The text of ``vba_stubs/ThisWorkbook.cls``: MacroOptions for every UDF, in contract order.

    A failed registration must never stop the add-in from loading (the functions still
    work, only the function wizard lacks the help), hence ``On Error Resume Next``; the
    add-in is marked saved afterwards so Excel does not ask to save it on exit.
    """
    body = [
        GENERATED_NOTE,
        "Option Explicit",
        "",
        "Private Sub Workbook_Open()",
        "    RegisterFunctions",
        "End Sub",
        "",
        "Private Sub Workbook_AddinInstall()",
        "    RegisterFunctions",
        "End Sub",
        "",
        "' 在“插入函数”对话框中显示中文说明、参数说明和类别“" + category + "”",
        "Private Sub RegisterFunctions()",
    ]
    for spec in specs:
        body += _registration(spec)
    body += [
        "    ThisWorkbook.Saved = True",
        "End Sub",
        "",
        "Private Sub Register(ByVal functionName As String, ByVal helpText As String, ByVal argumentHelp As Variant)",
        "    On Error Resume Next",
        "    If IsEmpty(argumentHelp) Then",
        "        Application.MacroOptions Macro:=\"'\" & ThisWorkbook.Name & \"'!\" & functionName, _",
        f"            Description:=helpText, Category:={vba_string(category)}",
        "    Else",
        "        Application.MacroOptions Macro:=\"'\" & ThisWorkbook.Name & \"'!\" & functionName, _",
        f"            Description:=helpText, Category:={vba_string(category)}, ArgumentDescriptions:=argumentHelp",
        "    End If",
        "    On Error GoTo 0",
        "End Sub",
    ]
    return THIS_WORKBOOK_HEADER + "\n".join(body) + "\n"
