"""The bad-input corpus through ``xinao-xl validate``, ``close`` and ``sample``.

Every case must end in exit code 1 (validation found errors in what staff typed) or 2 (the
file cannot be used), with a Chinese message naming the file (and, where a cell is at
fault, the sheet and the cell), no traceback, and every input byte-identical afterwards.

Staff mistakes run here, in this process. Hostile files and the two 20,000-row noise
cases run in one child process (tests/corpus/run.py), whose peak resident memory is the
measure that no bomb got through (`RSS_CAP_MB`) and whose death would not take the test
run with it. Cases: see tests/corpus/cases.py (`test_corpus_size` counts them).
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.corpus import cases as C
from xinao_xl.cli import main

CHINESE = re.compile(r"[\u4e00-\u9fff]")
# Peak resident memory of the child over every hostile file and both noise cases. It
# starts near 150 MB (Python, pandas, openpyxl, calamine); without the file check one
# shared-strings bomb alone took 1.2 GB and a cell at XFD1048576 aborted the process.
RSS_CAP_MB = 450
IN_CHILD = {"ledger_noise", "export_noise"}
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, C.Case]:
    return {c.name: c for c in C.build_corpus(tmp_path_factory.mktemp("corpus"))}


def digests(case: C.Case) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in case.inputs()}


def shown(text: str, pair: str) -> bool:
    """Whether the findings table has a row for this sheet and cell ("台账 K7"), the cell
    alone or in a range of rows of its column ("K6:K9": consecutive rows of one kind)."""
    sheet, _, cell = pair.rpartition(" ")
    if not cell:
        return bool(re.search(rf"\s{re.escape(sheet)}\s", text))
    letter, row = re.fullmatch(r"([A-Z]+)(\d+)", cell).groups()  # type: ignore[union-attr]
    for first, last in re.findall(rf"\s{re.escape(sheet)}\s+{letter}(\d+)(?::{letter}(\d+))?\s", text):
        if int(first) <= int(row) <= int(last or first):
            return True
    return False


def check(case: C.Case, command: str, code: int, out: str, err: str) -> None:
    text = out + err
    where = f"{case.name} {command}: {text[-1500:]}"
    assert code == case.code, where
    assert "Traceback" not in text, where
    assert CHINESE.search(err if code == 2 else text), where
    assert case.path.name in text, where  # the file at fault is named
    if command == C.VALIDATE:
        for pair in case.shows:
            assert shown(text, pair), (pair, where)
        for pair in case.quiet:
            assert not shown(text, pair), (pair, where)
    elif command == C.CLOSE and case.shows:
        assert case.shows[0].rpartition(" ")[0] in text, where  # the sheet, in the close's table
    elif command == C.SAMPLE:
        for fragment in case.shows:
            assert fragment in text, where


STAFF = [name for name, *_ in C.STAFF if name not in IN_CHILD] + [name for name, *_ in C.EXPORTS if name not in IN_CHILD]


@pytest.mark.parametrize("name", STAFF)
def test_staff_mistake(name: str, corpus: dict[str, C.Case], capsys: pytest.CaptureFixture[str]) -> None:
    case = corpus[name]
    before = digests(case)
    for command in case.commands:
        code = main(case.argv(command))
        captured = capsys.readouterr()
        check(case, command, code, captured.out, captured.err)
    assert digests(case) == before
    assert not (case.folder / C.MONTH / "已结账.txt").exists()


@pytest.fixture(scope="module")
def child(corpus: dict[str, C.Case], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every hostile case and the noise cases, run by tests/corpus/run.py in one child."""
    chosen = [c for c in corpus.values() if c.kind == "hostile" or c.name in IN_CHILD]
    runs = [{"case": c.name, "command": cmd, "argv": c.argv(cmd)} for c in chosen for cmd in c.commands]
    spec = tmp_path_factory.mktemp("runs") / "runs.json"
    spec.write_text(json.dumps(runs, ensure_ascii=False), encoding="utf-8")
    before = {c.name: digests(c) for c in chosen}
    proc = subprocess.run([sys.executable, "-m", "tests.corpus.run", str(spec)], cwd=REPO, capture_output=True,
                          text=True, encoding="utf-8", timeout=600)
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    return {"proc": proc, "runs": runs, "results": [x for x in lines if "code" in x], "lines": lines,
            "before": before, "after": {c.name: digests(c) for c in chosen}, "cases": chosen}


def test_child_ran_every_hostile_case_without_dying(child: dict[str, Any]) -> None:
    proc = child["proc"]
    started = [x for x in child["lines"] if "start" in x]
    assert proc.returncode == 0, f"died in {started[-1] if started else '?'} with {proc.returncode}: {proc.stderr[-2000:]}"
    assert "Traceback" not in proc.stderr
    assert len(child["results"]) == len(child["runs"])


def test_hostile_files_end_in_a_chinese_message(child: dict[str, Any], corpus: dict[str, C.Case]) -> None:
    for result in child["results"]:
        check(corpus[result["case"]], result["command"], result["code"], result["out"], result["err"])


def test_hostile_files_leave_every_input_as_it_was(child: dict[str, Any]) -> None:
    for case in child["cases"]:
        assert child["after"][case.name] == child["before"][case.name], case.name
        assert not (case.folder / C.MONTH / "已结账.txt").exists(), case.name


def test_memory_stays_bounded(child: dict[str, Any]) -> None:
    peak = max(r["rss_mb"] for r in child["results"])
    worst = max(child["results"], key=lambda r: r["rss_mb"])
    assert peak < RSS_CAP_MB, (worst["case"], worst["command"], peak)


def test_bombs_are_refused_before_any_parser(child: dict[str, Any]) -> None:
    """Refused by the file check: no reader had the chance to allocate for them."""
    ready = next(x["rss_mb"] for x in child["lines"] if x.get("ready"))
    for result in child["results"]:
        if "bomb" in result["case"] or "claim" in result["case"] or "far_cell" in result["case"]:
            assert "已拒绝读取" in result["err"] or "多余的行或列" in result["err"], result
    assert ready > 0


def test_corpus_size(corpus: dict[str, C.Case]) -> None:
    """How many bad inputs, and how many command runs over them (the issue's note counts)."""
    kinds = {k: sum(c.kind == k for c in corpus.values()) for k in ("staff", "export", "hostile")}
    runs = sum(len(c.commands) for c in corpus.values())
    assert kinds == {"staff": len(C.STAFF), "export": len(C.EXPORTS), "hostile": 2 * len(C.HOSTILE)}
    assert (len(C.STAFF), len(C.EXPORTS), len(C.HOSTILE)) == (20, 3, 21)
    # 20 staff x 2 commands + 3 exports x 1 + 21 hostile x (3 as the 台账 + 1 as the export)
    assert runs == 20 * 2 + 3 * 1 + 21 * (3 + 1) == 127


def test_unexpected_error_is_a_chinese_message_not_a_traceback(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from xinao_xl.services import validate

    def boom(*args: Any, **kwargs: Any) -> None:
        raise KeyError("13812345678")  # a bug whose text holds a customer's phone

    monkeypatch.setattr(validate, "month_sources", boom)
    assert main(["validate", "x.xlsx"]) == 2
    err = capsys.readouterr().err
    assert "意外错误（KeyError）" in err and "--debug" in err
    assert "13812345678" not in err and "Traceback" not in err
    with pytest.raises(KeyError):
        main(["--debug", "validate", "x.xlsx"])


def test_the_installed_command_on_a_hostile_file(tmp_path: Path) -> None:
    """One real process through the console entry point: UTF-8 output, exit code 2, no traceback."""
    bad = tmp_path / "2026-11_客户回访信息台账.xlsx"
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600 + "EncryptedPackage".encode("utf-16-le"))
    proc = subprocess.run([sys.executable, "-c", "import sys; from xinao_xl.cli import main; sys.exit(main())", "validate", str(bad)],
                          cwd=REPO, capture_output=True, timeout=120)
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2, err
    assert "Traceback" not in err and proc.stdout == b""
    assert f"无法读取 {bad.name}：工作簿设置了打开密码" in err
