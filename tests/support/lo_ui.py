"""What a clerk does in LibreOffice's user interface, done through its dispatcher (UNO).

`row_operations` opens a ledger as a clerk would and runs the menu commands on it — delete a
row, insert a row, sort descending — exactly as the menu does (``.uno:DeleteRows``,
``.uno:InsertRowsBefore``, ``.uno:SortDescending``: the commands check the sheet
protection as the menu does; the API's own calls would not), and reports what the sheet
holds after each. `hyperlinks` lists the links LibreOffice reads from a workbook's cells
and, asked to, follows each to the selection it lands on.

Both run LibreOffice's Python UNO bridge (the system ``python3``; tests/support/staff_edits.py
finds it) in a subprocess, with a fresh profile, and hand JSON back.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Any

from .libreoffice import find_soffice
from .staff_edits import StaffEditUnavailable, python_with_uno

_RUNNER = r'''
import json, subprocess, sys, time, uno
from com.sun.star.beans import PropertyValue

soffice, profile, pipe, mode, src = sys.argv[1:6]
args = sys.argv[6:]


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


proc = subprocess.Popen([soffice, "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
                         "-env:UserInstallation=" + profile, "--accept=pipe,name=%s;urp;" % pipe],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
desktop = None
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(240):
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except Exception:
            time.sleep(0.25)
    smgr = ctx.ServiceManager
    desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    dispatcher = smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0, (prop("Hidden", True),))
    out = {}
    if mode == "rows":
        sheet_name, key, formula, last = args
        sheet = doc.Sheets.getByName(sheet_name)
        ctrl = doc.CurrentController
        frame = ctrl.Frame
        ctrl.setActiveSheet(sheet)

        def state():
            return {"keys": [sheet.getCellRangeByName("%s%d" % (key, r)).getString() for r in range(3, 9)],
                    "formulas": [sheet.getCellRangeByName("%s%d" % (formula, r)).getFormula() for r in range(3, 9)]}

        def run(command, area):
            ctrl.select(sheet.getCellRangeByName(area))
            dispatcher.executeDispatch(frame, command, "", 0, ())
            return state()

        out["protected"] = sheet.isProtected()
        out["before"] = state()
        out["delete"] = run(".uno:DeleteRows", "A4:A4")
        out["insert"] = run(".uno:InsertRowsBefore", "A4:A4")
        out["sort"] = run(".uno:SortDescending", "A3:%s8" % last)
        v = sheet.getCellRangeByName("%s5" % formula).Validation
        out["guard"] = {"type": v.Type.value, "formula": v.getFormula1(), "stop": v.ShowErrorMessage, "message": v.ErrorMessage}
    elif mode == "links":
        sheet = doc.Sheets.getByIndex(0)
        column = int(args[0])
        links = []
        for r in range(1, int(args[1]) + 1):
            cell = sheet.getCellByPosition(column, r)
            for field in cell.getTextFields():
                links.append([r + 1, field.getPropertyValue("URL")])
        out["links"] = links
        out["url"] = doc.getURL()
        if args[2:] == ["follow"]:  # open each link as a click does: the file at its mark
            followed = []
            for _, url in links:
                target = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
                followed.append([url, target.CurrentController.getSelection().AbsoluteName])
                target.close(True)
            out["followed"] = followed
    print(json.dumps(out, ensure_ascii=False))
    doc.close(True)
finally:
    if desktop is not None:
        try:
            desktop.terminate()
        except Exception:
            pass
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
'''


def _run(mode: str, src: Path, *args: str, timeout: float = 240) -> dict[str, Any]:
    soffice, python = find_soffice(), python_with_uno()
    if soffice is None or python is None:
        raise StaffEditUnavailable("LibreOffice with python3-uno is needed")
    work = Path(tempfile.mkdtemp(prefix="xinao-ui-"))
    try:
        runner = work / "runner.py"
        runner.write_text(_RUNNER, encoding="utf-8")
        env = dict(os.environ, HOME=str(work))
        result = subprocess.run([python, str(runner), soffice, (work / "profile").as_uri(), f"xinao_ui_{uuid.uuid4().hex}", mode,
                                 str(Path(src).resolve()), *args], capture_output=True, timeout=timeout, env=env, cwd=work)
        lines = [line for line in result.stdout.decode("utf-8", "replace").splitlines() if line.startswith("{")]
        if result.returncode != 0 or not lines:
            raise StaffEditUnavailable(f"LibreOffice did not answer: {result.stderr.decode('utf-8', 'replace')[-2000:]}")
        return json.loads(lines[-1])
    finally:
        shutil.rmtree(work, ignore_errors=True)


def row_operations(src: Path, sheet: str, key: str, formula: str, last: str) -> dict[str, Any]:
    """Delete row 4, insert a row at 4, sort rows 3-8 descending by column A, in `sheet` of a
    copy of `src` in memory (nothing is saved). After each step: the text of column `key`
    and the formula of column `formula` in rows 3-8. Also the validation of `formula`5."""
    return _run("rows", src, sheet, key, formula, last)


def hyperlinks(src: Path, column: int, rows: int, follow: bool = False) -> dict[str, Any]:
    """The URL of every link in column `column` (0-based) of the first sheet, rows 2 to
    `rows`+1, as LibreOffice reads them (relative targets resolved), and the document's own
    URL; with `follow`, each link opened as a click opens it, with the selection it lands
    on (``$台账.$K$4:$K$94``)."""
    return _run("links", src, str(column), str(rows), *(["follow"] if follow else []))
