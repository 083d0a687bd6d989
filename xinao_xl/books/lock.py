"""One writer at a time in a month folder.

    with MonthLock(Path("D:/服务考核/2026-11"), "结账", user="孙雪燕") as lock:
        ...                       # close, sample, new month: nobody else writes the month
    # a second writer meanwhile: MonthBusyError("2026-11 正在由 孙雪燕（电脑 OFFICE-3）结账，…")

Why a lock: the close reads the month's four workbooks, computes for seconds and writes
``结账/``, the record and next month's books; a second close or a sampling run in between
mixed two runs' outputs (issue 13: one ``--share`` run left the other run's internal
回访报告 in ``结账/``). Every use case that writes into a month folder takes this lock
first, and a second one is refused at once, with who holds it, on which machine, since when.

The lock is the operating system's, through `filelock` (a kept library; not home-made):
``LockFileEx`` on one byte of ``.xinao-xl.lock`` on Windows, ``flock`` elsewhere. Such a
lock belongs to the open file handle, so the system drops it when the process ends,
however it ends (closed window, killed, crashed): a lock can never be left behind by a dead
process. What is left is our note of the holder (``.xinao-xl.holder.json``, written after
the lock is taken, removed before it is released); the next writer that finds the note
with the lock free knows the last run did not end normally and says so (`interrupted`).

On a Windows shared folder (SMB) the byte-range lock is held by the file server, so it
excludes writers on other machines too; what that does and does not guarantee is in the
guide (docs/使用说明.md, 数据会不会丢？).

The holder note is written directly (not through books/save.py): it is the lock's own
bookkeeping, not the office's data, and needs no kept version.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import time
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from xinao_xl.policy import clock

from .month_folder import LOCK
from .save import TMP_SUFFIX, WriteRefusedError, plain_os_error

__all__ = ["HOLDER", "LOCK", "Holder", "MonthBusyError", "MonthLock"]

HOLDER = ".xinao-xl.holder.json"
# How long a writer refused waits for the holder's note: the holder writes it just after
# taking the lock, and a refusal read in between said only "another operation" (seen when
# two closes started together on a loaded machine).
HOLDER_WAIT = 0.5


class MonthBusyError(WriteRefusedError):
    """Another writer holds the month; the message names who, where and since when."""

    def __init__(self, message: str, holder: Holder | None = None) -> None:
        super().__init__(message)
        self.holder = holder


@dataclass(frozen=True)
class Holder:
    """Who holds (or held) a month's lock."""

    user: str
    machine: str
    pid: int
    since: datetime  # office time (Asia/Shanghai)
    action: str  # 结账 / 抽样 / 生成空白工作簿 …

    def describe(self) -> str:
        """"孙雪燕（电脑 OFFICE-3）于 2026-12-03 09:00 开始的结账"."""
        return f"{self.user or '未知用户'}（电脑 {self.machine or '未知'}）于 {self.since:%Y-%m-%d %H:%M} 开始的{self.action}"

    def as_json(self) -> dict[str, Any]:
        return {"用户": self.user, "电脑": self.machine, "进程": self.pid, "开始时间": self.since.isoformat(timespec="seconds"), "操作": self.action}

    @classmethod
    def from_json(cls, data: Any) -> Holder | None:
        try:
            return cls(str(data["用户"]), str(data["电脑"]), int(data["进程"]), datetime.fromisoformat(data["开始时间"]), str(data["操作"]))
        except (KeyError, TypeError, ValueError):
            return None


def _user(given: str | None) -> str:
    if given:
        return given
    try:
        return getpass.getuser()
    except Exception:  # no login name in some services and containers
        return ""


class MonthLock:
    """The writer's lock of one month folder (see the module docstring).

    A folder that does not exist yet needs no lock: whoever creates it writes it whole
    (books/save.py `Batch` renames a complete folder into place). Re-entering the same
    `MonthLock` object nests; a second object for the same folder, even in the same
    process, is refused like another program."""

    def __init__(self, folder: Path, action: str, *, user: str | None = None) -> None:
        self.folder = Path(folder)
        self.action = action
        self.user = _user(user)
        self.interrupted: Holder | None = None  # the note of a run that ended without releasing
        self.held = False
        self._lock: FileLock | None = None
        self._depth = 0

    @property
    def lock_path(self) -> Path:
        return self.folder / LOCK

    @property
    def holder_path(self) -> Path:
        return self.folder / HOLDER

    def __enter__(self) -> MonthLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self) -> None:
        """Take the lock at once, or raise `MonthBusyError` naming the holder."""
        if self._depth:
            self._depth += 1
            return
        if not self.folder.is_dir():
            self._depth = 1
            return
        lock = FileLock(str(self.lock_path), timeout=0)
        try:
            try:
                lock.acquire(blocking=False)
            except Timeout:
                holder = self._holder_soon()
                if holder is not None:
                    raise MonthBusyError(self.busy_message(holder), holder) from None
                try:  # no note came: the holder may have finished meanwhile (it removes its note, then lets go)
                    lock.acquire(blocking=False)
                except Timeout:
                    raise MonthBusyError(self.busy_message(), None) from None
        except OSError as exc:  # the folder cannot be written: say so as preflight does
            plain = plain_os_error(exc, self.lock_path)
            if plain is None:
                raise
            raise plain from exc
        self._lock, self.held, self._depth = lock, True, 1
        self.interrupted = self.read_holder()
        self._write_holder()

    def release(self) -> None:
        if not self._depth:
            return
        self._depth -= 1
        if self._depth or self._lock is None:
            return
        with suppress(OSError):
            self.holder_path.unlink()
        self._lock.release()
        self._lock, self.held = None, False

    def read_holder(self) -> Holder | None:
        """The holder note, None when there is none or it cannot be read."""
        try:
            return Holder.from_json(json.loads(self.holder_path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return None

    def _holder_soon(self) -> Holder | None:
        """The holder's note, waiting up to `HOLDER_WAIT` for it: the lock is taken before
        the note is written."""
        deadline = time.monotonic() + HOLDER_WAIT
        while (holder := self.read_holder()) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        return holder

    def busy_message(self, holder: Holder | None = None) -> str:
        holder = holder or self.read_holder()
        month = self.folder.name
        if holder is None:
            return f"{month} 正在由另一个操作写入（锁文件 {self.lock_path}）：请等其完成后再试"
        return (f"{month} 正在{holder.action}：由 {holder.user or '未知用户'}（电脑 {holder.machine or '未知'}）于 "
                f"{holder.since:%Y-%m-%d %H:%M} 开始（进程 {holder.pid}）。同一时间只能有一人写入本月文件夹，请等其完成后再试；"
                f"如那台电脑已关机或断网，文件服务器发现连接断开后会自动解除（可能要几分钟）")

    def interrupted_note(self) -> str:
        """What to say when the last run ended without releasing (empty when it did)."""
        if self.interrupted is None:
            return ""
        return f"上次由 {self.interrupted.describe()}未正常结束（程序被关闭、电脑断电或断网）；其锁已由系统自动解除，本次已重新完成"

    def _write_holder(self) -> None:
        """The note, complete then renamed in place (a reader never sees half of it); a
        note that cannot be written leaves the lock held all the same."""
        holder = Holder(self.user, socket.gethostname(), os.getpid(), clock.now().replace(microsecond=0), self.action)
        tmp = self.folder / f"{HOLDER}.{os.getpid()}{TMP_SUFFIX}"  # a killed write's leftover is swept like any other
        try:
            tmp.write_text(json.dumps(holder.as_json(), ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.holder_path)
        except OSError:
            with suppress(OSError):
                tmp.unlink()
