"""A function run in a second Python process, started early, fed later: a use case's second core.

Why: a close of 10,000 callbacks kept one core busy for about 2 s and left the other idle,
though the 流转单 and next month's books (about 0.7 s of it) need only a few plain records
the close has once it has read the month (services/close_beside.py). Office PCs have two
cores or more; this puts those outputs on the second one.

How, the same on Windows, macOS and Linux: at the start of the use case a fresh interpreter
is started (``python -c …``, with this process's interpreter options and its ``sys.path``,
so it imports the same package from the same place). It imports the function's module at
once (the imports, the slow part of a start, overlap the caller's reading) and reads its
standard input meanwhile. The caller sends the arguments there, pickled, when it has them
(a thread writes them: the caller goes on), and goes on; the process computes the function
and writes its value, pickled, behind a marker and its length, to its standard output,
which the caller reads when it needs the value. The process writes no file and takes no
lock, database or folder: the caller stages and puts in place every file as before
(books/save.py), so a use case still has one writer. It inherits no handle of the caller's
(its lock files included: Python's files are not inheritable).

When there is no second process, the function runs in the caller when its value is asked
for, exactly as it would there:
- ``XINAO_XL_SERIAL=1`` (a check of the outputs, or a machine where a second process is not
  wanted), a machine with one core, a frozen executable or one that is no Python;
- the system refuses to start it (no memory, a limit on processes);
- the caller never sends (``cancel``).

Whatever goes wrong in the process (it cannot import, it raised, it was killed, it did not
answer within `TIMEOUT_S`, what it wrote does not unpickle, a module it imported changed
after the caller loaded the package: a new version installed while Excel kept the caller's
process), the function is run again in the caller, from the very bytes sent: it is deterministic, so
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
import json
import os
import pickle
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any, Generic, TypeVar

import xinao_xl
from xinao_xl.books.no_numpy import install as without_numpy

T = TypeVar("T")

SERIAL_ENV = "XINAO_XL_SERIAL"
PATH_ENV = "XINAO_XL_SPAWN_PATH"  # the caller's sys.path, for the second process (`_BOOT`)
TIMEOUT_S = 300.0  # a second process that has not answered by then is killed (the caller computes)
MAGIC = b"\x00xinao-xl-spawned\x00"  # before the value's length and bytes on the process's output

# The second process's first statements: the caller's own ``sys.path`` (not the working
# folder's, nor a PYTHONPATH the interpreter may ignore), so it imports the same package
# from the same place the caller did.
_BOOT = (f"import json,os,sys;sys.path[:]=json.loads(os.environ.pop({PATH_ENV!r}));"
         "from xinao_xl.services.spawned import _serve;sys.exit(_serve(sys.argv[1],int(sys.argv[2])))")


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
    if getattr(sys, "frozen", False) or not Path(sys.executable or "-").name.lower().startswith("python"):
        return False  # (an interpreter embedded in another program: that program is no Python to start)
    return cores() >= 2


def resolve(target: str) -> Callable[..., Any]:
    """``"package.module:function"`` -> the function."""
    module, _, name = target.partition(":")
    fn = getattr(importlib.import_module(module), name)
    if not callable(fn):
        raise TypeError(f"{target} is not callable")
    return fn


def _interpreter_flags() -> list[str]:
    """The caller's interpreter options (``-B`` from xlwings, ``-O``…), as multiprocessing
    passes them to its processes; plus ``-P``: no working folder first on the path."""
    try:
        flags = list(subprocess._args_from_interpreter_flags())  # type: ignore[attr-defined]
    except Exception:
        flags = ["-B"] if sys.dont_write_bytecode else []
    return [*flags, "-P"]


class Spawned(Generic[T]):
    """`target(*args)` computed in a second process (module docstring)."""

    def __init__(self, target: str, *, start: bool = True) -> None:
        """`target`: ``"module:function"``, a function of picklable arguments returning a
        picklable value. `start`: whether the caller wants a second process at all."""
        self.target = target
        self._args: tuple[Any, ...] | None = None
        self._payload: bytes | None = None  # the arguments as sent (what the caller computes from, too)
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
        env[PATH_ENV] = json.dumps([p for p in sys.path if isinstance(p, str)])  # (the import system skips others too)
        try:
            self._proc = subprocess.Popen(
                [sys.executable, *_interpreter_flags(), "-c", _BOOT, self.target, str(os.getpid())],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))  # (Windows: no console window flashes up)
        except (OSError, ValueError):
            self._proc = None

    def send(self, *args: Any) -> None:
        """The arguments: to the process (it starts computing), or kept for the caller. They
        are written by a thread of their own: the caller goes on even if the process is not
        reading yet."""
        self._args = args
        proc = self._proc
        if proc is None or proc.stdin is None:
            return  # (no process: the caller computes from `args`, nothing to pickle)
        try:
            self._payload = pickle.dumps(args, pickle.HIGHEST_PROTOCOL)
        except Exception:  # (not picklable, too deep, no memory): the caller computes from `args`
            self.cancel()
            return

        def write(stream: Any, data: bytes) -> None:
            with suppress(OSError, ValueError):  # the process died or was cancelled: its value is not used
                stream.write(data)
            with suppress(OSError, ValueError):
                stream.close()

        threading.Thread(target=write, args=(proc.stdin, self._payload), daemon=True).start()
        self.sent = True

    def value(self) -> T:
        """The function's value: the process's, else computed here (module docstring)."""
        if self._args is None:
            raise RuntimeError("Spawned.value before send")
        if self.sent and self._proc is not None:
            got = self._receive()
            if got is not None:
                self.in_child = True
                return got[0]
        args = pickle.loads(self._payload) if self._payload is not None else self._args
        return resolve(self.target)(*args)

    def _receive(self) -> tuple[T] | None:
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        out: list[bytes] = []
        reader = threading.Thread(target=lambda: out.append(proc.stdout.read()), daemon=True)  # type: ignore[union-attr]
        try:
            reader.start()
            deadline = time.monotonic() + TIMEOUT_S
            while reader.is_alive() and time.monotonic() < deadline:
                reader.join(0.2)  # (short waits: an interrupt is seen, on Windows too)
            if reader.is_alive():  # hung: killed, and the caller computes
                self.cancel()
                return None
            code = proc.wait()
        except BaseException:  # interrupted while waiting: the process is not waited for
            self.cancel()
            raise
        self._proc = None
        with suppress(OSError):
            proc.stdout.close()
        value = _unpack(out[0] if out else b"") if code == 0 else None
        if value is None:
            return None
        ok, result, peak, newest = value
        if not ok or newest > xinao_xl.LOADED_AT:
            # it failed; or a module it imported was changed after this process loaded the
            # package (a new version installed while Excel kept this process): its code may
            # not be this process's, and the caller's own build is the one to use
            return None
        self.child_peak_mb = peak
        return (result,)

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
                with suppress(OSError, ValueError):
                    stream.close()
        with suppress(OSError, subprocess.SubprocessError):
            proc.wait()

    def __enter__(self) -> Spawned[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cancel()


def _unpack(data: bytes) -> tuple[bool, Any, float | None, float] | None:
    """The process's answer from its output: whatever was printed before it (a
    ``sitecustomize``, a ``.pth`` file, before the process could set its output aside) is
    skipped; anything malformed is no answer."""
    at = data.find(MAGIC)
    if at < 0:
        return None
    head = at + len(MAGIC)
    try:
        (size,) = struct.unpack("<Q", data[head:head + 8])
        body = data[head + 8:head + 8 + size]
        if len(body) != size:
            return None
        ok, result, peak, newest = pickle.loads(body)
    except Exception:
        return None
    return bool(ok), result, peak, float(newest)


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
        answer: tuple[Any, ...] = (True, fn(*args), _peak_mb(), _newest_module())
        body = pickle.dumps(answer, pickle.HIGHEST_PROTOCOL)
    except BaseException:  # the caller runs it again and gets the exception itself
        body = pickle.dumps((False, None, _peak_mb(), 0.0), pickle.HIGHEST_PROTOCOL)
    try:
        out.write(MAGIC + struct.pack("<Q", len(body)) + body)
        out.close()
    except OSError:
        return 1
    return 0


def _newest_module() -> float:
    """The latest change time of the package's modules this process imported (`Spawned._receive`)."""
    newest = 0.0
    for name, module in list(sys.modules.items()):
        if name == "xinao_xl" or name.startswith("xinao_xl."):
            path = getattr(module, "__file__", None)
            if path:
                with suppress(OSError):
                    newest = max(newest, os.stat(path).st_mtime)
    return newest


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


__all__ = ["SERIAL_ENV", "Spawned", "can_spawn", "cores", "resolve"]
