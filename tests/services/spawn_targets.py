"""Functions a second process runs in tests/services/test_spawned.py (spawned.py runs a
``module:function`` by name). `PARENT` names the test's process, so a function can behave
otherwise in the second one."""

from __future__ import annotations

import os
import signal
import sys
import time
from typing import Any

PARENT = "XINAO_XL_TEST_PARENT"


def _in_second() -> bool:
    return os.environ.get(PARENT) != str(os.getpid())


def pid() -> int:
    return os.getpid()


def echo(value: Any) -> Any:
    return value


def fails_in_second() -> str:
    if _in_second():
        raise ValueError("only in the second process")
    return "computed by the caller"


def echo_failing_in_second(value: Any) -> Any:
    if _in_second():
        raise ValueError("only in the second process")
    return value


def killed_in_second() -> str:
    if _in_second():
        os.kill(os.getpid(), signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)
    return "computed by the caller"


def unpicklable_in_second() -> Any:
    return (lambda: None) if _in_second() else "computed by the caller"


def raises() -> None:
    raise KeyError("the same error, raised by the caller")


def prints(value: str) -> str:
    """Output on the standard output (a library's stray print) must not spoil the value."""
    print("stray output", value)
    sys.stdout.flush()
    os.write(1, b"written to fd 1\n")
    return value


def sleeps(seconds: float) -> str:
    time.sleep(seconds)
    return "slept"


def build_beside_failing_in_second(given: Any) -> Any:
    """The close's `close_beside.build_beside`, failing in the second process."""
    from xinao_xl.services.close_beside import build_beside

    if _in_second():
        raise RuntimeError("the second process fails")
    return build_beside(given)


def sleeps_in_second(seconds: float) -> str:
    """Hangs in the second process only (the caller's timeout ends it)."""
    if _in_second():
        time.sleep(seconds)
    return "computed by the caller"


def path() -> list[str]:
    return list(sys.path)


def flags() -> list[int]:
    return [sys.flags.dont_write_bytecode, sys.flags.optimize, sys.flags.safe_path]
