"""Every ``--help`` screen is Chinese (issue 14 item 6): each command and subcommand has a
Chinese description, Chinese placeholders and Chinese help for every option; the only
Latin words left are the names of options, commands, products and file formats.

The screens are found by walking the parser, so a command added later is checked too.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re

import pytest

from xinao_xl.cli import build_parser, main

CJK = re.compile(r"[\u4e00-\u9fff]")
# Latin words a Chinese help may hold: product and format names, words staff type as they
# are (command and option names are taken out before the check).
ALLOWED = {
    "xinao", "xl", "excel", "windows", "xlstart", "python", "xlwings", "vba", "vba_stubs", "workbooks", "readme",
    "json", "csv", "utf", "sha", "sqlite", "postgresql", "native", "udf", "off", "lz", "ts",  # lz, ts: 流转单号 LZ…, 投诉单号 TS…
    "xinao_xl_db", "xinao_xl_company", "xinao_xl_debug",
}


def screens(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """(command words, parser) of the program and of every command and subcommand."""
    out = [(path, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out += screens(sub, (*path, name))
    return out


SCREENS = screens(build_parser())


def help_text(words: tuple[str, ...]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as ended:
        main([*words, "--help"])
    assert ended.value.code == 0
    return out.getvalue()


def option_names(parsers: list[argparse.ArgumentParser]) -> set[str]:
    """Every option and command name of the parsers (a help may name another command's)."""
    names: set[str] = set()
    for parser in parsers:
        for action in parser._actions:
            names |= set(action.option_strings)
            if isinstance(action, argparse._SubParsersAction):
                names |= set(action.choices)
    return names


def latin_words(text: str, parser: argparse.ArgumentParser) -> set[str]:
    """The Latin words of a help screen that are not an option, a command or allowed."""
    names = option_names([parser, *(p for _, p in SCREENS)])
    for name in sorted(names, key=len, reverse=True):
        text = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", " ", text)
    text = re.sub(r"\{[^}]*\}", " ", text)  # the choices of an option: values typed as they are
    text = re.sub(r"[A-Za-z]+://\S*", " ", text)  # a database URL
    text = re.sub(r"\S+\.(?:xlsx|json|sqlite|csv|xlam|bas|cls)\b", " ", text)  # a file name
    return {w for w in re.findall(r"[A-Za-z][A-Za-z_]+", text) if w.lower() not in ALLOWED}


def test_the_walk_finds_every_command() -> None:
    found = {" ".join(words) for words, _ in SCREENS}
    assert {"", "today", "flow-forms", "lookup", "report", "history rebuild", "addin stubs"} <= found
    assert len(SCREENS) >= 21


@pytest.mark.parametrize("words", [w for w, _ in SCREENS], ids=lambda w: " ".join(w) or "xinao-xl")
def test_every_help_screen_is_chinese(words: tuple[str, ...]) -> None:
    parser = dict(SCREENS)[words]
    text = help_text(words)
    assert text.startswith("用法: ")
    body = text.split("\n\n", 1)[1] if "\n\n" in text else ""
    description = body.strip().splitlines()[0] if body.strip() else ""
    assert CJK.search(description) and not description.startswith("`"), \
        f"xinao-xl {' '.join(words)} --help: the description must be Chinese, not “{description}”"
    usage = text.split("\n\n", 1)[0]
    assert not re.search(r"\b[A-Z]{2,}\b", usage), f"English placeholder in the usage line: {usage}"
    for action in parser._actions:
        if action.help not in (None, argparse.SUPPRESS):
            assert CJK.search(action.help), f"{'/'.join(action.option_strings) or action.dest}: help is not Chinese"
    assert latin_words(text, parser) == set(), f"English words in xinao-xl {' '.join(words)} --help"


def test_the_check_catches_an_english_description() -> None:
    """What the review found: module docstrings in English used as descriptions."""
    parser = argparse.ArgumentParser(prog="x", description="`xinao-xl score FILE`: one department's month scored")
    assert {"department", "month", "scored", "FILE"} <= latin_words(parser.format_help(), parser)
    assert latin_words("用法: x [--dir 目录]\n\n生成 2026-11 的 Excel 工作簿（2026-11_客户投诉台账.xlsx）", parser) == set()
