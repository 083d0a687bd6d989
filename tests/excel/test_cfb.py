"""MS-CFB writer: olefile reads back every stream byte for byte, and the trees are valid."""

from __future__ import annotations

import io
import random

import olefile
import pytest

from xinao_xl.excel.addin.cfb import NOSTREAM, Tree, cfb_name_key, write_cfb


def _open(tree: Tree) -> olefile.OleFileIO:
    blob = write_cfb(tree)
    assert len(blob) % 512 == 0
    return olefile.OleFileIO(io.BytesIO(blob), raise_defects=olefile.DEFECT_INCORRECT)


def _assert_streams(ole: olefile.OleFileIO, tree: Tree, path: tuple[str, ...] = ()) -> int:
    count = 0
    for name, value in tree.items():
        here = (*path, name)
        if isinstance(value, bytes):
            assert ole.get_type("/".join(here)) == olefile.STGTY_STREAM
            assert ole.openstream("/".join(here)).read() == value, here
            count += 1
        else:
            assert ole.get_type("/".join(here)) == olefile.STGTY_STORAGE
            count += _assert_streams(ole, value, here)
    return count


def _check_red_black(ole: olefile.OleFileIO) -> None:
    """Every storage's children: in-order sorted by the CFB key, red-black rules hold."""
    entries = ole.direntries

    def walk(sid: int, parent_red: bool) -> tuple[list[str], int]:
        if sid == NOSTREAM:
            return [], 1
        entry = entries[sid]
        red = entry.color == 0
        assert not (red and parent_red), f"red node {entry.name!r} under a red parent"
        left_names, left_black = walk(entry.sid_left, red)
        right_names, right_black = walk(entry.sid_right, red)
        assert left_black == right_black, f"black heights differ under {entry.name!r}"
        return [*left_names, entry.name, *right_names], left_black + (0 if red else 1)

    for entry in entries:
        if entry is None or entry.entry_type not in (olefile.STGTY_STORAGE, olefile.STGTY_ROOT):
            continue
        if entry.sid_child != NOSTREAM:
            assert entries[entry.sid_child].color == 1, "the root of a sibling tree is black"
        names, _ = walk(entry.sid_child, False)
        assert names == sorted(names, key=cfb_name_key)
        assert sorted(names) == sorted(child.name for child in entry.kids)


def test_vba_project_shaped_tree_reads_back() -> None:
    rng = random.Random(1)
    tree: Tree = {
        "PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"\r\n',
        "PROJECTwm": b"Module1\x00M\x00o\x00d\x00u\x00l\x00e\x001\x00\x00\x00\x00\x00",
        "VBA": {
            "_VBA_PROJECT": b"\xcc\x61\xff\xff\x00\x00\x00",
            "dir": rng.randbytes(1200),
            "Module1": rng.randbytes(20_000),
            "ThisWorkbook": rng.randbytes(900),
        },
    }
    ole = _open(tree)
    assert _assert_streams(ole, tree) == 6
    assert not ole.parsing_issues
    _check_red_black(ole)


@pytest.mark.parametrize("size", [0, 1, 63, 64, 65, 4095, 4096, 4097, 70_000, 300_000])
def test_stream_sizes_around_the_cutoffs(size: int) -> None:
    data = random.Random(size).randbytes(size)
    tree: Tree = {"s": data, "t": b"tail"}
    ole = _open(tree)
    _assert_streams(ole, tree)


def test_many_small_streams_need_several_mini_fat_sectors() -> None:
    rng = random.Random(2)
    tree: Tree = {f"Stream{i:03d}": rng.randbytes(rng.randint(1, 3000)) for i in range(60)}
    ole = _open(tree)
    assert _assert_streams(ole, tree) == 60
    _check_red_black(ole)


def test_large_file_needs_several_fat_sectors() -> None:
    tree: Tree = {"big": bytes(range(256)) * 4000, "small": b"x" * 100}  # ~2000 sectors
    blob = write_cfb(tree)
    assert int.from_bytes(blob[0x2C:0x30], "little") > 1  # number of FAT sectors
    ole = olefile.OleFileIO(io.BytesIO(blob), raise_defects=olefile.DEFECT_INCORRECT)
    _assert_streams(ole, tree)


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 6, 7, 8, 15, 16, 17, 31, 40, 100])
def test_sibling_trees_of_any_size_are_red_black(count: int) -> None:
    rng = random.Random(count)
    names = {"".join(rng.choice("abcXYZ_09") for _ in range(rng.randint(1, 31))) for _ in range(count)}
    tree: Tree = {name: name.encode() for name in {n.upper(): n for n in names}.values()}
    ole = _open({"Storage": tree, "x": b"1"})
    _assert_streams(ole, {"Storage": tree})
    _check_red_black(ole)


def test_ordering_is_by_length_then_upper_case() -> None:
    assert sorted(["dir", "VBA", "_VBA_PROJECT", "PROJECTwm", "a", "B"], key=cfb_name_key) == [
        "a", "B", "dir", "VBA", "PROJECTwm", "_VBA_PROJECT",
    ]


@pytest.mark.parametrize("bad", ["", "x" * 32, "a/b", "a!b"])
def test_bad_names_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        write_cfb({bad: b""})


def test_duplicate_names_differing_in_case_are_refused() -> None:
    with pytest.raises(ValueError):
        write_cfb({"Module1": b"", "MODULE1": b""})
