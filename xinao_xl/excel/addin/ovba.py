"""MS-OVBA compression (section 2.4.1): the LZ77 variant VBA uses for module source and `dir`.

Written here rather than taken from PyPI because the package `ms-ovba` 0.0.1 computes the
maximum copy length with a precedence error (`0xFFFF >> bit_count + 3` shifts by
`bit_count + 3`), which silently corrupts long modules. The functions below follow the
spec's pseudocode, so the examples of MS-OVBA section 3.2 come out byte for byte:

>>> compress(b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").hex(" ")
'01 03 b0 02 61 45 00'
>>> decompress(compress(b"Attribute VB_Name = \\"Module1\\"\\r\\n"))
b'Attribute VB_Name = "Module1"\\r\\n'

A container is the signature byte 0x01 followed by chunks; each chunk holds at most 4096
decompressed bytes, and a copy token's split between offset and length bits depends on
how far into the current decompressed chunk the token stands.
"""

from __future__ import annotations

import struct

__all__ = ["CHUNK_SIZE", "compress", "copy_token_help", "decompress"]

CHUNK_SIZE = 4096
"""Decompressed bytes per chunk (MS-OVBA 2.4.1.1.4)."""

_SIGNATURE = 0x01
_CHUNK_SIGNATURE = 0b011
_MAX_COMPRESSED_DATA = 4096  # CompressedChunkData is at most 4096 bytes (size field is 12 bits)
_RAW_HEADER = (_CHUNK_SIGNATURE << 12) | (CHUNK_SIZE - 1)  # flag 0, size 4096 -> 0x3FFF


def copy_token_help(difference: int) -> tuple[int, int, int, int]:
    """Return ``(length_mask, offset_mask, bit_count, maximum_length)`` (MS-OVBA 2.4.1.3.19.1).

    ``difference`` is the distance from the start of the current decompressed chunk to the
    position where the copy token applies. Near the chunk start offsets are small, so more
    bits go to the length; ``maximum_length`` is ``(0xFFFF >> bit_count) + 3``, shift first.
    """
    if difference < 1:
        raise ValueError("a copy token cannot stand at the start of a chunk")
    bit_count = max((difference - 1).bit_length(), 4)  # ceil(log2(difference)), at least 4
    length_mask = 0xFFFF >> bit_count
    offset_mask = ~length_mask & 0xFFFF
    maximum_length = (0xFFFF >> bit_count) + 3
    return length_mask, offset_mask, bit_count, maximum_length


def _pack_copy_token(offset: int, length: int, difference: int) -> bytes:
    """Encode one CopyToken (MS-OVBA 2.4.1.3.19.3)."""
    _, _, bit_count, maximum_length = copy_token_help(difference)
    if not 3 <= length <= maximum_length or not 1 <= offset <= difference:
        raise ValueError(f"copy token out of range: offset={offset} length={length}")
    return struct.pack("<H", ((offset - 1) << (16 - bit_count)) | (length - 3))


def _common_prefix(data: bytes, a: int, b: int, end: int) -> int:
    """Length of the common prefix of ``data[a:end]`` and ``data[b:end]`` (``a < b``).

    Binary search over slice equality keeps the byte comparisons in C; the candidate may
    overlap the current position, which is fine because the source bytes already exist.
    """
    lo, hi = 0, end - b
    if data[a : a + hi] == data[b : b + hi]:
        return hi
    while lo < hi:  # invariant: prefix of length lo matches, of length hi does not
        mid = (lo + hi + 1) // 2
        if data[a : a + mid] == data[b : b + mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _compress_chunk(data: bytes, start: int, end: int) -> bytes:
    """Compressed chunk data for ``data[start:end]`` (MS-OVBA 2.4.1.3.7, without the header).

    Matching is the spec's (2.4.1.3.19.4): the longest match wins, the nearest one on a tie,
    and only then is the length cut to the maximum the token can carry. Candidates are
    found through an index of 3-byte prefixes instead of scanning every earlier position;
    shorter matches never make a copy token, so the result is the same.
    """
    out = bytearray()
    index: dict[bytes, list[int]] = {}
    indexed = start  # positions below this are in the index
    current = start
    while current < end:
        flag_at = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if current >= end:
                break
            while indexed < current:
                index.setdefault(data[indexed : indexed + 3], []).append(indexed)
                indexed += 1
            best_length = 0
            best_candidate = -1
            if end - current >= 3:
                longest_possible = end - current
                for candidate in reversed(index.get(data[current : current + 3], ())):
                    length = _common_prefix(data, candidate, current, end)
                    if length > best_length:
                        best_length, best_candidate = length, candidate
                        if length == longest_possible:
                            break
            if best_length >= 3:
                difference = current - start
                maximum_length = copy_token_help(difference)[3]
                length = min(best_length, maximum_length)
                out += _pack_copy_token(current - best_candidate, length, difference)
                flags |= 1 << bit
                current += length
            else:
                out.append(data[current])
                current += 1
        out[flag_at] = flags
    return bytes(out)


def compress(data: bytes) -> bytes:
    """Compress ``data`` into a CompressedContainer (MS-OVBA 2.4.1.3.6).

    A chunk whose compressed form would exceed 4096 bytes is stored raw (flag 0, 4096
    bytes). The spec pads a short final raw chunk with zeros, which would add bytes on
    decompression; here a short final raw chunk keeps only its own bytes. Text (VBA
    source, the ``dir`` stream) always compresses, so neither case occurs in an add-in.
    """
    out = bytearray([_SIGNATURE])
    for start in range(0, len(data), CHUNK_SIZE):
        end = min(start + CHUNK_SIZE, len(data))
        body = _compress_chunk(data, start, end)
        if len(body) <= _MAX_COMPRESSED_DATA:
            header = 0x8000 | (_CHUNK_SIGNATURE << 12) | (len(body) + 2 - 3)
            out += struct.pack("<H", header) + body
        else:
            out += struct.pack("<H", _RAW_HEADER) + data[start:end]
    return bytes(out)


def decompress(container: bytes) -> bytes:
    """Decompress a CompressedContainer (MS-OVBA 2.4.1.3.1); raise ``ValueError`` if malformed."""
    if not container or container[0] != _SIGNATURE:
        raise ValueError("not an MS-OVBA compressed container (signature byte is not 0x01)")
    out = bytearray()
    pos = 1
    while pos < len(container):
        if pos + 2 > len(container):
            raise ValueError(f"truncated chunk header at byte {pos}")
        (header,) = struct.unpack_from("<H", container, pos)
        if (header >> 12) & 0b111 != _CHUNK_SIGNATURE:
            raise ValueError(f"bad chunk signature at byte {pos}")
        chunk_end = min(pos + (header & 0x0FFF) + 3, len(container))
        pos += 2
        chunk_start = len(out)
        if not header & 0x8000:
            out += container[pos : pos + CHUNK_SIZE]
            pos = min(pos + CHUNK_SIZE, len(container))
            continue
        while pos < chunk_end:
            flags = container[pos]
            pos += 1
            for bit in range(8):
                if pos >= chunk_end:
                    break
                if not flags >> bit & 1:
                    out.append(container[pos])
                    pos += 1
                    continue
                if pos + 2 > chunk_end:
                    raise ValueError(f"truncated copy token at byte {pos}")
                (token,) = struct.unpack_from("<H", container, pos)
                pos += 2
                difference = len(out) - chunk_start
                length_mask, offset_mask, bit_count, _ = copy_token_help(difference)
                length = (token & length_mask) + 3
                offset = ((token & offset_mask) >> (16 - bit_count)) + 1
                if offset > difference:
                    raise ValueError(f"copy token reaches before its chunk at byte {pos - 2}")
                source = len(out) - offset
                for i in range(length):  # byte by byte: a copy may overlap what it writes
                    out.append(out[source + i])
    return bytes(out)
