"""What a clerk does in LibreOffice's user interface, done through its dispatcher (UNO).

`row_operations` opens a ledger as a clerk would and runs the menu commands on it — delete a
row, insert a row, sort descending — exactly as the menu does (``.uno:DeleteRows``,
``.uno:InsertRowsBefore``, ``.uno:SortDescending``: the commands check the sheet
protection as the menu does; the API's own calls would not), and reports what the sheet
holds after each. `hyperlinks` lists the links LibreOffice reads from a workbook's cells
and, asked to, follows each to the selection it lands on.

Both run LibreOffice's Python UNO bridge (the system ``python3``) through
tests/support/uno_run.py, with a fresh profile, and hand JSON back.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .uno_run import UnoError, run_uno_script

_RUNNER = r'''
import json, sys
from lo_session import load, prop, session

mode, src = sys.argv[1:3]
args = sys.argv[3:]

with session() as (ctx, desktop):
    smgr = ctx.ServiceManager
    dispatcher = smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
    doc = load(desktop, src)
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
'''


def _run(mode: str, src: Path, *args: str) -> dict[str, Any]:
    out = run_uno_script(_RUNNER, mode, str(Path(src).resolve()), *args)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if not lines:
        raise UnoError(f"LibreOffice did not answer: no JSON in {out[-2000:]!r}")
    return json.loads(lines[-1])


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
