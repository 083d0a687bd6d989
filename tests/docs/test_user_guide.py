"""The user guide (docs/使用说明.md) says what the program does, and keeps saying it.

A newcomer follows the guide on the demo month and must get the guide's numbers, so the
numbers are checked against the program, not proofread:

- every picture the guide shows exists and is one `tools/screenshots.py` makes;
- every ribbon button (id and label), every worksheet function and every `xinao-xl`
  command is described;
- each example formula in the marked UDF table is evaluated with the add-in's own
  functions and must give the result quoted;
- `xinao-xl demo` is run: the output the guide quotes and its score table must be what
  it prints; the 考核表's own formulas (recalculated in LibreOffice) must give the scores
  the guide shows beside the close's (equal since issue 12: one truth);
- the table of facts (一处录入) names sheets and columns the workbooks have;
- every kind of validation message in services/validate*.py has a row in the guide's
  table (by a key phrase of the message), and every row's key phrase is still a message.

Sections the tests read are marked in the guide with ``<!-- name -->`` … ``<!-- /name -->``.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import importlib.util
import io
import re
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from defusedxml import ElementTree
from openpyxl import load_workbook

from tests.support.libreoffice import recalculate
from xinao_xl.books import assessment, callback_ledger
from xinao_xl.books.printing import PRINT_MIN_PT
from xinao_xl.cli import build_parser
from xinao_xl.cli import main as cli_main
from xinao_xl.cli.demo import DEMO_MONTH
from xinao_xl.excel import udfs
from xinao_xl.excel.ribbon import HANDLERS
from xinao_xl.policy.rules import load_rules
from xinao_xl.services.validate_schema import actual_hint

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
GUIDE = DOCS / "使用说明.md"
RIBBON_XML = ROOT / "vba_stubs" / "customUI14.xml"
VALIDATE_SOURCES = sorted((ROOT / "xinao_xl" / "services").glob("validate*.py"))
IMAGE_BUDGET = 600 * 1024  # bytes for all pictures together: the repository stays light


@pytest.fixture(scope="module")
def guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def section(text: str, name: str) -> str:
    found = re.search(rf"<!-- {name} -->\n(.*?)<!-- /{name} -->", text, re.S)
    assert found, f"the guide has no section marked <!-- {name} -->"
    return found.group(1)


def table_rows(block: str) -> list[list[str]]:
    """Body rows of the Markdown table in `block`, cells stripped (header and rule dropped)."""
    rows = [line.strip() for line in block.splitlines() if line.strip().startswith("|")]
    cells = [[c.strip() for c in row.strip("|").split("|")] for row in rows]
    assert len(cells) >= 3 and set(cells[1][0]) <= set("-: "), "a Markdown table with a header row"
    return cells[2:]


def code(cell: str) -> str:
    assert cell.startswith("`") and cell.endswith("`"), f"expected `code` in the cell: {cell}"
    return cell[1:-1]


# --- pictures --------------------------------------------------------------------------------


def load_screenshots_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("screenshots_tool", ROOT / "tools" / "screenshots.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_every_picture_exists_and_is_made_by_the_script(guide: str) -> None:
    shown = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", guide)
    assert len(shown) >= 10
    for ref in shown:
        path = DOCS / ref
        assert path.is_file(), f"the guide shows {ref}, which does not exist"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{ref} is not a PNG"
    tool = load_screenshots_tool()
    made = {f"img/{shot.name}.png" for shot in (*tool.SHOTS, tool.CHECK_SHOT)}
    assert set(shown) <= made, f"pictures tools/screenshots.py does not make: {sorted(set(shown) - made)}"
    on_disk = {f"img/{p.name}" for p in (DOCS / "img").glob("*.png")}
    assert on_disk <= set(shown), f"pictures in docs/img the guide does not show: {sorted(on_disk - set(shown))}"
    assert sum((DOCS / ref).stat().st_size for ref in set(shown)) < IMAGE_BUDGET


# --- buttons, functions, commands ------------------------------------------------------------


def test_every_ribbon_button_is_described(guide: str) -> None:
    ns = {"ui": "http://schemas.microsoft.com/office/2009/07/customui"}
    buttons = ElementTree.parse(RIBBON_XML).getroot().findall(".//ui:button", ns)
    assert len(buttons) == len(HANDLERS) >= 12
    for button in buttons:
        assert f"`{button.get('id')}`" in guide, f"button id {button.get('id')} is not in the guide"
        assert f"| {button.get('label')} |" in guide, f"button {button.get('label')} has no row in the guide"


def test_every_worksheet_function_is_described_with_an_example(guide: str) -> None:
    examples = {parse_formula(code(row[0]))[0] for row in table_rows(section(guide, "udf-examples"))}
    assert f"{len(udfs.udf_names())} 个工作表函数" in guide
    for name in udfs.udf_names():
        assert f"`{name}(" in guide, f"{name} is not in the function list"
        assert name in examples, f"{name} has no example in the marked table"


def test_the_excel_checklist_quotes_the_add_in(guide: str) -> None:
    """The first-install checklist (what only Excel shows) says what the add-in has and shows."""
    from xinao_xl.excel.addin.texts import NO_WORKBOOK

    checklist = section(guide, "excel-checklist")
    ns = {"ui": "http://schemas.microsoft.com/office/2009/07/customui"}
    root = ElementTree.parse(RIBBON_XML).getroot()
    groups, buttons = root.findall(".//ui:group", ns), root.findall(".//ui:button", ns)
    assert f"五组共 {len(buttons)} 个按钮" in checklist and len(groups) == 5
    assert f"{len(udfs.udf_names())} 个函数" in checklist
    quoted = re.search(r"中文提示“(.+?)……”", checklist.replace("\n", "").replace(" ", ""))
    assert quoted and NO_WORKBOOK.startswith(quoted.group(1)), "the no-workbook message the guide quotes"
    labels = {b.get("label"): b.get("imageMso") for b in buttons}
    for label in re.findall(r"“([^”]+)”", checklist.split("\n2.")[0]):
        assert label in labels or label == "新奥服务", label  # the icons to look at are real buttons
    assert "=DEDUCT_COMPLAINT(\"400四级\")" in checklist and udfs.DEDUCT_COMPLAINT("400四级") == 15
    assert "SLA_STATUS" in checklist and [s.name for s in udfs.UDF_SPECS if s.volatile] == ["SLA_STATUS"]


def commands(parser: argparse.ArgumentParser, prefix: str = "xinao-xl") -> list[str]:
    """Every command line `xinao-xl X` and `xinao-xl X Y` the parser knows."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append(f"{prefix} {name}")
                found += commands(sub, f"{prefix} {name}")
    return found


def test_every_command_is_described(guide: str) -> None:
    lines = commands(build_parser())
    assert "xinao-xl demo" in lines and "xinao-xl addin build" in lines
    for line in lines:
        top = " ".join(line.split()[:2])
        if line == top:
            assert f"`{line}`" in guide, f"the command {line} has no entry in the guide"
        else:
            assert line in guide or f"`{line.split()[-1]}`" in guide, f"{line} is not mentioned"


# --- UDF examples ----------------------------------------------------------------------------


def split_args(text: str) -> list[str]:
    """Split at the commas outside quotes and array braces."""
    out, depth, quoted, current = [], 0, False, ""
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "{":
            depth += 1
        elif not quoted and ch == "}":
            depth -= 1
        if ch == "," and depth == 0 and not quoted:
            out.append(current)
            current = ""
        else:
            current += ch
    return [*out, current]


def literal(text: str) -> Any:
    """An Excel constant as xlwings hands it to the function."""
    text = text.strip()
    if text == "":
        return None  # an omitted argument
    if text.startswith('"'):
        return text[1:-1].replace('""', '"')
    if text in ("TRUE", "FALSE"):
        return text == "TRUE"
    if text.startswith("{"):
        rows = [[literal(v) for v in split_args(row)] for row in text[1:-1].split(";")]
        return rows[0] if len(rows) == 1 else rows
    if text.endswith("%"):
        return float(text[:-1]) / 100
    return float(text)


def parse_formula(formula: str) -> tuple[str, list[Any]]:
    found = re.fullmatch(r"=([A-Z_]+)\((.*)\)", formula)
    assert found, f"not a single function call: {formula}"
    return found.group(1), [literal(a) for a in split_args(found.group(2))]


def shown(value: Any) -> str:
    """A result as the guide writes it."""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d}" if value.time() == datetime.min.time() else f"{value:%Y-%m-%d %H:%M:%S}"
    if isinstance(value, float):
        return f"{value:g}"
    if value == "":
        return "（空）"
    return str(value)


def test_parse_formula_reads_excel_constants() -> None:
    assert parse_formula('=F("a,b",{1,2;3,4},,96.5%,TRUE)') == ("F", ["a,b", [[1.0, 2.0], [3.0, 4.0]], None, 0.965, True])
    assert shown(datetime(2026, 11, 5, 23, 59, 59)) == "2026-11-05 23:59:59" and shown(15.0) == "15"


def test_udf_examples_give_the_results_quoted(guide: str) -> None:
    rows = table_rows(section(guide, "udf-examples"))
    assert len(rows) >= len(udfs.udf_names())
    for row in rows:
        name, args = parse_formula(code(row[0]))
        result = getattr(udfs, name)(*args)
        assert shown(result) == code(row[1]), f"{code(row[0])} gives {shown(result)}, the guide says {code(row[1])}"


# --- the demo month ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """`xinao-xl demo` as the newcomer runs it; its folder and printed lines, paths as printed
    from the project folder (``示例/2026-11/…``)."""
    folder = tmp_path_factory.mktemp("guide") / "示例"
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert cli_main(["demo", "--dir", str(folder)]) == 0
    text = out.getvalue().replace(str(folder.parent) + "/", "")
    return folder, [line.rstrip() for line in text.splitlines()]


def printed_scores(lines: list[str]) -> dict[str, list[str]]:
    """The score table `xinao-xl demo` prints (columns split at runs of spaces)."""
    start = next(i for i, line in enumerate(lines) if line.startswith("部门 ")) + 2
    rows = {}
    for line in lines[start:]:
        if not line.strip():
            break
        cells = re.split(r"\s{2,}", line.strip())
        rows[cells[0]] = cells
    return rows


def test_demo_prints_what_the_guide_quotes(guide: str, demo: tuple[Path, list[str]]) -> None:
    _, lines = demo
    quoted = section(guide, "demo-output").strip().removeprefix("```text").removesuffix("```").strip("\n")
    for line in quoted.splitlines():
        if line.strip():
            assert line.rstrip() in lines, f"the guide quotes a line the demo does not print:\n{line}"


def test_demo_scores_are_the_guides(guide: str, demo: tuple[Path, list[str]]) -> None:
    _, lines = demo
    printed = printed_scores(lines)
    rows = table_rows(section(guide, "demo-scores"))
    assert [r[0] for r in rows] == list(printed) and len(rows) == 7
    for row in rows:
        assert row == printed[row[0]], f"{row[0]}: the guide says {row[1:]}, the demo prints {printed[row[0]][1:]}"


def test_the_worked_example_adds_up(guide: str, demo: tuple[Path, list[str]]) -> None:
    """客服部 by hand: the items' points sum to the printed 扣分合计, 100 minus it is the score."""
    _, lines = demo
    kefu = printed_scores(lines)["客服部"]
    total = round(6.53 + 5.76 + 7.5 + 9 + 10 + 10 + 2 + 0.5, 2)
    assert f"{total:g}" == kefu[1] == "51.29"
    assert f"{100 - total:g}" == kefu[3] == "48.71"
    assert f"{round(0.15 * (100 - total), 2):g}" == kefu[6] and f"{1500 * (100 - total) / 100:g}" == kefu[7]
    assert "6.53 + 5.76 + 7.5 + 9 + 10 + 10 + 2 + 0.5" in guide


def test_callbacks_counted_as_the_guide_says(guide: str, demo: tuple[Path, list[str]]) -> None:
    """300 callbacks in the 台账; 272 reached the customer (满意 + 不满意), 28 did not."""
    folder, _ = demo
    spec = callback_ledger.ledger_sheet()
    ws = load_workbook(folder / DEMO_MONTH / f"{DEMO_MONTH}_{callback_ledger.STEM}.xlsx", read_only=True)[spec.name]
    rows = ws.iter_rows(min_row=spec.first_row, values_only=True)
    results = Counter(row[spec.index("result") - 1] for row in rows if row[spec.index("business") - 1] is not None)
    reached = results["满意"] + results["不满意"]
    assert (sum(results.values()), reached, results["未接通"] + results["拒访"]) == (300, 272, 28)
    assert "回访 300 条，报告中回访量是 272：有 28 条是未接通或拒访" in guide


@pytest.mark.libreoffice
def test_workbook_formulas_agree_with_the_close_as_the_guide_says(
    guide: str, demo: tuple[Path, list[str]], tmp_path: Path, require_libreoffice: str
) -> None:
    """Before issue 12 the guide said 48.72 in the 考核表, 48.71 closed; now both say 48.71."""
    folder, lines = demo
    book = folder / DEMO_MONTH / f"{DEMO_MONTH}_{assessment.STEM}.xlsx"
    ws = load_workbook(recalculate(book, tmp_path), data_only=True)[assessment.SUMMARY]
    summary = assessment.summary_sheet(load_rules())
    score_col = summary.letter("score")
    printed = printed_scores(lines)
    for dept, in_book, closed in table_rows(section(guide, "workbook-scores")):
        value = ws[f"{score_col}{summary.row_of(dept)}"].value
        assert f"{value:.2f}" == in_book, f"{dept}: the 考核表 computes {value}, the guide says {in_book}"
        assert float(closed) == float(printed[dept][3]) == float(in_book)


def test_the_table_of_facts_names_real_sheets_and_columns(guide: str) -> None:
    """Each fact typed in one place (issue 12): every sheet or column the table quotes (“…”)
    in its 在哪里填 column is one the workbooks have, each workbook appears, and 加减分明细 is
    not where a complaint or a late 流转单 is typed."""
    from xinao_xl.books import complaint_ledger, imported, opinions, rules_sheet

    rules = load_rules()
    sheets = {s.name for spec in (assessment.assessment_spec(rules),) for s in spec.sheets} | {imported.SHEET}
    sheets |= {callback_ledger.LEDGER, callback_ledger.completed_sheet(rules).name, complaint_ledger.LEDGER, opinions.SHEET, rules_sheet.SHEET}
    headers = {h for s in assessment.assessment_spec(rules).sheets for h in s.headers}
    headers |= set(callback_ledger.ledger_sheet().headers) | set(complaint_ledger.ledger_sheet(rules).headers)
    rows = table_rows(section(guide, "facts"))
    assert len(rows) >= 10
    where = " ".join(r[1] for r in rows)
    for book in ("回访台账", "投诉台账", "考核表"):
        assert book in where
    for quoted in re.findall(r"“([^”]+)”", where):
        assert quoted in sheets or quoted in headers, f"the table of facts quotes “{quoted}”, no sheet or column has that name"
    typed_in_items = [r[0] for r in rows if "加减分明细" in r[1]]
    assert typed_in_items and all("投诉" not in fact and "流转单" not in fact for fact in typed_in_items)


# --- validation messages -------------------------------------------------------------------------

CJK = re.compile(r"[\u4e00-\u9fff]")
SEVERITY_NAMES = {"ERROR", "WARNING"}


def _texts(node: ast.AST, assigned: dict[str, list[ast.expr]], depth: int = 0) -> list[str]:
    """The literal texts a message expression can take: a string, an f-string (its named
    parts shown with the strings they may hold), either branch of ``a if c else b``, or
    what a local name was assigned in the function."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _texts(node.body, assigned, depth) + _texts(node.orelse, assigned, depth)
    if isinstance(node, ast.Tuple):  # a helper returning (message, the message without the value)
        return [t for element in node.elts for t in _texts(element, assigned, depth)]
    if isinstance(node, ast.Name) and depth < 2:
        return [t for value in assigned.get(node.id, []) for t in _texts(value, assigned, depth + 1)]
    if not isinstance(node, ast.JoinedStr):
        return []
    parts = []
    for value in node.values:
        if isinstance(value, ast.Constant):
            parts.append(str(value.value))
        elif isinstance(value, ast.FormattedValue) and isinstance(value.value, ast.Name):
            held = [c.value for v in assigned.get(value.value.id, []) for c in ast.walk(v) if isinstance(c, ast.Constant) and isinstance(c.value, str)]
            parts.append("{" + "|".join(held) + "}")
        else:
            parts.append("{}")
    return ["".join(parts)]


def message_texts() -> list[tuple[str, int, str]]:
    """(file, line, literal text) of each finding message the validation modules can emit:
    the message of every ``m.at(...)``/``m.add(...)`` and ``Finding(...)``, the strings in
    tuples that carry a severity, and the texts helper functions return."""
    found = []
    for path in VALIDATE_SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]:
            assigned: dict[str, list[ast.expr]] = {}
            for node in ast.walk(func):
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    assigned.setdefault(node.targets[0].id, []).append(node.value)
            candidates: list[ast.AST] = []
            for node in ast.walk(func):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("at", "add") \
                        and isinstance(node.func.value, ast.Name) and node.func.value.id in ("m", "self") and node.args:
                    candidates.append(node.args[-1])
                elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Finding" and len(node.args) == 5:
                    candidates.append(node.args[-1])
                elif isinstance(node, ast.Tuple) and any(isinstance(e, ast.Name) and e.id in SEVERITY_NAMES for e in node.elts):
                    candidates += node.elts
                elif isinstance(node, ast.Return) and node.value is not None:
                    candidates.append(node.value)
            if func.name in RENDERED_FROM_RULES:
                continue
            for node in candidates:
                for text in _texts(node, assigned):
                    if len(CJK.findall(re.sub(r"\{[^}]*\}", "", text))) >= 4:
                        found.append((path.name, getattr(node, "lineno", 0), text))
    return found + rendered_message_texts()


# Message functions whose words come from rules.toml (a kind's unit and range), not from the
# source: their messages are the texts they give for every kind of the packaged rules.
RENDERED_FROM_RULES = {"actual_hint"}


def rendered_message_texts() -> list[tuple[str, int, str]]:
    kinds = [k for k in load_rules().kinds.values() if k.unit is not None]
    assert kinds
    return [("rules.toml", 0, f"{kind.key}: {actual_hint(kind)}") for kind in kinds]


def test_message_extraction_finds_the_messages() -> None:
    texts = [t for _, _, t in message_texts()]
    assert len(texts) >= 30
    assert any("不在下拉列表中" in t for t in texts) and any("公式已被清除" in t for t in texts)
    assert any("直接取{回访台账|投诉台账}的数字" in t for t in texts)  # held in a variable of the f-string
    assert any("同一工单只回访一次" in t for t in texts)  # a message assigned to a name first
    assert any("未逐一列出" in t for t in texts)  # a Finding made directly


def test_every_validation_message_kind_is_explained(guide: str) -> None:
    rows = table_rows(section(guide, "validation-messages"))
    keys = [code(row[0]) for row in rows]
    assert all(row[1] in ("错误", "警告", "错误/警告") and row[2] and row[3] for row in rows), "each row: key, 级别, 含义, 怎么改"
    source = "".join(p.read_text(encoding="utf-8") for p in VALIDATE_SOURCES) + "".join(t for _, _, t in rendered_message_texts())
    stale = [k for k in keys if k not in source]
    assert not stale, f"the guide explains messages the program no longer has: {stale}"
    missing = [f"{name}:{line}: {text}" for name, line, text in message_texts() if not any(k in text for k in keys)]
    assert not missing, "validation messages the guide's table does not explain (add a row with a key phrase):\n" + "\n".join(missing)


# --- the daily round (issue 14) ----------------------------------------------------------------


def test_the_daily_round_section_says_what_today_does(guide: str) -> None:
    """3.4: the buttons and commands it names exist, and its worked deadline is the program's."""
    from datetime import date, datetime

    from xinao_xl.policy.deadlines import callback_due, report_due, review_due

    block = section(guide, "daily-round")
    assert "“今日待办”" in block and "btnToday" in HANDLERS
    for line in ("xinao-xl today", "xinao-xl flow-forms", "xinao-xl lookup", "xinao-xl report --month"):
        assert line in block and line in " ".join(commands(build_parser())) + " xinao-xl report --month"
    # "11 月 17 日完工，11 月 20 日 24:00 前"; reports by the 4th, reviews by the 6th
    assert "11 月 17 日完工，11 月 20 日 24:00 前" in block and callback_due(date(2026, 11, 17)) == datetime(2026, 11, 20, 23, 59, 59)
    assert "次月 4 日 24:00 前" in block and report_due("2026-11").date() == date(2026, 12, 4)
    assert "次月 6 日 24:00 前" in block and review_due("2026-11").date() == date(2026, 12, 6)
    from xinao_xl.excel.ribbon import MAX_LISTED

    assert f"最紧急的 {MAX_LISTED} 项" in block


# --- the complaint's course (issue 18) ---------------------------------------------------------


def test_the_complaint_process_section_says_what_the_program_does(guide: str) -> None:
    """4.4's steps of 投诉 第七条: the worked rejection date is the program's, the settings it
    names exist, the buttons and the command exist, and the print figures are the ledger's."""
    from xinao_xl.books import complaint_ledger
    from xinao_xl.policy.complaint_process import round_start
    from xinao_xl.policy.deadlines import stage_due

    block = section(guide, "complaint-process")
    rules = load_rules()
    # "11 月 3 日 9:00 受理，11 月 6 日 15:30 驳回，第 2 轮的调查时限是 … 11 月 8 日 24:00"
    start = round_start(datetime(2026, 11, 3, 9), 2, datetime(2026, 11, 6, 15, 30), rules)
    assert "11 月 6 日 15:30" in block and stage_due("investigate", start, rules=rules) == datetime(2026, 11, 8, 23, 59, 59)
    assert "11 月 8 日 24:00" in block
    for key in ("rejection_restarts_deadlines", "partner_unit_deducts"):
        assert f"`{rules.param(key).label}`" in block, key
    for clause in ("第七条(二)3", "第七条(三)", "第七条(四)2", "第七条(四)3", "第七条(一)5、6", "第十条(二)", "附件2 第2项"):
        assert clause in block, clause
    assert {"btnComplaintForm", "btnTerminationForm"} <= set(HANDLERS) and "“打印投诉单”" in block
    assert "xinao-xl complaint-form" in block and "xinao-xl complaint-form" in " ".join(commands(build_parser()))
    spec = complaint_ledger.ledger_sheet(rules)
    assert f"打印前 {spec.print_columns} 列" in block and spec.columns[spec.print_columns - 1].header == "扣分"
    assert f"不小于 {PRINT_MIN_PT:g} 磅" in block


def test_the_guide_says_how_the_callback_ledger_prints(guide: str) -> None:
    """The guide's split, repeated columns and scale are the 台账's: 回访日期…客户建议 on the left
    page, 不满原因…备注 on the right, A:C on both; 83 % is the scale the workbook holds."""
    ws = callback_ledger.build_callback_ledger("2026-11")[callback_ledger.LEDGER]
    spec = callback_ledger.ledger_sheet()
    split = spec.index(callback_ledger.PRINT_SPLIT_AFTER)
    assert ws.col_breaks.brk[0].id == split and ws.print_title_cols == "$A:$C"
    left_last, right_first, last = spec.columns[split - 1].header, spec.columns[split].header, spec.columns[-1].header
    assert (left_last, right_first, last) == ("客户建议", "不满原因", "备注")
    text = "".join(guide.split())
    assert f"左页到“{left_last}”，右页从“{right_first}”到“{last}”" in text
    assert f"“{'、'.join(spec.headers[:3])}”三列" in text
    assert f"约为原大的{ws.page_setup.scale}%（不小于{PRINT_MIN_PT:g}磅）" in text
