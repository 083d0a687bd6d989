"""The guide's walk-through, run as a newcomer types it on the office's Windows PC.

No make, no venv to activate: after `install.bat` (section 1.1) the newcomer types the
guide's commands in a command prompt opened in the project folder. Here each command of
the guide's ``bat`` blocks (the demo, then the marked walk-through) runs as a process of
the installed ``xinao-xl`` in an empty folder, with one change only: Windows' ``\\`` in
paths becomes ``/``. Every command must succeed and print what the guide quotes; the
validation results it points to must link to cells that exist.

What only Windows can show: that ``install.bat`` and ``xinao-xl.bat`` run in cmd.exe. They
are checked for what cmd needs (the Chinese console's code page, CRLF line ends, no
unquoted parenthesis inside a block) and for calling what the project installs.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from openpyxl import load_workbook

from .test_user_guide import GUIDE, ROOT, section

XINAO_XL = Path(sys.executable).parent / "xinao-xl"


def commands(block: str) -> list[str]:
    """The ``xinao-xl …`` lines of the ``bat`` code blocks in `block`."""
    lines = []
    for body in re.findall(r"```bat\n(.*?)```", block, re.S):
        lines += [line.strip() for line in body.splitlines() if line.strip().startswith("xinao-xl ")]
    return lines


def run(line: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    argv = shlex.split(line.replace("\\", "/"))
    assert argv[0] == "xinao-xl"
    return subprocess.run([str(XINAO_XL), *argv[1:]], cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def walked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], str]:
    guide = GUIDE.read_text(encoding="utf-8")
    demo_section = guide[guide.index("## 2. 第一次上手") : guide.index("<!-- walkthrough -->")]
    steps = [c for c in commands(demo_section) if c == "xinao-xl demo"] + commands(section(guide, "walkthrough"))
    folder = tmp_path_factory.mktemp("newcomer")
    printed = []
    for line in steps:
        done = run(line, folder)
        assert done.returncode == 0, f"{line}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        assert "Traceback" not in done.stderr
        printed.append(done.stdout)
    return folder, steps, "\n".join(printed[1:])


def test_the_walk_through_is_the_demo_then_sampling_and_validation(walked: tuple[Path, list[str], str]) -> None:
    _, steps, _ = walked
    assert steps[0] == "xinao-xl demo"
    assert [s.split()[1] for s in steps[1:]] == ["sample", "today", "validate"]


def test_it_prints_what_the_guide_quotes(walked: tuple[Path, list[str], str]) -> None:
    _, _, out = walked
    printed = [line.rstrip() for line in out.splitlines()]
    quoted = section(GUIDE.read_text(encoding="utf-8"), "walkthrough-output").strip().removeprefix("```text").removesuffix("```")
    for line in quoted.strip("\n").splitlines():
        if line.strip():
            assert line.rstrip() in printed, f"the guide quotes a line the walk-through does not print:\n{line}"


def test_the_sample_export_came_with_the_demo_and_was_sampled(walked: tuple[Path, list[str], str]) -> None:
    folder, _, _ = walked
    assert (folder / "示例" / "完工工单_2026-12-03.xlsx").is_file()
    assert (folder / "示例" / "2026-12" / "历史版本").is_dir()  # the 台账 before the sampling, kept


def test_the_results_it_names_link_to_cells_that_exist(walked: tuple[Path, list[str], str]) -> None:
    folder, _, out = walked
    (named,) = re.findall(r"校验结果：(\S+?\.xlsx)", out)
    results = folder / named
    ws = load_workbook(results)["校验结果"]
    links = [ws.cell(row=r, column=5).hyperlink for r in range(2, ws.max_row + 1)]
    assert links and all(link is not None for link in links)
    for link in links:
        target = results.parent / link.target
        sheet, _, cell = link.location.rpartition("!")
        book = load_workbook(target, read_only=True)
        assert sheet.strip("'") in book.sheetnames and re.fullmatch(r"[A-Z]+\d+(:[A-Z]+\d+)?", cell)


# --- the Windows files -------------------------------------------------------------------------

BATCH = {name: ROOT / name for name in ("install.bat", "xinao-xl.bat")}


@pytest.mark.parametrize("name", list(BATCH))
def test_the_batch_files_are_what_cmd_reads(name: str) -> None:
    """GBK (code page 936, the Chinese console's), CRLF line ends, and no ASCII parenthesis
    in an echo (inside a block it would end the block)."""
    data = BATCH[name].read_bytes()
    text = data.decode("gbk")
    assert data.count(b"\r\n") == data.count(b"\n") and text.endswith("\r\n")
    assert text.startswith("@echo off")
    for line in text.splitlines():
        if line.lstrip().lower().startswith("echo "):
            assert "(" not in line and ")" not in line, line
    assert re.search(r"[\u4e00-\u9fff]", text), "says in Chinese what it does"


def test_install_bat_installs_the_project_and_the_launcher_runs_its_command() -> None:
    install = BATCH["install.bat"].read_bytes().decode("gbk")
    launcher = BATCH["xinao-xl.bat"].read_bytes().decode("gbk")
    script = next(iter(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]))
    assert script == "xinao-xl"
    assert r'".venv\Scripts\python.exe" -m pip install -e .' in install and "-m venv .venv" in install
    assert "(3, 11)" in install  # the Python the project requires
    assert 'xinao-xl.bat" doctor' in install
    assert rf'"%~dp0.venv\Scripts\{script}.exe" %*' in launcher
    assert (ROOT / ".gitattributes").read_text(encoding="utf-8").count("*.bat -text") == 1  # bytes kept as they are


def test_the_guide_installs_with_the_script_and_no_make_or_venv() -> None:
    steps = section(GUIDE.read_text(encoding="utf-8"), "install-steps")
    assert "install.bat" in steps and "xinao-xl --version" in steps
    assert "make" not in steps and "activate" not in steps and "venv .venv" not in steps


def test_without_the_script_the_module_runs_the_same_commands() -> None:
    """`py -m xinao_xl 命令` (the guide's way without install.bat) is the same program."""
    done = subprocess.run([sys.executable, "-m", "xinao_xl", "--version"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip()
