"""No data lost: the monthly close, the daily sampling and a new month killed at each of their
writes, then run again.

Every file goes through books/save.py, where two functions do the writing: `_write_to` fills
a file under a temporary name and `_replace` puts something in place (a file, a new folder, a
kept version). A first, uninterrupted close on the hand-typed month counts their calls; then,
on a fresh copy of the month each time:

- the k-th `_replace` raises OSError (a crash or a full disk at that point), k = 1..N;
- the j-th `_write_to` writes part of the bytes and then raises (a half-written temporary
  file), j = 1..M;
- a close in a child process is killed with SIGKILL at a progress step and at a `_replace`
  (nothing cleans up after it).

After each: every input is byte-identical (SHA-256), every file under a real name is whole and
either as it was or as the uninterrupted close writes it, nothing temporary is left (in the
same process; a killed process leaves only temporary names, swept by a later run), the month
is not marked closed; and the close run again, without --force, completes with the same
outputs, record and next month as the uninterrupted one.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from xinao_xl.books import save
from xinao_xl.books.completed_export import write_completed_export
from xinao_xl.books.lock import HOLDER, LOCK
from xinao_xl.books.month_folder import MARKER, OUT_DIR, MonthFolder
from xinao_xl.books.save import HISTORY_DIR, TMP_SUFFIX, history_versions, sha256
from xinao_xl.books.workbooks import file_name
from xinao_xl.services.close import close_month
from xinao_xl.services.new_month import create_month
from xinao_xl.services.sampling import ledger_path, sample_day

from . import hand_month as H
from .test_sampling import export_rows

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # openpyxl's zip dropped midway

REPO = Path(__file__).resolve().parents[2]
NEXT = "2026-12"
STORE = "历史库.sqlite"  # the history store: SQLite, its own transactions; written after the marker
VERSION = re.compile(r"\.\d{8}-\d{6}(?:-\d+)?(?=\.[^.]+$)")  # the stamp of a kept version


class Fault(OSError):
    """Injected."""


# --- the state of a folder tree -----------------------------------------------------------------


def _is_temp(rel: Path) -> bool:
    return any(part.startswith(".") and part.endswith(TMP_SUFFIX) for part in rel.parts)


def _is_lock(p: Path) -> bool:
    """The month's lock file (books/lock.py): empty, left in place on POSIX by design (flock
    belongs to the file; removing it while another process has it open would let two writers in);
    and the holder note a killed close leaves beside it (the next run recognises it)."""
    return p.name in (LOCK, HOLDER)


def _digests(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): sha256(p) for p in sorted(root.rglob("*")) if p.is_file() and not _is_lock(p)}


def _tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if not _is_lock(p)}


def _leftovers(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if _is_temp(p.relative_to(root)))


def _content(path: Path) -> Any:
    """What a file says: cell values of a workbook (fails on a half-written one), the record
    without checksums (they change with the zip's timestamps), the marker's text."""
    if path.suffix == ".xlsx":
        book = CalamineWorkbook.from_path(str(path))
        return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}
    if path.suffix == ".json":
        record = json.loads(path.read_text(encoding="utf-8"))
        record.pop("outputs")
        record["next_month"].pop("files")
        record["next_month"].pop("replaced")
        return record
    return path.read_text(encoding="utf-8")


def _real_files(root: Path) -> dict[str, Path]:
    """Files under real names (kept versions mapped to the name they were kept for)."""
    out: dict[str, Path] = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if not p.is_file() or _is_temp(rel) or p.name.startswith(STORE) or _is_lock(p):
            continue
        if p.parent.name == HISTORY_DIR:
            rel = rel.parent.parent / VERSION.sub("", p.name)
            out[f"{rel.as_posix()}@{p.name}"] = p
        else:
            out[rel.as_posix()] = p
    return out


def _check_record(root: Path) -> None:
    """The record's checksums are those of the files in place."""
    folder = root / H.MONTH
    record = json.loads(MonthFolder(root, H.MONTH).record_path.read_text(encoding="utf-8"))
    for rel, digest in record["outputs"].items():
        assert sha256(folder / rel) == digest, rel
    for name, digest in record["next_month"]["files"].items():
        assert sha256(root / NEXT / name) == digest, name
    for name, digest in record["inputs"].items():
        assert sha256(folder / name) == digest, name


# --- fault injection ----------------------------------------------------------------------------


@contextmanager
def _failing(name: str, k: int, half: bool = False) -> Iterator[list[Path]]:
    """The k-th call of save.<name> fails (for `_write_to`, after part of the bytes when
    `half`). Yields the list of calls (targets of `_replace`)."""
    real = getattr(save, name)
    calls: list[Any] = []

    def replace(src: Path, dst: Path) -> None:
        calls.append(Path(dst))
        if len(calls) == k:
            raise Fault(f"injected at _replace #{k} → {dst}")
        real(src, dst)

    def write_to(handle: Any, write: Callable[[Any], Any]) -> None:
        calls.append(handle)
        if len(calls) != k:
            return real(handle, write)
        written = [0]

        class Half:  # the first 2 KB reach the disk, then the disk is full
            def write(self, data: bytes) -> int:
                if written[0] > 2048:
                    handle.flush()
                    raise Fault(f"injected inside _write_to #{k}")
                written[0] += len(data)
                return handle.write(data)

            def __getattr__(self, attr: str) -> Any:
                return getattr(handle, attr)

        if half:
            write(Half())
        raise Fault(f"injected after _write_to #{k}")

    original = save.__dict__[name]
    setattr(save, name, replace if name == "_replace" else write_to)
    try:
        yield calls
    finally:
        setattr(save, name, original)


@contextmanager
def _counting() -> Iterator[dict[str, list[Any]]]:
    counts: dict[str, list[Any]] = {"_replace": [], "_write_to": []}
    real_replace, real_write = save._replace, save._write_to

    def replace(src: Path, dst: Path) -> None:
        counts["_replace"].append(Path(dst))
        real_replace(src, dst)

    def write_to(handle: Any, write: Callable[[Any], Any]) -> None:
        counts["_write_to"].append(handle)
        real_write(handle, write)

    save._replace, save._write_to = replace, write_to
    try:
        yield counts
    finally:
        save._replace, save._write_to = real_replace, real_write


# --- the month, closed once without faults ---------------------------------------------------------


class Baseline:
    def __init__(self, pristine: Path, closed: Path, counts: dict[str, list[Any]]) -> None:
        self.pristine = pristine
        self.closed = closed
        self.inputs = _digests(pristine)
        self.tree = _tree(pristine)
        self.replaces = [p.relative_to(closed).as_posix() for p in counts["_replace"]]
        self.writes = len(counts["_write_to"])
        self.files = {rel: _content(p) for rel, p in _real_files(closed).items()}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    pristine = tmp_path_factory.mktemp("pristine")
    H.build(pristine)
    closed = tmp_path_factory.mktemp("baseline") / "m"
    shutil.copytree(pristine, closed)
    with _counting() as counts:
        close_month(H.MONTH, closed, now=H.NOW)
    return Baseline(pristine, closed, counts)


def _fresh(baseline: Baseline, tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    shutil.copytree(baseline.pristine, root)
    return root


def _after_fault(baseline: Baseline, root: Path, killed: bool = False) -> None:
    """Inputs byte-identical; every real file whole and as before or as the close writes it;
    nothing temporary left (unless the process was killed); not marked closed."""
    for rel, digest in baseline.inputs.items():
        assert sha256(root / rel) == digest, f"input changed: {rel}"
    for key, path in _real_files(root).items():
        rel = key.split("@")[0]
        if rel in baseline.inputs:
            continue
        assert rel in baseline.files, f"unexpected file {key}"
        assert _content(path) == baseline.files[rel], f"{key} differs from the uninterrupted close's"
    if not killed:
        assert _leftovers(root) == []
    assert not (root / H.MONTH / MARKER).exists()


def _rerun_matches(baseline: Baseline, root: Path) -> Any:
    """Run again (no --force: the month was not marked closed): same result as uninterrupted."""
    result = close_month(H.MONTH, root, now=H.NOW)
    assert not any("未重新生成" in n for n in result.notes)
    files = {rel: p for rel, p in _real_files(root).items() if "@" not in rel}
    assert set(files) == {rel for rel in baseline.files if "@" not in rel}
    for rel, path in files.items():
        if rel not in baseline.inputs:
            assert _content(path) == baseline.files[rel], rel
    for key, path in _real_files(root).items():  # versions kept when the re-run replaced them: whole
        if "@" in key:
            assert _content(path) == baseline.files[key.split("@")[0]], key
    for rel, digest in baseline.inputs.items():
        assert sha256(root / rel) == digest, rel
    _check_record(root)
    assert _leftovers(root) == []
    return result


def test_the_uninterrupted_close_and_its_writes(baseline: Baseline) -> None:
    """N and M for the cases below. A first close into new folders: the 结账 folder, the record,
    next month's folder and the marker, in that order, each put in place in one rename."""
    assert baseline.replaces == [f"{H.MONTH}/{OUT_DIR}", f"{H.MONTH}/{H.MONTH}_结账记录.json", NEXT, f"{H.MONTH}/{MARKER}"]
    assert baseline.writes == 5 + 4 + 1 + 1  # 5 outputs (the 服务津贴申请 since issue 19), 4 next-month books, record, marker
    _check_record(baseline.closed)


def test_close_killed_at_each_replace(baseline: Baseline, tmp_path: Path) -> None:
    n = len(baseline.replaces)
    for k in range(1, n + 1):
        root = _fresh(baseline, tmp_path, f"r{k}")
        with pytest.raises(Fault), _failing("_replace", k):
            close_month(H.MONTH, root, now=H.NOW)
        _after_fault(baseline, root)
        _rerun_matches(baseline, root)


def test_close_killed_inside_each_write(baseline: Baseline, tmp_path: Path) -> None:
    staged = baseline.writes - 2  # before anything is put in place: the record and marker come after
    for j in range(1, baseline.writes + 1):
        root = _fresh(baseline, tmp_path, f"w{j}")
        with pytest.raises(Fault), _failing("_write_to", j, half=True):
            close_month(H.MONTH, root, now=H.NOW)
        _after_fault(baseline, root)
        if j <= staged:
            # nothing was put in place: the tree is exactly as before (no new folder, no file),
            # so running again is the uninterrupted close itself
            assert _tree(root) == baseline.tree and _digests(root) == baseline.inputs, j
            if j == staged:
                _rerun_matches(baseline, root)
        else:
            _rerun_matches(baseline, root)


KILLER = """
import os, signal, sys
from datetime import datetime
from pathlib import Path
from xinao_xl.books import save
from xinao_xl.books.lock import HOLDER, LOCK
from xinao_xl.services.close import close_month

root, how, k = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])

def die():
    if hasattr(signal, "SIGKILL"):
        os.kill(os.getpid(), signal.SIGKILL)
    os._exit(137)

progress = None
if how == "step":
    progress = lambda i, n, text: die() if i == k else None
else:
    real, calls = save._replace, []
    def replace(src, dst):
        calls.append(dst)
        if len(calls) == k:
            die()
        real(src, dst)
    save._replace = replace
close_month("2026-11", root, now=datetime.fromisoformat(sys.argv[4]), progress=progress)
sys.exit(3)
"""


@pytest.mark.parametrize(("how", "k"), [("step", 7), ("replace", 3)], ids=["step7-next-month-staged", "replace3-before-next-month"])
def test_close_process_killed(baseline: Baseline, tmp_path: Path, how: str, k: int) -> None:
    """SIGKILL: no exception handler, no cleanup. step 7: the outputs are staged in a hidden
    folder, next month's books being built; replace 3: 结账 and the record are in place, next
    month's folder is staged but not renamed."""
    root = _fresh(baseline, tmp_path, "k")
    proc = subprocess.run([sys.executable, "-c", KILLER, str(root), how, str(k), H.NOW.isoformat()], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode in (-signal.SIGKILL if hasattr(signal, "SIGKILL") else 137, 137), proc.stderr
    _after_fault(baseline, root, killed=True)
    left = _leftovers(root)
    assert left and all(_is_temp(Path(rel)) for rel in left)  # what it left has temporary names only
    old = time.time() - save.STALE_AFTER - 60
    for rel in left:
        os.utime(root / rel, (old, old))  # as if the re-run came later that day
    assert (root / H.MONTH / HOLDER).exists()  # the killed run's note; its lock went with the process
    result = _rerun_matches(baseline, root)  # and it sweeps the leftovers
    assert any(n.startswith("上次由 ") and "开始的结账未正常结束" in n for n in result.notes)
    assert not (root / H.MONTH / HOLDER).exists()


def test_forced_reclose_killed_while_replacing_next_month(baseline: Baseline, tmp_path: Path) -> None:
    """A closed month re-closed with --force: files replaced one by one (the replaced outputs kept
    in 历史版本). Killed after the first of next month's books was replaced, the run again
    still knows next month's books as its own (the record lists both checksums) and
    regenerates them instead of leaving them as "maybe typed in"."""
    root = tmp_path / "m"
    shutil.copytree(baseline.closed, root)
    second = (root / NEXT / file_name("客户回访信息台账", NEXT)).as_posix()
    real = save._replace

    def replace(src: Path, dst: Path) -> None:
        if Path(dst).as_posix() == second:
            raise Fault("injected")
        real(src, dst)

    save._replace = replace
    try:
        with pytest.raises(Fault):
            close_month(H.MONTH, root, now=H.NOW, force=True, reason="复核")
    finally:
        save._replace = real
    assert _leftovers(root) == []
    for rel, digest in baseline.inputs.items():
        assert sha256(root / rel) == digest, rel
    result = close_month(H.MONTH, root, now=H.NOW, force=True, reason="复核")
    assert not any("未重新生成" in n for n in result.notes)
    for rel, path in _real_files(root).items():
        if "@" not in rel and rel not in baseline.inputs and path.suffix == ".xlsx":  # the record says 强制结账 now
            assert _content(path) == baseline.files[rel], rel
    assert len(history_versions(root / H.MONTH / OUT_DIR / f"{H.MONTH}_流转单.xlsx")) == 2  # the first close's, the killed run's
    _check_record(root)


# --- sampling and a new month: the same guarantees, smaller --------------------------------------

DAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def sampled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any, int, int]:
    pristine = tmp_path_factory.mktemp("sampling")
    H.build(pristine)
    write_completed_export(pristine / "完工.xlsx", export_rows())
    done = tmp_path_factory.mktemp("sampled") / "m"
    shutil.copytree(pristine, done)
    with _counting() as counts:
        sample_day(done / "完工.xlsx", DAY, "孙雪燕", done, seed=1)
    return pristine, _content(ledger_path(done, H.MONTH)), len(counts["_replace"]), len(counts["_write_to"])


def test_sampling_killed_at_each_write(sampled: tuple[Path, Any, int, int], tmp_path: Path) -> None:
    pristine, ledger_after, n_replace, n_write = sampled
    assert (n_replace, n_write) == (2, 2)  # the kept version, then the 台账 itself
    before = _digests(pristine)
    for name, k in [("_replace", k) for k in range(1, n_replace + 1)] + [("_write_to", j) for j in range(1, n_write + 1)]:
        root = tmp_path / f"{name}{k}"
        shutil.copytree(pristine, root)
        with pytest.raises(Fault), _failing(name, k, half=True):
            sample_day(root / "完工.xlsx", DAY, "孙雪燕", root, seed=1)
        assert {rel: d for rel, d in _digests(root).items() if HISTORY_DIR not in rel} == before, (name, k)
        assert _leftovers(root) == [], (name, k)
        for kept in history_versions(ledger_path(root, H.MONTH)):  # a version kept before the fault: the whole 台账
            assert sha256(kept) == before[f"{H.MONTH}/{ledger_path(root, H.MONTH).name}"]
        sample_day(root / "完工.xlsx", DAY, "孙雪燕", root, seed=1)
        assert _content(ledger_path(root, H.MONTH)) == ledger_after, (name, k)


def _tiny_books(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stand-ins for the four builders (one cell each): what is tested here is how a new month
    is put on disk, not the books; the real ones take a second a month to build."""
    from openpyxl import Workbook

    from xinao_xl.books import workbooks

    def builder(stem: str) -> Callable[..., Workbook]:
        def build(month: str, *_args: Any) -> Workbook:
            wb = Workbook()
            wb.active["A1"] = f"{month} {stem}"
            return wb
        return build

    monkeypatch.setattr(workbooks, "BOOKS", tuple((stem, builder(stem)) for stem, _ in workbooks.BOOKS))


def test_new_month_killed_at_each_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new month's folder appears with its four books or not at all; with --overwrite each
    book is old or new and whole, and every replaced one is kept."""
    _tiny_books(monkeypatch)
    for name, k in [("_write_to", j) for j in range(1, 5)] + [("_replace", 1)]:  # 4 books staged, 1 folder renamed
        with pytest.raises(Fault), _failing(name, k, half=True):
            create_month(NEXT, tmp_path)
        assert list(tmp_path.iterdir()) == [], (name, k)
    first = create_month(NEXT, tmp_path)
    blank = {p.name: _content(p) for p in first}
    # --overwrite: 4 books staged (writes 1-4), then each: its kept version (write, replace), itself (replace)
    for name, k in [("_replace", k) for k in range(1, 9)] + [("_write_to", j) for j in range(1, 9)]:
        with pytest.raises(Fault), _failing(name, k, half=True):
            create_month(NEXT, tmp_path, overwrite=True)
        for p in first:
            assert _content(p) == blank[p.name], (name, k, p.name)  # old or new, whole
            assert all(_content(v) == blank[p.name] for v in history_versions(p)), (name, k, p.name)  # kept ones whole
        assert _leftovers(tmp_path) == [], (name, k)
    before = {p.name: sha256(p) for p in first}
    again = create_month(NEXT, tmp_path, overwrite=True)
    assert [p.name for p in again] == [p.name for p in first]
    for p in again:  # the last version before this run is kept, whole
        assert before[p.name] in {sha256(v) for v in history_versions(p)}
