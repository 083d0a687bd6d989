"""A function run in a second Python process, started early, fed later: a use case's second core.

Why: a close of 10,000 callbacks kept one core busy for about 2 s and left the other idle,
though the 流转单 and next month's books (about 0.7 s of it) need only a few plain records
the close has once it has read the month (services/close_beside.py). Office PCs have two
cores or more; this puts those outputs on the second one.

How, the same on Windows, macOS and Linux: at the start of the use case a fresh interpreter
is started (``python -m xinao_xl.services.spawned MODULE:FUNCTION``). It imports the
function's module at once (the imports, the slow part of a start, overlap the caller's
reading) and waits on its standard input. The caller sends the arguments there, pickled,
when it has them, and goes on; the process computes the function and writes its value,
pickled, to its standard output, which the caller reads when it needs the value. The
process writes no file and takes no lock, database or folder: the caller stages and puts
in place every file as before (books/save.py), so a use case still has one writer. It
inherits no handle of the caller's (its lock files included: Python's files are not
inheritable).

When there is no second process, the function runs in the caller when its value is asked
for, exactly as it would there:
- ``XINAO_XL_SERIAL=1`` (a check of the outputs, or a machine where a second process is not
  wanted), a machine with one core, a frozen executable that cannot run ``-m``;
- the system refuses to start it (no memory, a limit on processes);
- the caller never sends (``cancel``).

Whatever goes wrong in the process (it cannot import, it raised, it was killed, what it
wrote does not unpickle), the function is run again in the caller: it is deterministic, so
the caller gets the value, or the very exception with its own traceback, as if there had
been no second process. Leaving the ``with`` block early kills the process; a caller killed
from outside closes the pipes, and the process then ends (Linux also kills it at once,
``PR_SET_PDEATHSIG``).

    with Spawned("xinao_xl.services.close_beside:build_beside") as second:
        given = read_month()                     # meanwhile the process imports
        second.send(given)
        validate()                               # meanwhile it builds
        made = second.value()                    # its value (or built here)
"""

from __future__ import annotations

import importlib
import os
import pickle
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any, Generic, TypeVar

from xinao_xl.books.no_numpy import install as without_numpy

T = TypeVar("T")

SERIAL_ENV = "XINAO_XL_SERIAL"
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # the folder holding xinao_xl/


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def can_spawn() -> bool:
    """Whether a second process is wanted and possible here (module docstring)."""
    if os.environ.get(SERIAL_ENV, "").strip() not in ("", "0"):
        return False
    if getattr(sys, "frozen", False) or not sys.executable:
        return False
    return cores() >= 2


def _installed() -> bool:
    """Whether the package lives in a site directory (an installed tool), where the second
    process finds it as this one did. Only otherwise is its folder put first on the second
    process's path: a site directory put there would come before the standard library."""
    import site

    sites = [*site.getsitepackages(), site.getusersitepackages()] if hasattr(site, "getsitepackages") else []
    return any(Path(p).resolve() == Path(_PACKAGE_ROOT) for p in sites if p)


def resolve(target: str) -> Callable[..., Any]:
    """``"package.module:function"`` -> the function."""
    module, _, name = target.partition(":")
    fn = getattr(importlib.import_module(module), name)
    if not callable(fn):
        raise TypeError(f"{target} is not callable")
    return fn


class Spawned(Generic[T]):
    """`target(*args)` computed in a second process (module docstring)."""

    def __init__(self, target: str, *, start: bool = True) -> None:
        """`target`: ``"module:function"``, a function of picklable arguments returning a
        picklable value. `start`: whether the caller wants a second process at all."""
        self.target = target
        self._args: tuple[Any, ...] | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self.sent = False  # whether the process computes the value (else the caller will)
        self.in_child = False  # whether the value came from the process (after `value`)
        self.child_peak_mb: float | None = None  # that process's peak memory (Linux)
        if start and can_spawn():
            self._start()

    @property
    def started(self) -> bool:
        return self._proc is not None

    def _start(self) -> None:
        env = dict(os.environ)
        if not _installed():  # a checkout put on the path by hand: the process finds it too
            env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH", "")) if p)
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", __name__, self.target, str(os.getpid())],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))  # (Windows: no console window flashes up)
        except (OSError, ValueError):
            self._proc = None

    def send(self, *args: Any) -> None:
        """The arguments: to the process (it starts computing), or kept for the caller."""
        self._args = args
        if self._proc is None:
            return
        try:
            assert self._proc.stdin is not None
            self._proc.stdin.write(pickle.dumps(args, pickle.HIGHEST_PROTOCOL))
            self._proc.stdin.close()
            self.sent = True
        except (OSError, pickle.PicklingError, TypeError, AttributeError, ValueError):
            self.cancel()  # it died, or the arguments do not pickle: the caller computes

    def value(self) -> T:
        """The function's value: the process's, else computed here (module docstring)."""
        if self._args is None:
            raise RuntimeError("Spawned.value before send")
        if self.sent and self._proc is not None:
            got = self._receive()
            if got is not None:
                self.in_child = True
                return got[0]
        return resolve(self.target)(*self._args)

    def _receive(self) -> tuple[T] | None:
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        try:
            data = proc.stdout.read()
            code = proc.wait()
        except BaseException:  # interrupted while waiting: the process is not waited for
            self.cancel()
            raise
        self._proc = None
        proc.stdout.close()
        if code != 0 or not data:
            return None
        try:
            ok, value, peak = pickle.loads(data)
        except Exception:
            return None
        if not ok:
            return None
        self.child_peak_mb = peak
        return (value,)

    def cancel(self) -> None:
        """Stop the process, if any, and wait for it (no value is wanted from it any more)."""
        proc, self._proc = self._proc, None
        self.sent = False
        if proc is None:
            return
        with suppress(OSError):
            proc.kill()
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                with suppress(OSError):
                    stream.close()
        with suppress(OSError, subprocess.SubprocessError):
            proc.wait()

    def __enter__(self) -> Spawned[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cancel()


# --- the second process ------------------------------------------------------------------------


def _serve(target: str, parent: int) -> int:
    """Read the arguments, compute, write the value (module docstring). Exit 0 only when a
    value or a failure was written."""
    out = os.fdopen(os.dup(1), "wb")
    # what anything else prints must not get into the pickled value
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the process's life
    _die_with(parent)
    without_numpy()  # (its arguments are our own Python values: openpyxl needs no numpy here)
    got: list[Any] = []

    def read() -> None:  # read while importing: the caller's write never waits on a full pipe
        with suppress(Exception):
            got.append(sys.stdin.buffer.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        fn = resolve(target)
    except Exception:
        fn = None
    reader.join()
    if not got or not got[0]:
        return 1  # the caller went away or cancelled
    try:
        args = pickle.loads(got[0])
        if fn is None:
            raise RuntimeError(target)
        payload = pickle.dumps((True, fn(*args), _peak_mb()), pickle.HIGHEST_PROTOCOL)
    except BaseException:  # the caller runs it again and gets the exception itself
        payload = pickle.dumps((False, None, _peak_mb()), pickle.HIGHEST_PROTOCOL)
    try:
        out.write(payload)
        out.close()
    except OSError:
        return 1
    return 0


def _die_with(parent: int) -> None:
    """Linux: have the kernel kill this process when its parent dies (``PR_SET_PDEATHSIG``);
    elsewhere the closed pipes end it."""
    if not sys.platform.startswith("linux"):
        return
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


if __name__ == "__main__":
    sys.exit(_serve(sys.argv[1], int(sys.argv[2])))


__all__ = ["SERIAL_ENV", "Spawned", "can_spawn", "cores", "resolve"]
