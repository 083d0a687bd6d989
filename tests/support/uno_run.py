"""Run a script in LibreOffice's Python UNO bridge: the one place that starts it for tests.

The bridge (``import uno``) ships for the system ``python3``, not for our venv, so a test
hands a script's text to `run_uno_script`, which runs it there in a throw-away folder (its
working directory; LibreOffice's private profile and ``HOME`` inside it) with a unique pipe
name, so runs in parallel do not meet. The script opens LibreOffice with
``uno_scripts/lo_session.py`` (on its ``PYTHONPATH``) and prints or saves what the test reads.

    out = run_uno_script(SCRIPT, str(path), "arg")   # the script's stdout
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import uuid
from pathlib import Path

from .libreoffice import find_soffice, in_ci

SCRIPTS_DIR = Path(__file__).with_name("uno_scripts")
DEFAULT_TIMEOUT = 240.0


class UnoError(RuntimeError):
    """LibreOffice or its Python UNO bridge is missing, or LibreOffice did not answer."""


def python_with_uno() -> str | None:
    """A Python that can ``import uno`` (LibreOffice's bridge ships for the system Python)."""
    for candidate in ("/usr/bin/python3", shutil.which("python3")):
        if candidate and Path(candidate).is_file() and subprocess.run([candidate, "-c", "import uno"], capture_output=True).returncode == 0:
            return candidate
    return None


def require_uno() -> tuple[str, str]:
    """(soffice, python) or skip — fail under CI, where LibreOffice is part of the setup."""
    import pytest

    soffice, python = find_soffice(), python_with_uno()
    if soffice is None or python is None:
        reason = "LibreOffice with its Python UNO bridge (python3-uno) is not installed"
        if in_ci():
            pytest.fail(f"{reason} — required when CI is set", pytrace=False)
        pytest.skip(reason)
    return soffice, python


CRASHED = "Binary URP bridge disposed"  # what the bridge says when LibreOffice itself died mid-call
CRASH_RETRIES = 2


class LibreOfficeCrashed(UnoError):
    """LibreOffice's own process died during a call (seen now and then on a loaded machine,
    in .uno:DeleteRows on a protected ledger): the stand-in engine failed, not the workbook."""


def run_uno_script(script: str, *args: str, timeout: float = DEFAULT_TIMEOUT) -> str:
    """Run `script` (its ``sys.argv[1:]`` is `args`) with the UNO bridge; its stdout.

    A run in which LibreOffice crashed is started again from nothing, at most `CRASH_RETRIES`
    times; any other failure is not retried. Raises `UnoError` when the bridge is missing,
    the script fails (its stderr in the message) or it takes longer than `timeout` seconds
    (then it and its LibreOffice are killed)."""
    for attempt in range(CRASH_RETRIES + 1):
        try:
            return _run_once(script, args, timeout)
        except LibreOfficeCrashed:
            if attempt == CRASH_RETRIES:
                raise
    raise AssertionError("unreachable")


def _run_once(script: str, args: tuple[str, ...], timeout: float) -> str:
    soffice, python = find_soffice(), python_with_uno()
    if soffice is None or python is None:
        raise UnoError("LibreOffice with python3-uno is needed")
    work = Path(tempfile.mkdtemp(prefix="xinao-uno-"))
    try:
        runner = work / "runner.py"
        runner.write_text(script, encoding="utf-8")
        env = dict(os.environ, HOME=str(work), PYTHONPATH=str(SCRIPTS_DIR), XINAO_SOFFICE=soffice,
                   XINAO_LO_PROFILE=(work / "profile").as_uri(), XINAO_LO_PIPE=f"xinao_uno_{uuid.uuid4().hex}")
        proc = subprocess.Popen([python, str(runner), *args], cwd=work, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # the script and the LibreOffice it started
            except ProcessLookupError:
                pass
            out, err = proc.communicate()
            raise UnoError(f"LibreOffice did not answer within {timeout:.0f} s: {err.decode('utf-8', 'replace')[-2000:]}") from None
        if proc.returncode != 0:
            text = err.decode("utf-8", "replace")
            kind = LibreOfficeCrashed if CRASHED in text else UnoError
            raise kind(f"LibreOffice did not answer: {text[-2000:]}")
        return out.decode("utf-8", "replace")
    finally:
        shutil.rmtree(work, ignore_errors=True)
