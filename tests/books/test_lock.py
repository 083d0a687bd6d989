"""books/lock.py: one writer at a time in a month folder; the second refused at once with who,
where and since when; a lock whose process died is free again and the note it left is
recognised."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from xinao_xl.books.lock import HOLDER, LOCK, MonthBusyError, MonthLock
from xinao_xl.books.save import NoPermissionError, ReadOnlyError
from xinao_xl.policy import clock

REPO = Path(__file__).resolve().parents[2]

HOLD = """
import sys, time
from pathlib import Path
from xinao_xl.books.lock import MonthLock
lock = MonthLock(Path(sys.argv[1]), "结账", user="孙雪燕")
lock.acquire()
print("held", flush=True)
time.sleep(60)
"""


def _holding(folder: Path) -> subprocess.Popen[str]:
    """Another program (a child process) holding the month's lock."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(folder)], cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


@pytest.fixture
def month(tmp_path: Path) -> Path:
    folder = tmp_path / "2026-11"
    folder.mkdir()
    return folder


def test_a_second_writer_is_refused_at_once_naming_the_holder(month: Path) -> None:
    proc = _holding(month)
    try:
        t0 = time.perf_counter()
        with pytest.raises(MonthBusyError) as info, MonthLock(month, "抽样", user="王芳"):
            pass
        waited = time.perf_counter() - t0
    finally:
        proc.kill()
        proc.wait()
    assert waited < 1.0  # at once, not after a timeout
    text = str(info.value)
    assert text.startswith("2026-11 正在结账：由 孙雪燕（电脑 ") and socket.gethostname() in text
    assert f"（进程 {proc.pid}）" in text and "请等其完成后再试" in text
    holder = info.value.holder
    assert holder is not None and (holder.user, holder.action, holder.pid) == ("孙雪燕", "结账", proc.pid)
    assert abs((clock.now() - holder.since).total_seconds()) < 60  # since: Beijing time (policy/clock.py)
    assert f"于 {holder.since:%Y-%m-%d %H:%M} 开始" in text


def test_the_lock_is_free_again_after_the_writer_and_leaves_no_note(month: Path) -> None:
    with MonthLock(month, "抽样", user="王芳") as lock:
        assert lock.held and lock.interrupted is None
        note = json.loads((month / HOLDER).read_text(encoding="utf-8"))
        assert (note["用户"], note["操作"], note["进程"]) == ("王芳", "抽样", os.getpid())
    assert not (month / HOLDER).exists()
    with MonthLock(month, "结账", user="孙雪燕") as again:  # free again; nothing says "interrupted"
        assert again.held and again.interrupted_note() == ""


def test_two_locks_in_one_process_exclude_each_other_and_one_lock_nests(month: Path) -> None:
    """The ribbon runs in Excel's one Python: a second button while the first works is refused too."""
    first = MonthLock(month, "结账", user="孙雪燕")
    with first:
        with first:  # the same object: nested, still held
            assert first.held
        assert first.held
        with pytest.raises(MonthBusyError, match="2026-11 正在结账"), MonthLock(month, "抽样"):
            pass
    assert not first.held
    with pytest.raises(RuntimeError), MonthLock(month, "抽样"):  # an error inside: the lock is released on the way out
        raise RuntimeError("boom")
    with MonthLock(month, "结账"):
        pass


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_lock_whose_process_was_killed_is_free_and_recognised(month: Path) -> None:
    """SIGKILL: no cleanup ran, the note is still there; the system dropped the lock with the
    process, so the next writer gets it at once and says the last run did not end normally."""
    proc = _holding(month)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert (month / HOLDER).exists() and (month / LOCK).exists()
    with MonthLock(month, "结账", user="王芳") as lock:
        assert lock.interrupted is not None and (lock.interrupted.user, lock.interrupted.pid) == ("孙雪燕", proc.pid)
        note = lock.interrupted_note()
        assert note.startswith("上次由 孙雪燕（电脑 ") and "开始的结账未正常结束" in note
        assert json.loads((month / HOLDER).read_text(encoding="utf-8"))["用户"] == "王芳"  # the note is now ours


def test_a_folder_not_there_yet_needs_no_lock(tmp_path: Path) -> None:
    with MonthLock(tmp_path / "2026-12", "生成空白工作簿") as lock:
        assert not lock.held
    assert not (tmp_path / "2026-12").exists()


def test_a_holder_note_that_cannot_be_read_still_refuses(month: Path) -> None:
    with MonthLock(month, "结账"):
        (month / HOLDER).write_text("{broken", encoding="utf-8")
        with pytest.raises(MonthBusyError, match="2026-11 正在由另一个操作写入"), MonthLock(month, "抽样"):
            pass


def test_a_refusal_between_the_lock_and_its_note_still_names_the_holder(month: Path) -> None:
    """The holder takes the lock, then writes its note: a writer refused in between waits
    for the note (at most HOLDER_WAIT = 0.5 s) instead of saying only "another operation"
    (two closes started together on a loaded machine). Here the note comes 0.2 s after the
    lock: the refusal names 孙雪燕 and came after about 0.2 s, not at once."""
    import threading

    from xinao_xl.books.lock import HOLDER_WAIT

    first = MonthLock(month, "结账", user="孙雪燕")
    first._write_holder, write_note = (lambda: None), first._write_holder  # lock taken, note not yet
    first.acquire()
    timer = threading.Timer(0.2, write_note)
    try:
        timer.start()
        t0 = time.perf_counter()
        with pytest.raises(MonthBusyError, match="2026-11 正在结账：由 孙雪燕") as info, MonthLock(month, "抽样", user="王芳"):
            pass
        waited = time.perf_counter() - t0
    finally:
        timer.join()
        first.release()
    assert info.value.holder is not None and info.value.holder.user == "孙雪燕"
    assert 0.15 < waited < HOLDER_WAIT + 0.3


def test_a_holder_that_finishes_while_its_note_is_awaited_leaves_the_month_free(month: Path) -> None:
    """A writer refused waits for the holder's note; when instead the holder finishes (its
    note removed, then the lock released: here after 0.2 s, no note ever written), the
    month is free: the second writer tries once more and takes it instead of saying the
    month is busy."""
    import threading

    first = MonthLock(month, "结账", user="孙雪燕")
    first._write_holder = lambda: None  # the lock taken, no note
    first.acquire()
    timer = threading.Timer(0.2, first.release)
    try:
        timer.start()
        with MonthLock(month, "抽样", user="王芳") as second:
            assert second.held and second.read_holder() is not None and second.read_holder().user == "王芳"
    finally:
        timer.join()


def test_a_folder_that_cannot_be_written_is_said_plainly(month: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import filelock

    def denied(self: object, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(month / LOCK))

    monkeypatch.setattr(filelock.FileLock, "acquire", denied)
    with pytest.raises(NoPermissionError, match=f"没有权限写入 {LOCK}（{month}）") as info, MonthLock(month, "结账"):
        pass
    assert isinstance(info.value, ReadOnlyError)
