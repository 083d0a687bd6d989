"""The close writes, through `style.Look` and copied flow-form sheets, exactly what openpyxl's
public setters write: every output, cell by cell (value, number format, font, fill, border,
alignment, protection, quote prefix) and sheet by sheet (merges, sizes, validations,
conditional formats, print setup)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.snapshot import snapshot, snapshot_diff
from xinao_xl.books.month_folder import MonthFolder
from xinao_xl.books.style import public_setters
from xinao_xl.services.close import close_month

from . import hand_month as H


def _outputs(root: Path) -> dict[str, Path]:
    mf = MonthFolder(root, H.MONTH)
    folders = (mf.out_dir, mf.next().path)
    return {f"{p.parent.name}/{p.name}": p for folder in folders for p in sorted(folder.glob("*.xlsx"))}


def test_close_outputs_equal_public_setters(tmp_path: Path) -> None:
    fast_root, slow_root = tmp_path / "fast", tmp_path / "slow"
    H.build(fast_root)
    shutil.copytree(fast_root, slow_root)
    close_month(H.MONTH, fast_root, now=H.NOW)
    with public_setters():
        close_month(H.MONTH, slow_root, now=H.NOW)
    fast, slow = _outputs(fast_root), _outputs(slow_root)
    assert list(fast) == list(slow) and len(fast) == 9  # five outputs (the 服务津贴申请 since issue 19), four books of next month
    for name in fast:
        assert snapshot_diff(snapshot(slow[name]), snapshot(fast[name])) == [], name
