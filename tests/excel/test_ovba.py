"""MS-OVBA compression: the spec's own examples (section 3.2) and round trips."""

from __future__ import annotations

import random
import struct

import pytest
from oletools.olevba import decompress_stream

from xinao_xl.excel.addin.ovba import CHUNK_SIZE, compress, copy_token_help, decompress

# MS-OVBA 3.2.1 "No Compression Example", 3.2.2 "Normal Compression Example",
# 3.2.3 "Maximum Compression Example" (current revision of the spec on learn.microsoft.com).
NO_COMPRESSION = (
    b"abcdefghijklmnopqrstuv.",
    "01 19 B0 00 61 62 63 64 65 66 67 68 00 69 6A 6B 6C 6D 6E 6F 70 00 71 72 73 74 75 76 2E",
)
NORMAL = (
    b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa",
    "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 20"
    " 6D 6E 6F 70 06 71 02 70 04 00 72 73 74 75 76 10 77 78 79 7A 00 2C",
)
# Older revisions of the spec print these bytes for 3.2.2; they are another valid encoding
# of the same text (not what the spec's own algorithm produces), so we only decompress them.
NORMAL_OLD_REVISION = (
    "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 30"
    " 6D 6E 6F 70 06 71 02 70 04 10 72 73 74 75 76 10 77 78 79 7A 00 3C"
)
MAXIMUM = (b"a" * 73, "01 03 B0 02 61 45 00")


@pytest.mark.parametrize("text, hex_", [NO_COMPRESSION, NORMAL, MAXIMUM], ids=["3.2.1", "3.2.2", "3.2.3"])
def test_spec_examples_compress_byte_for_byte(text: bytes, hex_: str) -> None:
    assert compress(text) == bytes.fromhex(hex_)


@pytest.mark.parametrize("text, hex_", [NO_COMPRESSION, NORMAL, MAXIMUM], ids=["3.2.1", "3.2.2", "3.2.3"])
def test_spec_examples_decompress(text: bytes, hex_: str) -> None:
    assert decompress(bytes.fromhex(hex_)) == text


def test_older_spec_revision_of_3_2_2_decompresses_too() -> None:
    assert decompress(bytes.fromhex(NORMAL_OLD_REVISION)) == NORMAL[0]


def test_copy_token_help_bit_count_follows_position() -> None:
    assert copy_token_help(1) == (0x0FFF, 0xF000, 4, 4098)
    assert copy_token_help(16) == (0x0FFF, 0xF000, 4, 4098)
    assert copy_token_help(17)[2] == 5
    assert copy_token_help(4096) == (0x000F, 0xFFF0, 12, 18)


def test_maximum_length_is_shift_then_add() -> None:
    """The ms-ovba 0.0.1 bug: ``0xFFFF >> bit_count + 3`` gives 0x1FFF >> ... wrongly small."""
    for difference in (1, 100, 2000, 4096):
        _, _, bit_count, maximum = copy_token_help(difference)
        assert maximum == (0xFFFF >> bit_count) + 3
        assert maximum != 0xFFFF >> (bit_count + 3)


def test_empty_input() -> None:
    assert compress(b"") == b"\x01"
    assert decompress(b"\x01") == b""


def _inputs() -> dict[str, bytes]:
    rng = random.Random(20240501)
    words = [b"Sub ", b"End Sub\r\n", b"Dim x As Long\r\n", b"RunPython ", b'"', b"\xd0\xc2\xb0\xc2"]
    return {
        "random_small": rng.randbytes(1000),
        "incompressible_long": rng.randbytes(150_000),
        "incompressible_short_tail": rng.randbytes(2 * CHUNK_SIZE + 3900),
        "repetitive_long": b"a" * 200_000,
        "periodic_long": b"Attribute VB_Name = \"Module1\"\r\n" * 6000,
        "textlike_long": b"".join(rng.choice(words) for _ in range(40_000)),
        "exact_chunks": rng.randbytes(8) * (3 * CHUNK_SIZE // 8),
        "one_byte": b"x",
        "chunk_plus_one": b"ab" * (CHUNK_SIZE // 2) + b"c",
    }


@pytest.mark.parametrize("name", list(_inputs()))
def test_round_trip(name: str) -> None:
    data = _inputs()[name]
    packed = compress(data)
    assert decompress(packed) == data
    assert decompress_stream(bytearray(packed)) == data  # olevba reads what we write


def test_random_round_trips() -> None:
    rng = random.Random(7)
    for _ in range(100):
        alphabet = rng.randbytes(rng.randint(1, 6))
        data = bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 5000)))
        assert decompress(compress(data)) == data


def test_long_repetitive_input_compresses_well() -> None:
    data = b"a" * 200_000
    assert len(compress(data)) < 400


def test_chunk_headers_are_well_formed() -> None:
    data = _inputs()["textlike_long"]
    packed = compress(data)
    pos, chunks = 1, 0
    while pos < len(packed):
        (header,) = struct.unpack_from("<H", packed, pos)
        assert (header >> 12) & 0b111 == 0b011
        assert header & 0x8000, "text must always give compressed chunks"
        pos += (header & 0x0FFF) + 3
        chunks += 1
    assert pos == len(packed)
    assert chunks == -(-len(data) // CHUNK_SIZE)


@pytest.mark.parametrize(
    "bad",
    [b"", b"\x02", b"\x01\x00", b"\x01\x00\x40", bytes.fromhex("01 03 b0 02 61 00 10")],
    ids=["empty", "signature", "short-header", "chunk-signature", "offset-before-chunk"],
)
def test_malformed_containers_raise(bad: bytes) -> None:
    with pytest.raises(ValueError):
        decompress(bad)
