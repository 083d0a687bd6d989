"""Hostile and broken files, made from the bytes of a good workbook.

Each maker takes the good .xlsx (bytes) and returns the bad file's bytes. The bombs are
small on disk and cheap to make: a deflate stream flushed with Z_FULL_FLUSH after each
1 MB of the same byte repeats one 1 KB block, so a 1 GB part is 1,024 copies of it (no
gigabyte is ever compressed, or held, to write the test file).
"""

from __future__ import annotations

import io
import random
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Mapping

MB = 1 << 20
SHEET1 = "xl/worksheets/sheet1.xml"
SST = "xl/sharedStrings.xml"
CT = "[Content_Types].xml"
RELS = "xl/_rels/workbook.xml.rels"
MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"

Part = bytes | Callable[[bytes], bytes]


# --- zip plumbing ----------------------------------------------------------------------------


def members(good: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(good)) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def rezip(good: bytes, replace: Mapping[str, Part] | None = None, add: Mapping[str, bytes] | None = None) -> bytes:
    """The good workbook with some parts replaced (bytes, or a function of the old bytes) or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members(good).items():
            part = (replace or {}).get(name, data)
            z.writestr(name, part(data) if callable(part) else part)
        for name, data in (add or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def _deflate_repeated(head: bytes, unit: bytes, times: int, tail: bytes) -> tuple[bytes, int, int]:
    """Raw deflate of head + unit*times + tail without compressing unit*times: (data, crc, size)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(unit) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(unit) + c.flush(zlib.Z_FULL_FLUSH)
    assert block == again  # after a full flush the compressor forgets: every block is the same
    last = c.compress(tail) + c.flush()
    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(unit, crc)
    crc = zlib.crc32(tail, crc)
    return first + block * times + last, crc, len(head) + len(unit) * times + len(tail)


def raw_zip(entries: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip from (name, data, method, crc, size) with data already compressed (method 8) or stored (0)."""
    out = io.BytesIO()
    central = io.BytesIO()
    for name, data, method, crc, size in entries:
        n = name.encode()
        offset = out.tell()
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, len(data), size, len(n), 0) + n + data)
        central.write(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc, len(data), size, len(n), 0, 0, 0, 0, 0, offset) + n)
    cd = central.getvalue()
    start = out.tell()
    out.write(cd)
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(cd), start, 0))
    return out.getvalue()


def _with_part(good: bytes, name: str, data: bytes, crc: int, size: int, method: int = 8) -> bytes:
    """The good workbook's parts, `name` replaced by pre-compressed `data`."""
    entries = []
    for n, d in members(good).items():
        if n == name:
            continue
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        entries.append((n, c.compress(d) + c.flush(), 8, zlib.crc32(d), len(d)))
    entries.append((name, data, method, crc, size))
    return raw_zip(entries)


# the content type and relationship of xl/sharedStrings.xml (the templates write inline strings)
SST_LINKS: dict[str, Part] = {
    CT: lambda x: x.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'),
    RELS: lambda x: x.replace(b"</Relationships>", b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
}


# --- not a zip ------------------------------------------------------------------------------------


def random_bytes(good: bytes) -> bytes:
    return random.Random(6).randbytes(64 * 1024)


def empty(good: bytes) -> bytes:
    return b""


def csv_renamed(good: bytes) -> bytes:
    return "工单号,业务类型,完工时间,客户姓名\nGD0001,维修,2026-11-19 10:00,张三\n".encode("gb18030")


def html_renamed(good: bytes) -> bytes:
    """What many business systems call an Excel export: an HTML table named .xls/.xlsx."""
    return "<html><head><meta charset='utf-8'></head><body><table><tr><td>工单号</td><td>业务类型</td></tr></table></body></html>".encode()


def encrypted(good: bytes) -> bytes:
    """A password-protected workbook is an OLE compound file (CFB) holding EncryptionInfo and
    EncryptedPackage streams, not a zip. Header and directory names are enough to tell."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + struct.pack("<HHH", 0x3E, 3, 0xFFFE) + b"\x00" * 482
    names = b"".join(n.encode("utf-16-le").ljust(64, b"\x00") + b"\x00" * 64 for n in ("Root Entry", "EncryptionInfo", "EncryptedPackage"))
    return header + names + random.Random(7).randbytes(4096)


def legacy_xls(good: bytes) -> bytes:
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + struct.pack("<HHH", 0x3E, 3, 0xFFFE) + b"\x00" * 482
    return header + "Workbook".encode("utf-16-le").ljust(128, b"\x00") + b"\x00" * 4096


def truncated(good: bytes) -> bytes:
    """A copy cut short (USB stick pulled, download interrupted): no end record."""
    return good[: len(good) * 2 // 3]


def corrupted(good: bytes) -> bytes:
    """64 bytes flipped in the middle of the sheet's compressed data: the end record is fine,
    the part is not (a bad sector, a flaky USB stick)."""
    data = bytearray(good)
    name = SHEET1.encode()
    at = data.find(b"PK\x03\x04")
    while at >= 0:
        size, n, extra = struct.unpack_from("<IHH", data, at + 18)[0], *struct.unpack_from("<HH", data, at + 26)
        if data[at + 30 : at + 30 + n] == name:
            middle = at + 30 + n + extra + size // 2
            for i in range(middle, middle + 64):
                data[i] ^= 0x5A
            return bytes(data)
        at = data.find(b"PK\x03\x04", at + 4)
    raise AssertionError("sheet1.xml not found")


def word_document(good: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(CT, b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        z.writestr("word/document.xml", b'<?xml version="1.0"?><w:document xmlns:w="x"/>')
    return out.getvalue()


# --- bombs --------------------------------------------------------------------------------------------


def zip_bomb(good: bytes) -> bytes:
    """sheet1.xml inflates to 1 GB of blanks between <sheetData> tags (1 MB on disk)."""
    head = b'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="' + MAIN_NS + b'"><sheetData>'
    data, crc, size = _deflate_repeated(head, b" " * MB, 1024, b"</sheetData></worksheet>")
    return _with_part(good, SHEET1, data, crc, size)


def ratio_bomb(good: bytes) -> bytes:
    """A shared string of 300 MB (300 KB on disk): under the size cap, caught by its ratio
    (measured without the check: 1.2 GB in calamine, 840 MB in openpyxl for 400 MB)."""
    head = b'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="' + MAIN_NS + b'" count="1" uniqueCount="1"><si><t>'
    data, crc, size = _deflate_repeated(head, b"A" * MB, 300, b"</t></si></sst>")
    return _with_part(rezip(good, SST_LINKS), SST, data, crc, size)


def size_claim(good: bytes) -> bytes:
    """The zip directory says sheet1.xml inflates to 4 GB (the data is the real sheet)."""
    data = bytearray(good)
    name = SHEET1.encode()
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        n = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + n] == name:
            struct.pack_into("<I", data, at + 24, 0xFFFFFFF0)
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def directory_claim(good: bytes) -> bytes:
    """The end record claims 60,000 parts (zipfile would build an object for each)."""
    data = bytearray(good)
    at = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, at + 8, 60000, 60000)
    return bytes(data)


LAUGHS = b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1)) * 10) for i in range(1, 10))
BILLION_LAUGHS = b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol0 "lol">' + LAUGHS + b"]>\n"


def entity_bomb_sheet(good: bytes) -> bytes:
    """Billion laughs in sheet1.xml, &lol9; (3 GB when expanded) in the first text cell."""
    def bomb(xml: bytes) -> bytes:
        body = xml[xml.index(b"<worksheet") :]
        return BILLION_LAUGHS + body.replace(b"<is><t>", b"<is><t>&lol9;", 1)
    return rezip(good, {SHEET1: bomb})


def entity_bomb_shared_strings(good: bytes) -> bytes:
    sst = BILLION_LAUGHS + b'<sst xmlns="' + MAIN_NS + b'" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    return rezip(good, SST_LINKS, {SST: sst})


def external_entity(good: bytes) -> bytes:
    """XXE in xl/workbook.xml: an entity that reads a local file."""
    def xxe(xml: bytes) -> bytes:
        body = xml[xml.index(b"<workbook") :]
        return b'<?xml version="1.0"?>\n<!DOCTYPE workbook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' + body.replace(b"<sheets>", b"<sheets>&xxe;", 1)
    return rezip(good, {"xl/workbook.xml": xxe})


def shared_strings_claim(good: bytes) -> bytes:
    """<sst uniqueCount="1000000000"> over one string: calamine reserves 24 GB and aborts."""
    sst = b'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="' + MAIN_NS + b'" count="1000000000" uniqueCount="1000000000"><si><t>x</t></si></sst>'
    return rezip(good, SST_LINKS, {SST: sst})


def far_cell(ref: str) -> Callable[[bytes], bytes]:
    """One cell typed at `ref` (XFD1048576: calamine builds a 17-billion-cell range and aborts;
    A1048576 in a 22-column ledger, a slip of Ctrl+↓: 970 MB)."""
    row = int(re.sub(r"[A-Z]", "", ref))

    def make(good: bytes) -> bytes:
        cell = b'<row r="%d"><c r="%s" t="inlineStr"><is><t>x</t></is></c></row>' % (row, ref.encode())
        return rezip(good, {SHEET1: lambda x: x.replace(b"</sheetData>", cell + b"</sheetData>", 1)})
    return make


def macros(good: bytes) -> bytes:
    """A VBA project inside a file named .xlsx (Excel itself would refuse to open it)."""
    vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000
    ct = lambda x: x.replace(b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')  # noqa: E731
    return rezip(good, {CT: ct}, {"xl/vbaProject.bin": vba})


def excel4_macros(good: bytes) -> bytes:
    """An Excel 4.0 macro sheet (XLM, still run by Excel, a favourite of phishing files)."""
    sheet = b'<?xml version="1.0"?>\n<xm:macrosheet xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"/>'
    return rezip(good, add={"xl/macrosheets/sheet1.xml": sheet})
