"""A workbook's zip rewritten with some parts replaced and every other part copied raw.

Why by hand and not `zipfile`: `zipfile` can only write a member by compressing it again.
The parts of a staff workbook a write does not touch (pictures, charts, comments, other
sheets …) are copied here as the compressed bytes they are, with their own names, extra
fields, times and attributes: their content is the same byte for byte and costs no
inflating or deflating. Only the replaced parts are deflated anew.

What is refused (`ZipLayoutError`, a Chinese message): a zip64 archive (a workbook of this
office is far below 4 GB), a split or encrypted archive, a member named twice, a directory
that does not match the members' local headers. `filecheck.check_workbook` has already
refused hostile files before this runs.

    package = ZipParts(Path("台账.xlsx").read_bytes())
    xml = package.read("xl/worksheets/sheet1.xml")
    data = package.rebuilt({"xl/worksheets/sheet1.xml": new_xml})
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Mapping
from dataclasses import dataclass

from xinao_xl.policy.errors import XinaoError

_EOCD = struct.Struct("<4s4H2LH")  # end of central directory, 22 bytes
_CENTRAL = struct.Struct("<4s6H3L5H2L")  # central directory record, 46 bytes
_LOCAL = struct.Struct("<4s5H3L2H")  # local file header, 30 bytes
_EOCD_SIG, _CENTRAL_SIG, _LOCAL_SIG = b"PK\x05\x06", b"PK\x01\x02", b"PK\x03\x04"
_ZIP64_LOCATOR = b"PK\x06\x07"
_DATA_DESCRIPTOR = 0x08  # general purpose flag: sizes after the data
_ENCRYPTED = 0x01
_DEFLATE_OPTIONS = 0x06  # flag bits 1-2: the deflate level used (informational)
_STORED, _DEFLATED = 0, 8
_FULL = 0xFFFFFFFF


class ZipLayoutError(XinaoError, ValueError):
    """The zip cannot be rewritten safely (Chinese message, without the file name)."""


@dataclass(frozen=True)
class _Member:
    name: str
    central: bytes  # the central directory record as read (46 bytes + name, extra, comment)
    local: tuple[int, ...]  # the local header's fields (_LOCAL order)
    local_name: bytes
    local_extra: bytes
    data_start: int
    compressed: int
    size: int
    crc: int
    method: int
    flags: int


class ZipParts:
    """The members of a zip held in memory, read by name, rewritten with some replaced."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.members: list[_Member] = []
        self.comment = b""
        self._parse()
        self._by_name = {m.name: m for m in self.members}
        if len(self._by_name) != len(self.members):
            raise ZipLayoutError("压缩包中有重名的部件")

    @property
    def names(self) -> list[str]:
        return [m.name for m in self.members]

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    def read(self, name: str) -> bytes:
        """A member's content, inflated and checked against its CRC."""
        m = self._by_name[name]
        raw = self.data[m.data_start:m.data_start + m.compressed]
        if m.method == _STORED:
            content = bytes(raw)
        elif m.method == _DEFLATED:
            inflater = zlib.decompressobj(-15)
            content = inflater.decompress(raw, m.size + 1)
            if len(content) > m.size or not inflater.eof:
                raise ZipLayoutError(f"部件 {name} 已损坏（解压后大小与目录不符）")
        else:
            raise ZipLayoutError(f"部件 {name} 使用了不支持的压缩方式（{m.method}）")
        if len(content) != m.size or zlib.crc32(content) != m.crc:
            raise ZipLayoutError(f"部件 {name} 已损坏（校验和不符）")
        return content

    def rebuilt(self, replaced: Mapping[str, bytes]) -> bytes:
        """The zip with `replaced` members' contents swapped in (same names, same order);
        every other member's compressed bytes copied as they are."""
        unknown = set(replaced) - set(self._by_name)
        if unknown:
            raise KeyError(sorted(unknown))
        out = bytearray()
        directory = bytearray()
        for m in self.members:
            offset = len(out)
            if m.name in replaced:
                content = replaced[m.name]
                deflater = zlib.compressobj(6, zlib.DEFLATED, -15)
                body = deflater.compress(content) + deflater.flush()
                crc, size, method = zlib.crc32(content), len(content), _DEFLATED
                flags = m.flags & ~(_DATA_DESCRIPTOR | _DEFLATE_OPTIONS)
            else:
                body = self.data[m.data_start:m.data_start + m.compressed]
                crc, size, method = m.crc, m.size, m.method
                flags = m.flags & ~_DATA_DESCRIPTOR
            if len(body) >= _FULL or size >= _FULL or offset >= _FULL:
                raise ZipLayoutError("工作簿过大（超过 4 GB），无法原样写入")
            (_, needed, _, _, mtime, mdate, *_rest) = m.local
            needed = max(needed, 20) if method == _DEFLATED else needed
            out += _LOCAL.pack(_LOCAL_SIG, needed, flags, method, mtime, mdate, crc, len(body), size,
                               len(m.local_name), len(m.local_extra))
            out += m.local_name + m.local_extra
            out += body
            c = list(_CENTRAL.unpack_from(m.central))
            c[2] = max(c[2], 20) if method == _DEFLATED else c[2]
            c[3], c[4], c[7], c[8], c[9], c[16] = flags, method, crc, len(body), size, offset
            directory += _CENTRAL.pack(*c) + m.central[_CENTRAL.size:]
        start = len(out)
        out += directory
        n = len(self.members)
        out += _EOCD.pack(_EOCD_SIG, 0, 0, n, n, len(directory), start, len(self.comment)) + self.comment
        return bytes(out)

    # --- reading the layout -------------------------------------------------------------

    def _parse(self) -> None:
        data = self.data
        end = self._end_record()
        _, disk, cd_disk, n_disk, n_total, cd_size, cd_offset, comment_len = _EOCD.unpack_from(data, end)
        if disk or cd_disk or n_disk != n_total:
            raise ZipLayoutError("压缩包分卷保存，不是普通的工作簿文件")
        if n_total == 0xFFFF or cd_size == _FULL or cd_offset == _FULL or data.rfind(_ZIP64_LOCATOR, max(0, end - 20), end) >= 0:
            raise ZipLayoutError("压缩包为 zip64 格式（本办公室的工作簿不会用到），无法原样写入")
        if cd_offset + cd_size != end:
            raise ZipLayoutError("压缩包目录位置异常（文件前后可能附加了其他数据）")
        self.comment = bytes(data[end + _EOCD.size:end + _EOCD.size + comment_len])
        pos = cd_offset
        for _ in range(n_total):
            if data[pos:pos + 4] != _CENTRAL_SIG:
                raise ZipLayoutError("压缩包目录已损坏")
            c = _CENTRAL.unpack_from(data, pos)
            flags, method, crc, compressed, size = c[3], c[4], c[7], c[8], c[9]
            name_len, extra_len, comment_len, disk_start, offset = c[10], c[11], c[12], c[13], c[16]
            record_end = pos + _CENTRAL.size + name_len + extra_len + comment_len
            raw_name = bytes(data[pos + _CENTRAL.size:pos + _CENTRAL.size + name_len])
            name = raw_name.decode("utf-8" if flags & 0x800 else "cp437")
            if flags & _ENCRYPTED:
                raise ZipLayoutError(f"部件 {name} 已加密")
            if _FULL in (compressed, size, offset) or disk_start:
                raise ZipLayoutError("压缩包为 zip64 或分卷格式，无法原样写入")
            local = self._local(offset, raw_name, name)
            l_name_len, l_extra_len = local[9], local[10]
            local_extra = _without_zip64(bytes(data[offset + _LOCAL.size + l_name_len:offset + _LOCAL.size + l_name_len + l_extra_len]))
            data_start = offset + _LOCAL.size + l_name_len + l_extra_len
            if data_start + compressed > cd_offset:
                raise ZipLayoutError(f"部件 {name} 的数据超出了压缩包范围")
            self.members.append(_Member(name, bytes(data[pos:record_end]), local, raw_name, local_extra, data_start,
                                        compressed, size, crc, method, flags))
            pos = record_end
        if pos != end:
            raise ZipLayoutError("压缩包目录长度与记录不符")

    def _end_record(self) -> int:
        data = self.data
        floor = max(0, len(data) - _EOCD.size - 0xFFFF)
        at = len(data)
        while True:
            at = data.rfind(_EOCD_SIG, floor, at)
            if at < 0:
                raise ZipLayoutError("找不到压缩包目录（文件不完整）")
            if at + _EOCD.size <= len(data):
                (comment_len,) = struct.unpack_from("<H", data, at + 20)
                if at + _EOCD.size + comment_len == len(data):
                    return at
            if at == floor:
                raise ZipLayoutError("找不到压缩包目录（文件不完整）")

    def _local(self, offset: int, raw_name: bytes, name: str) -> tuple[int, ...]:
        if self.data[offset:offset + 4] != _LOCAL_SIG:
            raise ZipLayoutError(f"部件 {name} 的本地记录已损坏")
        local = _LOCAL.unpack_from(self.data, offset)
        if bytes(self.data[offset + _LOCAL.size:offset + _LOCAL.size + local[9]]) != raw_name:
            raise ZipLayoutError(f"部件 {name} 的本地记录与目录不符")
        return local


def _without_zip64(extra: bytes) -> bytes:
    """A local extra field without its zip64 block (the sizes are written plainly)."""
    out, pos = bytearray(), 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, pos)
        block = extra[pos:pos + 4 + size]
        if tag != 0x0001:
            out += block
        pos += 4 + size
    out += extra[pos:]
    return bytes(out)
