"""A minimal MS-CFB writer: compound file version 3, 512-byte sectors, no DIFAT.

``vbaProject.bin`` is a compound file (an "OLE" file): a FAT file system inside one file.
We only need to write a small tree of storages and streams once, so this writer lays the
whole file out in one pass instead of offering an editable file system:

>>> blob = write_cfb({"PROJECT": b"Name=\\"VBAProject\\"\\r\\n", "VBA": {"dir": b"\\x01"}})
>>> blob[:8].hex()
'd0cf11e0a1b11ae1'

Streams under 4096 bytes live in the mini stream (64-byte mini sectors, chained by the mini
FAT), larger ones in ordinary sectors (chained by the FAT). The siblings of each storage
form a red-black tree ordered by name length, then by upper-cased name (MS-CFB 2.6.4); we
build a balanced tree and colour it so the red-black rules hold.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["Tree", "cfb_name_key", "write_cfb"]

Tree = Mapping[str, "bytes | Tree"]
"""A storage: names mapped to stream contents (``bytes``) or to nested storages."""

SECTOR = 512
MINI_SECTOR = 64
MINI_STREAM_CUTOFF = 4096
_ENTRIES_PER_SECTOR = SECTOR // 128
_IDS_PER_SECTOR = SECTOR // 4
_HEADER_DIFAT = 109

FREESECT = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF

_STORAGE, _STREAM, _ROOT = 1, 2, 5
_RED, _BLACK = 0, 1


def cfb_name_key(name: str) -> tuple[int, str]:
    """Sort key of directory entries among siblings: UTF-16 length, then upper-cased name."""
    return len(name.encode("utf-16-le")) // 2, name.upper()


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: list[_Entry] = field(default_factory=list)
    sid: int = 0
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = _BLACK
    start: int = ENDOFCHAIN


def _check_name(name: str) -> None:
    if not name or len(name.encode("utf-16-le")) // 2 > 31:
        raise ValueError(f"compound file names need 1 to 31 characters: {name!r}")
    if any(ch in name for ch in "/\\:!"):
        raise ValueError(f"compound file names cannot contain / \\ : or !: {name!r}")


def _build(name: str, kind: int, tree: Tree) -> _Entry:
    entry = _Entry(name, kind)
    seen: set[str] = set()
    for child_name, value in tree.items():
        _check_name(child_name)
        if child_name.upper() in seen:
            raise ValueError(f"duplicate name in one storage: {child_name!r}")
        seen.add(child_name.upper())
        if isinstance(value, bytes | bytearray):
            entry.children.append(_Entry(child_name, _STREAM, bytes(value)))
        else:
            entry.children.append(_build(child_name, _STORAGE, value))
    entry.children.sort(key=lambda e: cfb_name_key(e.name))
    return entry


def _link_siblings(siblings: list[_Entry]) -> int:
    """Make a balanced red-black tree of sorted ``siblings``; return the root's id.

    Median splitting gives a tree whose missing children all sit on the last two levels;
    colouring the deepest level red (when the tree is not perfect) and the rest black keeps
    every path's black count equal and no red node with a red parent.
    """
    if not siblings:
        return NOSTREAM
    depths: dict[int, int] = {}

    def place(lo: int, hi: int, depth: int) -> int:
        if lo >= hi:
            return NOSTREAM
        mid = (lo + hi) // 2
        node = siblings[mid]
        depths[mid] = depth
        node.left = place(lo, mid, depth + 1)
        node.right = place(mid + 1, hi, depth + 1)
        return node.sid

    root = place(0, len(siblings), 0)
    deepest = max(depths.values())
    perfect = len(siblings) == 2 ** (deepest + 1) - 1
    for i, node in enumerate(siblings):
        node.color = _RED if depths[i] == deepest and not perfect else _BLACK
    return root


def _chain(fat: list[int], first: int, count: int) -> None:
    for i in range(count):
        fat[first + i] = first + i + 1 if i + 1 < count else ENDOFCHAIN


def _pad(data: bytes | bytearray, unit: int) -> bytes:
    return bytes(data) + b"\0" * (-len(data) % unit)


def _directory_entry(entry: _Entry | None) -> bytes:
    if entry is None:  # unused slot
        return b"\0" * 64 + struct.pack("<HBB3I", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM) + b"\0" * 52
    encoded = entry.name.encode("utf-16-le") + b"\0\0"
    size = len(entry.data) if entry.kind in (_STREAM, _ROOT) else 0
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBB3I", len(encoded), entry.kind, entry.color, entry.left, entry.right, entry.child)
        + b"\0" * 16  # CLSID
        + struct.pack("<I", 0)  # state bits
        + b"\0" * 16  # creation and modification times
        + struct.pack("<IQ", entry.start, size)
    )


def write_cfb(tree: Tree) -> bytes:
    """Return the bytes of a compound file holding ``tree`` under its root storage."""
    root = _build("Root Entry", _ROOT, tree)
    entries: list[_Entry] = []

    def number(entry: _Entry) -> None:
        entry.sid = len(entries)
        entries.append(entry)
        for child in entry.children:
            number(child)

    number(root)
    for entry in entries:
        entry.child = _link_siblings(entry.children)
    root.color = _BLACK

    streams = [e for e in entries if e.kind == _STREAM and e.data]
    small = [e for e in streams if len(e.data) < MINI_STREAM_CUTOFF]
    large = [e for e in streams if len(e.data) >= MINI_STREAM_CUTOFF]

    mini_stream = bytearray()
    mini_fat: list[int] = []
    for entry in small:
        entry.start = len(mini_stream) // MINI_SECTOR
        count = -(-len(entry.data) // MINI_SECTOR)
        mini_fat += [0] * count
        _chain(mini_fat, entry.start, count)
        mini_stream += _pad(entry.data, MINI_SECTOR)

    # Sector layout: large streams, mini stream, mini FAT, directory, then the FAT itself.
    body = bytearray()
    chains: list[tuple[int, int]] = []

    def place(data: bytes | bytearray) -> int:
        if not data:
            return ENDOFCHAIN
        first = len(body) // SECTOR
        body.extend(_pad(data, SECTOR))
        chains.append((first, len(body) // SECTOR - first))
        return first

    for entry in large:
        entry.start = place(entry.data)
    root.data = bytes(mini_stream)  # the root entry's "stream" is the mini stream
    root.start = place(mini_stream)
    mini_fat += [FREESECT] * (-len(mini_fat) % _IDS_PER_SECTOR)
    first_mini_fat = place(struct.pack(f"<{len(mini_fat)}I", *mini_fat))
    mini_fat_sectors = len(mini_fat) // _IDS_PER_SECTOR
    slots: list[_Entry | None] = [*entries]
    slots += [None] * (-len(slots) % _ENTRIES_PER_SECTOR)
    first_dir = place(b"".join(_directory_entry(e) for e in slots))

    content_sectors = len(body) // SECTOR
    fat_sectors = 1
    while content_sectors + fat_sectors > fat_sectors * _IDS_PER_SECTOR:
        fat_sectors += 1
    if fat_sectors > _HEADER_DIFAT:
        raise ValueError("compound file too large for a writer without DIFAT sectors")
    fat = [FREESECT] * (fat_sectors * _IDS_PER_SECTOR)
    for first, count in chains:
        _chain(fat, first, count)
    for i in range(fat_sectors):
        fat[content_sectors + i] = FATSECT
    body += struct.pack(f"<{len(fat)}I", *fat)

    difat = [content_sectors + i for i in range(fat_sectors)]
    difat += [FREESECT] * (_HEADER_DIFAT - fat_sectors)
    header = (
        bytes.fromhex("d0cf11e0a1b11ae1")
        + b"\0" * 16  # CLSID
        + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6)  # minor, major 3, byte order, shifts
        + b"\0" * 6
        + struct.pack(
            "<IIIIIIIII",
            0,  # directory sectors: always 0 in version 3
            fat_sectors,
            first_dir,
            0,  # transaction signature
            MINI_STREAM_CUTOFF,
            first_mini_fat,
            mini_fat_sectors,
            ENDOFCHAIN,  # first DIFAT sector: none
            0,
        )
        + struct.pack(f"<{_HEADER_DIFAT}I", *difat)
    )
    assert len(header) == SECTOR
    return header + bytes(body)
