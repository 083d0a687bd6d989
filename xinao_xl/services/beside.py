"""Part of a use case run beside it, in a second process, on a machine's second core.

Why: a close of 10,000 callbacks spent 2.3 s, one core busy and the other idle, though
half of its work does not depend on the other half: next month's books, the 流转单 and the
filled 意见统计表 need only what the month's books hold, while the parent validates the
month and writes the closed 考核表 and the 回访报告. Machines have two cores or more; where
the system can fork (Linux, below), the close uses the second one: 1.42 s instead of 2.17 s
in-process at 10,000 callbacks (Windows, the office's, runs it all in one process).

How: ``os.fork``. The child starts with everything the parent has read, the bytes of the
month's books included, nothing copied or pickled on the way in; it computes one function
of them and sends its value back, pickled, through a pipe. The child writes no file and
touches no lock, database or folder: every file is still staged and put in place by the
parent (books/save.py), so a close still has one writer. The child ends with ``os._exit``:
no ``finally`` or ``atexit`` of the parent's runs twice; a parent killed from outside takes
the child with it (``PR_SET_PDEATHSIG``), so no child lives on holding the month's lock.

When there is no second process:
- the platform has no ``fork`` that is safe to use (Windows; macOS, whose system
  libraries do not survive one), the process runs threads (a fork copies only the calling
  thread: a lock another thread held would never be released in the child), or the
  machine has one core: the function runs in the caller when its value is asked for,
  exactly as before;
- ``XINAO_XL_SERIAL=1`` asks for that too (a check of the outputs, or a machine where a
  second process is not wanted).

Whatever goes wrong in the child (it raised, it was killed, its value does not unpickle),
the function is run again in the caller: it is deterministic, so the caller gets the value,
or the very exception with its own traceback, as if there had been no child. Leaving the
``with`` block early (validation failed, the close was cancelled) kills the child.

    with Beside(lambda: build_next_month(mb)) as beside:
        validate(mb)                 # meanwhile the child builds next month's books
        books = beside.value()       # waits for the child (or builds them here)
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from contextlib import suppress
from typing import Generic, TypeVar

T = TypeVar("T")

SERIAL_ENV = "XINAO_XL_SERIAL"


def can_fork() -> bool:
    """Whether a second process may be forked here and now (module docstring)."""
    if os.environ.get(SERIAL_ENV, "").strip() not in ("", "0"):
        return False
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return cores >= 2 and threading.active_count() == 1


class Beside(Generic[T]):
    """`fn()` computed in a forked child while the caller goes on (module docstring)."""

    def __init__(self, fn: Callable[[], T], *, fork: bool = True) -> None:
        """`fork`: whether the caller wants a second process at all (the close does not for
        a month so large that two processes would hold too much: services/close.py)."""
        self._fn = fn
        self._pid: int | None = None
        self._read: int | None = None
        self.forked = False  # whether a child computes the value (else the caller will)
        self.in_child = False  # whether the value came from the child (after `value`)
        self.child_peak_mb: float | None = None  # the peak memory of the child whose value was used
        if fork and can_fork():
            self._fork()

    def _fork(self) -> None:
        """Start the child; a system that refuses a process or a pipe (a limit on processes,
        no memory to spare) leaves the work to the caller, as on Windows."""
        for stream in (sys.stdout, sys.stderr):  # what is buffered is printed once, not twice
            with suppress(Exception):
                stream.flush()
        try:
            read, write = os.pipe()
        except OSError:
            return
        parent = os.getpid()
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            return
        if pid == 0:  # the child: compute, send, leave without running anything of the parent's
            code = 1
            try:
                os.close(read)
                signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl+C: the parent's to handle
                _die_with(parent)
                try:
                    payload = pickle.dumps((True, self._fn(), _peak_mb()), pickle.HIGHEST_PROTOCOL)
                except BaseException:  # the caller runs fn again and gets the exception itself
                    payload = pickle.dumps((False, None, _peak_mb()), pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(payload)
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self._pid, self._read, self.forked = pid, read, True

    def value(self) -> T:
        """The function's value: the child's, else computed here (module docstring)."""
        if self._pid is not None:
            got = self._receive()
            if got is not None:
                self.in_child = True
                return got[0]
        return self._fn()

    def _receive(self) -> tuple[T] | None:
        assert self._read is not None
        chunks = []
        try:
            with os.fdopen(self._read, "rb") as pipe:
                self._read = None
                while chunk := pipe.read(1 << 20):
                    chunks.append(chunk)
        except BaseException:  # interrupted while waiting: the child is not waited for
            self.cancel()
            raise
        if self._reap() != 0 or not chunks:
            return None
        try:
            ok, value, peak = pickle.loads(b"".join(chunks))
        except Exception:
            return None
        if not ok:
            return None
        self.child_peak_mb = peak
        return (value,)

    def _reap(self) -> int:
        """Wait for the child; it is forgotten only once reaped (an interrupt in between
        leaves it to `cancel`, which kills and reaps it)."""
        if self._pid is None:
            return -1
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        return os.waitstatus_to_exitcode(status)

    def cancel(self) -> None:
        """Stop the child, if any, and reap it (no value is wanted any more)."""
        if self._read is not None:
            os.close(self._read)
            self._read = None
        if self._pid is not None:
            with suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
            try:
                self._reap()
            except ChildProcessError:  # reaped already
                self._pid = None

    def __enter__(self) -> Beside[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cancel()


def _die_with(parent: int) -> None:
    """Have Linux kill this child when its parent dies (``PR_SET_PDEATHSIG``): a close killed
    from outside leaves no child behind, nor the month's lock with it (the child holds a copy
    of the lock's file handle while it lives: books/lock.py)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _peak_mb() -> float | None:
    """This process's peak resident memory (``VmHWM``; Linux), for the close's figures."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for row in f:
                if row.startswith("VmHWM:"):
                    return int(row.split()[1]) / 1024
    except OSError:
        pass
    return None


__all__ = ["SERIAL_ENV", "Beside", "can_fork"]
