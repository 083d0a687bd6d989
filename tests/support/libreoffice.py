"""LibreOffice headless as a formula engine for tests: recalculate workbooks, render PDFs.

openpyxl writes formulas without cached values; Excel, WPS and LibreOffice compute them when
a person opens the file, but a test that reads the file back sees nothing. Here LibreOffice
opens each workbook with a private, throw-away user profile whose settings force a full
recalculation on load (OOXML and ODF), and saves it again as .xlsx, so the computed values
are in the file for openpyxl (``data_only=True``) or python-calamine to read.

    >>> out = recalculate(Path("book.xlsx"), tmp_path)              # tmp_path/book.xlsx
    >>> outs = recalculate_many([a, b, c], tmp_path)                 # one LibreOffice start
    >>> pdf = render_pdf(Path("book.xlsx"), tmp_path)

Starting LibreOffice costs seconds; converting another file in the same call costs little,
so pass every workbook of a test to one ``recalculate_many`` call.

A fresh profile per call means no stale profile lock from a crashed run, no hand-over to a
LibreOffice the user has open, and safe parallel test workers. A call that hangs is killed
(whole process group) after ``timeout`` seconds and raises ``LibreOfficeError``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

__all__ = [
    "LibreOfficeError",
    "RECALC_PROFILE_XCU",
    "find_soffice",
    "lo_available",
    "recalculate",
    "recalculate_many",
    "resave",
    "render_pdf",
    "render_pdf_many",
    "in_ci",
]

DEFAULT_TIMEOUT = 300.0

# Calc > Formula > "Recalculation on file load": 0 = always, 1 = never, 2 = prompt.
RECALC_PROFILE_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="ShowTipOfTheDay" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Save/Document"><prop oor:name="WarnAlienFormat" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""

_CANDIDATES = (
    "/usr/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/snap/bin/libreoffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)

XLSX_FILTER = "xlsx:Calc MS Excel 2007 XML"
PDF_FILTER = "pdf:calc_pdf_Export"


class LibreOfficeError(RuntimeError):
    """LibreOffice is missing, hung, or did not write an expected file."""


def find_soffice() -> str | None:
    """The LibreOffice executable: $SOFFICE, then PATH (soffice, libreoffice), then usual places."""
    env = os.environ.get("SOFFICE")
    if env and Path(env).is_file():
        return env
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in _CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    for candidate in sorted(Path("/opt").glob("libreoffice*/program/soffice"), reverse=True):
        return str(candidate)
    return None


def lo_available() -> bool:
    return find_soffice() is not None


def in_ci() -> bool:
    """True when the CI environment variable is set (GitHub, GitLab and others set CI=true)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def recalculate(src: Path, dst_dir: Path, *, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Recalculate one workbook; returns dst_dir/<same name>.xlsx with cached values."""
    return recalculate_many([src], dst_dir, timeout=timeout)[0]


def recalculate_many(srcs: Iterable[Path], dst_dir: Path, *, timeout: float = DEFAULT_TIMEOUT) -> list[Path]:
    """Recalculate many workbooks in one LibreOffice run; outputs in the order given."""
    return _convert(list(srcs), Path(dst_dir), XLSX_FILTER, ".xlsx", timeout)


def resave(src: Path, dst_dir: Path, *, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Open and save a workbook as LibreOffice does by default for .xlsx files: no forced
    recalculation on load (formulas with a cached value keep it; those without are computed)."""
    return _convert([src], Path(dst_dir), XLSX_FILTER, ".xlsx", timeout, force_recalc=False)[0]


def render_pdf(src: Path, dst_dir: Path, *, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Export a workbook (every sheet, as it would print) to dst_dir/<stem>.pdf."""
    return render_pdf_many([src], dst_dir, timeout=timeout)[0]


def render_pdf_many(srcs: Iterable[Path], dst_dir: Path, *, timeout: float = DEFAULT_TIMEOUT) -> list[Path]:
    return _convert(list(srcs), Path(dst_dir), PDF_FILTER, ".pdf", timeout)


def _convert(srcs: Sequence[Path], dst_dir: Path, target: str, suffix: str, timeout: float, force_recalc: bool = True) -> list[Path]:
    if not srcs:
        return []
    soffice = find_soffice()
    if soffice is None:
        raise LibreOfficeError("LibreOffice (soffice) not found: install it or set $SOFFICE")
    srcs = [Path(s).resolve() for s in srcs]
    dst_dir = dst_dir.resolve()
    dst_dir.mkdir(parents=True, exist_ok=True)
    outs = [dst_dir / (s.stem + suffix) for s in srcs]
    for s, o in zip(srcs, outs, strict=True):
        if not s.is_file():
            raise LibreOfficeError(f"no such workbook: {s}")
        if s == o:
            raise LibreOfficeError(f"output would overwrite its source: {s} (use another dst_dir)")
    if len(set(outs)) != len(outs):
        raise LibreOfficeError("two sources have the same file stem; their outputs would collide")
    for o in outs:
        o.unlink(missing_ok=True)  # a leftover from an earlier run must not pass as output

    profile = Path(tempfile.mkdtemp(prefix="xinao-lo-profile-"))
    try:
        (profile / "user").mkdir()
        xcu = RECALC_PROFILE_XCU if force_recalc else re.sub(r"<item[^\n]*RecalcMode.*\n", "", RECALC_PROFILE_XCU)
        (profile / "user" / "registrymodifications.xcu").write_text(xcu, encoding="utf-8")
        cmd = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--nodefault",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            target,
            "--outdir",
            str(dst_dir),
            *map(str, srcs),
        ]
        stdout, stderr = _run(cmd, timeout, cwd=profile)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    missing = [o for o in outs if not o.is_file()]
    if missing:
        raise LibreOfficeError(
            f"LibreOffice did not write {', '.join(m.name for m in missing)}\n"
            f"stdout: {stdout.strip()}\nstderr: {stderr.strip()}"
        )
    return outs


def _run(cmd: list[str], timeout: float, cwd: Path) -> tuple[str, str]:
    env = dict(os.environ)
    env.setdefault("HOME", str(cwd))  # LibreOffice wants a home even with a private profile
    started = time.monotonic()
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=(os.name == "posix"),
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        out, err = proc.communicate()
        raise LibreOfficeError(
            f"LibreOffice hung: killed after {time.monotonic() - started:.0f} s (timeout {timeout:.0f} s)\n"
            f"command: {' '.join(cmd)}\nstderr: {err.decode('utf-8', 'replace').strip()}"
        ) from None
    stdout, stderr = out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise LibreOfficeError(f"LibreOffice exited with {proc.returncode}\nstdout: {stdout.strip()}\nstderr: {stderr.strip()}")
    return stdout, stderr


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Kill soffice and whatever it started (oosplash starts soffice.bin as a child)."""
    if os.name == "posix":
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    else:
        proc.kill()
