"""Where a 证据 link of the 投诉台账 points (投诉 第六条(二)3、第七条(一)1、3).

Staff put a complaint's photos, recordings and screenshots in the month folder's 证据
folder and link them from the 证据 sheet (插入→链接, Ctrl+K). Excel stores a link to a file
beside the workbook as a path relative to the workbook's folder (``证据/照片1.jpg``, with
``..`` to reach another month); one typed as a full path stays absolute (``D:\\服务考核\\…``,
``\\\\server\\share\\…``, ``file:///D:/…``).

    >>> evidence_target("证据/照片1.jpg", Path("/data/2026-11"))
    PosixPath('/data/2026-11/证据/照片1.jpg')
    >>> evidence_target("https://example.com/a.jpg", Path("/data/2026-11")) is None
    True
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PureWindowsPath
from urllib.parse import unquote, urlparse

__all__ = ["evidence_target", "relative_link"]

_WINDOWS_ABSOLUTE = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\)")


def evidence_target(target: str, folder: Path | None) -> Path | None:
    """The file a link points to, or None when it is no file this machine can look for: a
    place in a workbook (``#Sheet!A1``), a web address, a Windows path on another system,
    a relative path without the folder it is relative to."""
    text = str(target or "").strip()
    if not text or text.startswith("#"):
        return None
    if text.lower().startswith("file:"):
        text = unquote(urlparse(text).path)
        if re.match(r"^/[A-Za-z]:/", text):
            text = text[1:]
    elif re.match(r"^[A-Za-z][A-Za-z0-9+.-]+:", text) and not _WINDOWS_ABSOLUTE.match(text):
        return None  # http:, https:, mailto: …
    if _WINDOWS_ABSOLUTE.match(text):
        return Path(PureWindowsPath(text)) if os.name == "nt" else None
    if text.startswith("/"):
        return Path(text)
    if folder is None:
        return None
    return Path(os.path.normpath(Path(folder) / text.replace("\\", "/")))


def relative_link(target: str, old_folder: Path, new_folder: Path) -> str:
    """A relative link of a workbook in `old_folder`, as a workbook in `new_folder` must
    write it to reach the same file (a complaint's evidence carried into next month's
    ledger: ``证据/a.jpg`` becomes ``../2026-11/证据/a.jpg``); anything else unchanged."""
    where = evidence_target(target, old_folder)
    text = str(target or "")
    if where is None or _WINDOWS_ABSOLUTE.match(text) or text.startswith("/") or text.lower().startswith("file:"):
        return text
    return Path(os.path.relpath(where, new_folder)).as_posix()
