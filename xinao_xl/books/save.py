"""Saving a workbook so that a file on disk is never half-written.

openpyxl writes the zip piece by piece; a crash or a full disk midway leaves a corrupt
file under the real name. We write a temporary file in the same folder (same file system,
so the rename is atomic) and then ``os.replace`` it over the target.
"""

from __future__ import annotations

import os
from pathlib import Path

from openpyxl import Workbook


def save_atomic(wb: Workbook, path: Path, keep_previous: bool = False) -> Path:
    """Write ``wb`` to ``path`` atomically; optionally keep the old file as ``<name>.bak``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.xlsx")
    try:
        wb.save(tmp)
        if keep_previous and path.exists():
            os.replace(path, path.with_name(path.name + ".bak"))
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path
