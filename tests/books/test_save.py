"""books/save.py: complete-then-replace, the previous version kept, groups put in place
together, refusal of open / read-only files and unwritable folders, leftovers swept."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from xinao_xl.books import save
from xinao_xl.books.save import (
    HISTORY_DIR,
    Batch,
    DiskFullError,
    ReadOnlyError,
    WorkbookOpenError,
    history_versions,
    open_atomic,
    preflight,
    save_atomic,
    sweep_temps,
    temp_leftovers,
    write_text_atomic,
)


def _workbook(value: str) -> Workbook:
    wb = Workbook()
    wb.active["A1"] = value
    return wb


def _half_then_fail(handle, write) -> None:  # a full disk midway: part of the bytes, then an error
    class Half:
        def __init__(self, inner) -> None:
            self.inner, self.left = inner, 100

        def write(self, data) -> int:
            if self.left <= 0:
                raise OSError(28, "No space left on device")
            self.left -= len(data)
            return self.inner.write(data)

        def __getattr__(self, name):
            return getattr(self.inner, name)

    write(Half(handle))


def _fail(*_args, **_kwargs) -> None:
    raise OSError("killed here")


def test_save_replaces_and_keeps_the_previous_version(tmp_path: Path) -> None:
    path = tmp_path / "台账.xlsx"
    save_atomic(_workbook("一"), path)
    os.utime(path, (1_700_000_000, 1_700_000_000))  # saved 2023-11-14 22:13:20 UTC
    old = path.read_bytes()
    save_atomic(_workbook("二"), path)
    assert load_workbook(path).active["A1"].value == "二"
    kept = history_versions(path)
    assert [p.parent.name for p in kept] == [HISTORY_DIR]
    assert kept[0].read_bytes() == old
    assert kept[0].name.startswith("台账.2023111") and kept[0].suffix == ".xlsx"  # named by its own save time
    assert not temp_leftovers(tmp_path)


def test_history_keeps_the_last_n(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(save, "HISTORY_KEEP", 3)
    path = tmp_path / "记录.json"
    for n in range(6):
        write_text_atomic(path, f"{n}")
        os.utime(path, (1_700_000_000 + n, 1_700_000_000 + n))  # distinct save times
    # 6 writes replace 5 versions (0..4); the last 3 of them are kept
    assert [p.read_text() for p in history_versions(path)] == ["2", "3", "4"]
    assert path.read_text() == "5"


def test_keep_previous_false_keeps_nothing(tmp_path: Path) -> None:
    path = tmp_path / "模板.xlsx"
    save_atomic(_workbook("一"), path, keep_previous=False)
    save_atomic(_workbook("二"), path, keep_previous=False)
    assert not (tmp_path / HISTORY_DIR).exists()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # openpyxl's zip, dropped midway
def test_failure_inside_the_write_leaves_the_file_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "报告.xlsx"
    save_atomic(_workbook("旧"), path)
    before = path.read_bytes()
    monkeypatch.setattr(save, "_write_to", _half_then_fail)
    with pytest.raises(DiskFullError, match="磁盘空间不足，无法写入 报告.xlsx") as info:  # ENOSPC, said plainly
        save_atomic(_workbook("新" * 5000), path)
    assert isinstance(info.value.__cause__, OSError) and info.value.__cause__.errno == 28
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["报告.xlsx"]  # no temporary file, no history


def test_failure_at_the_replace_leaves_the_file_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "报告.xlsx"
    save_atomic(_workbook("旧"), path)
    before = path.read_bytes()
    real = save._replace
    calls = []

    def second_fails(src: Path, dst: Path) -> None:  # 1st: the history copy, 2nd: the file itself
        calls.append(dst)
        if len(calls) == 2:
            raise OSError("killed here")
        real(src, dst)

    monkeypatch.setattr(save, "_replace", second_fails)
    with pytest.raises(OSError):
        save_atomic(_workbook("新"), path)
    assert path.read_bytes() == before
    assert [p.read_bytes() for p in history_versions(path)] == [before]
    assert not temp_leftovers(tmp_path)


def test_open_atomic_only_replaces_after_the_block(tmp_path: Path) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError), open_atomic(path) as handle:
        handle.write(b"half")
        raise RuntimeError
    assert path.read_bytes() == b"old" and not temp_leftovers(tmp_path)
    with open_atomic(path) as handle:
        handle.write(b"new")
    assert path.read_bytes() == b"new"


def test_file_mode_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    write_text_atomic(path, "1")
    os.chmod(path, 0o640)
    write_text_atomic(path, "2")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_new_folder_appears_with_all_its_files_or_not_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "结账"
    with Batch(folder) as batch:
        batch.add_text("1.txt", "一")
        batch.add_text("2.txt", "二")
        assert not folder.exists()  # staged under a temporary name
        assert len(batch.digest("1.txt")) == 64
        paths = batch.commit()
    assert [p.read_text() for p in paths] == ["一", "二"] and stat.S_IMODE(folder.stat().st_mode) != 0o700
    other = tmp_path / "下月"
    with pytest.raises(RuntimeError), Batch(other) as batch:
        batch.add_text("1.txt", "一")
        raise RuntimeError
    monkeypatch.setattr(save, "_replace", _fail)
    with pytest.raises(OSError), Batch(other) as batch:
        batch.add_text("1.txt", "一")
        batch.commit()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["结账"]


def test_batch_into_an_existing_folder_replaces_file_by_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("1.txt", "2.txt"):
        (tmp_path / name).write_text("旧")
    real = save._replace
    calls = []

    def fourth_fails(src: Path, dst: Path) -> None:  # history 1, file 1, history 2, file 2
        calls.append(dst)
        if len(calls) == 4:
            raise OSError("killed here")
        real(src, dst)

    monkeypatch.setattr(save, "_replace", fourth_fails)
    with pytest.raises(OSError), Batch(tmp_path) as batch:
        batch.add_text("1.txt", "新")
        batch.add_text("2.txt", "新")
        batch.commit()
    assert [(tmp_path / n).read_text() for n in ("1.txt", "2.txt")] == ["新", "旧"]  # each whole, old or new
    assert not temp_leftovers(tmp_path)


@pytest.mark.parametrize("lock", ["~${}", ".~lock.{}#"])
def test_open_workbook_refused(tmp_path: Path, lock: str) -> None:
    path = tmp_path / "2026-11_客户回访信息台账.xlsx"
    path.write_bytes(b"x")
    (tmp_path / lock.format(path.name)).write_bytes(b"")
    with pytest.raises(WorkbookOpenError, match="2026-11_客户回访信息台账.xlsx 正在被Excel"):
        preflight(read=[path])
    with pytest.raises(WorkbookOpenError):
        save_atomic(_workbook("新"), path)
    assert path.read_bytes() == b"x"


def test_read_only_file_and_folder_refused_together(tmp_path: Path) -> None:
    folder = tmp_path / "2026-11"
    folder.mkdir()
    ledger = folder / "台账.xlsx"
    ledger.write_bytes(b"x")
    os.chmod(ledger, 0o444)
    with pytest.raises(ReadOnlyError, match="台账.xlsx 是只读文件") as info:
        preflight(write=[ledger])
    assert "文件夹" not in str(info.value)
    preflight(read=[ledger])  # reading a read-only file is fine
    locked = tmp_path / "2026-12"
    locked.mkdir()
    os.chmod(locked, 0o555)
    try:
        with pytest.raises(ReadOnlyError) as info:
            preflight(write=[ledger, locked / "结账" / "报告.xlsx"])
        lines = str(info.value).splitlines()  # both problems at once, one a line
        assert len(lines) == 2 and "只读文件" in lines[0] and f"文件夹 {locked} 不能写入" in lines[1]
    finally:
        os.chmod(locked, 0o755)


def test_sweep_removes_only_old_leftovers(tmp_path: Path) -> None:
    old = tmp_path / f".报告.xlsx.abc{save.TMP_SUFFIX}"
    young = tmp_path / f".流转单.xlsx.def{save.TMP_SUFFIX}"
    staged = tmp_path / f".结账.ghi{save.TMP_SUFFIX}"
    for p in (old, young):
        p.write_bytes(b"half")
    staged.mkdir()
    (staged / "报告.xlsx").write_bytes(b"half")
    keep = tmp_path / "报告.xlsx"
    keep.write_bytes(b"whole")
    past = time.time() - save.STALE_AFTER - 60
    for p in (old, staged):
        os.utime(p, (past, past))
    assert sorted(sweep_temps([tmp_path])) == sorted([old, staged])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([young.name, keep.name])


# --- the ordinary failures, in plain Chinese -------------------------------------------------------


def test_a_name_too_long_for_the_file_system_is_said_plainly(tmp_path: Path) -> None:
    """ext4 and NTFS take 255 a name (bytes on ext4): 80 Chinese characters are 240 bytes in
    UTF-8, the name fits, its temporary name (``.<name>.<random>.xinao.tmp``) does not."""
    path = tmp_path / ("回" * 80 + ".xlsx")  # 240 + 5 = 245 bytes
    assert len(path.name.encode()) == 245
    with pytest.raises(save.PathTooLongError, match="路径过长，无法写入") as info:
        save_atomic(_workbook("新"), path)
    assert "更短的路径" in str(info.value) and "原有文件没有改动" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_a_read_only_history_folder_is_refused_before_the_write(tmp_path: Path) -> None:
    path = tmp_path / "台账.xlsx"
    save_atomic(_workbook("一"), path)
    save_atomic(_workbook("二"), path)  # 历史版本 now exists
    before = path.read_bytes()
    os.chmod(tmp_path / HISTORY_DIR, 0o555)
    try:
        with pytest.raises(ReadOnlyError, match=f"文件夹 {tmp_path / HISTORY_DIR} 不能写入"):
            save_atomic(_workbook("三"), path)
    finally:
        os.chmod(tmp_path / HISTORY_DIR, 0o755)
    assert path.read_bytes() == before


def test_permission_taken_away_while_keeping_the_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """EACCES at the copy into 历史版本 (an ACL the probe did not see): the message names that folder."""
    path = tmp_path / "台账.xlsx"
    save_atomic(_workbook("一"), path)
    before = path.read_bytes()
    real = save._replace

    def denied(src: Path, dst: Path) -> None:
        if Path(dst).parent.name == HISTORY_DIR:
            raise PermissionError(13, "Permission denied", str(dst))
        real(src, dst)

    monkeypatch.setattr(save, "_replace", denied)
    with pytest.raises(save.NoPermissionError, match=f"没有权限写入 “{HISTORY_DIR}”文件夹"):
        save_atomic(_workbook("二"), path)
    assert path.read_bytes() == before
    assert temp_leftovers(tmp_path) == []


def test_plain_messages_for_each_kind() -> None:
    class WinError(OSError):
        def __init__(self, winerror: int) -> None:
            super().__init__(13, "Windows says no")
            self.winerror = winerror

    where = Path("D:/服务考核/2026-11/2026-11_客户回访信息台账.xlsx")
    cases = {
        OSError(28, "No space left on device"): (save.DiskFullError, "磁盘空间不足"),
        OSError(122, "Disk quota exceeded"): (save.DiskFullError, "磁盘空间不足"),
        OSError(13, "Permission denied"): (save.NoPermissionError, "没有权限写入 2026-11_客户回访信息台账.xlsx"),
        OSError(30, "Read-only file system"): (save.NoPermissionError, "没有权限写入"),
        OSError(36, "File name too long"): (save.PathTooLongError, "路径过长"),
        WinError(32): (save.FileBusyError, "正被其他程序使用"),
        WinError(206): (save.PathTooLongError, "路径过长"),
    }
    for exc, (kind, text) in cases.items():
        plain = save.plain_os_error(exc, where)
        assert isinstance(plain, kind) and text in str(plain), exc
    assert save.plain_os_error(OSError("killed here"), where) is None  # not an ordinary failure: raised as it is
