"""Read the VBA modules back out of an ``.xlam`` (for 诊断: which xlwings VBA is inside).

The doctor compares the ``XLWINGS_VERSION`` constant of the add-in's xlwings module with the
installed Python package; a mismatch breaks ``RunPython`` and the UDFs in confusing ways.
The add-in may come from our build (source only) or from Excel (``--from-source``, with
compiled code before each module's source), so the module offset is taken from the ``dir``
stream (MS-OVBA 2.3.4.2) and the compound file is read with a minimal MS-CFB reader (no
runtime dependency on olefile / oletools).

    >>> embedded_xlwings_version(Path("dist/xinao_xl.xlam"))   # doctest: +SKIP
    '0.37.8'
"""

from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path

from .ovba import decompress

__all__ = ["embedded_xlwings_version", "read_cfb_streams", "vba_module_sources"]

_ENDOFCHAIN = 0xFFFFFFFE
_VERSION = re.compile(r'XLWINGS_VERSION\s+As\s+String\s*=\s*"([^"]+)"', re.IGNORECASE)


def read_cfb_streams(blob: bytes) -> dict[str, bytes]:
    """Every stream of a compound file, by path (``VBA/dir``), for files up to 109 FAT sectors."""
    if blob[:8] != bytes.fromhex("d0cf11e0a1b11ae1"):
        raise ValueError("not a compound file")
    shift, mini_shift = struct.unpack_from("<HH", blob, 30)
    size, mini_size = 1 << shift, 1 << mini_shift
    n_fat, first_dir, _, cutoff, first_minifat, n_minifat = struct.unpack_from("<IIIIII", blob, 44)
    difat = struct.unpack_from("<109I", blob, 76)[:n_fat]

    def sector(i: int) -> bytes:
        return blob[(i + 1) * size : (i + 2) * size]

    fat = [x for i in difat for x in struct.unpack(f"<{size // 4}I", sector(i))]

    def chain(start: int, table: list[int]) -> list[int]:
        out = []
        while start not in (_ENDOFCHAIN, 0xFFFFFFFF) and len(out) <= len(table):
            out.append(start)
            start = table[start]
        return out

    directory = b"".join(sector(i) for i in chain(first_dir, fat))
    entries = [directory[i : i + 128] for i in range(0, len(directory), 128)]
    minifat_bytes = b"".join(sector(i) for i in chain(first_minifat, fat)) if n_minifat else b""
    minifat = list(struct.unpack(f"<{len(minifat_bytes) // 4}I", minifat_bytes))
    root_start = struct.unpack_from("<I", entries[0], 116)[0]
    mini_stream = b"".join(sector(i) for i in chain(root_start, fat))

    def data(entry: bytes) -> bytes:
        start, length = struct.unpack_from("<IQ", entry, 116)
        if length < cutoff:
            raw = b"".join(mini_stream[i * mini_size : (i + 1) * mini_size] for i in chain(start, minifat))
        else:
            raw = b"".join(sector(i) for i in chain(start, fat))
        return raw[:length]

    streams: dict[str, bytes] = {}

    def walk(sid: int, prefix: str) -> None:
        if sid == 0xFFFFFFFF or sid >= len(entries):
            return
        entry = entries[sid]
        name_len, kind = struct.unpack_from("<HB", entry, 64)
        name = entry[: max(name_len - 2, 0)].decode("utf-16-le")
        left, right, child = struct.unpack_from("<III", entry, 68)
        walk(left, prefix)
        walk(right, prefix)
        if kind == 2:
            streams[prefix + name] = data(entry)
        elif kind == 1:
            walk(child, f"{prefix}{name}/")

    walk(struct.unpack_from("<I", entries[0], 76)[0], "")
    return streams


def vba_module_sources(xlam: Path) -> dict[str, str]:
    """Module name -> source text of the add-in's VBA project."""
    with zipfile.ZipFile(xlam) as zf:
        streams = read_cfb_streams(zf.read("xl/vbaProject.bin"))
    records = decompress(streams["VBA/dir"])
    pos, codepage = 0, 1252
    modules: list[tuple[str, int]] = []
    stream_name = ""
    while pos + 6 <= len(records):
        rid, length = struct.unpack_from("<HI", records, pos)
        if rid == 0x0009:  # PROJECTVERSION: its size field says 4, the record holds 6 bytes
            length = 6
        value = records[pos + 6 : pos + 6 + length]
        if rid == 0x0003:
            codepage = struct.unpack("<H", value)[0]
        elif rid == 0x001A:
            stream_name = value.decode(f"cp{codepage}", "replace")
        elif rid == 0x0031:
            modules.append((stream_name, struct.unpack("<I", value)[0]))
        pos += 6 + length
    out = {}
    for name, offset in modules:
        raw = streams.get(f"VBA/{name}")
        if raw is not None:
            out[name] = decompress(raw[offset:]).decode(f"cp{codepage}", "replace")
    return out


def embedded_xlwings_version(xlam: Path) -> str | None:
    """``XLWINGS_VERSION`` of the add-in's xlwings module; None without one or when unreadable."""
    try:
        sources = vba_module_sources(Path(xlam))
    except (OSError, KeyError, ValueError, struct.error, zipfile.BadZipFile):
        return None
    for text in sources.values():
        match = _VERSION.search(text)
        if match:
            return match.group(1)
    return None
