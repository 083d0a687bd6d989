"""Checking a workbook file before any library parses it.

python-calamine and openpyxl trust what a file says about itself, and some of what a
hostile or broken file says costs a whole machine (measured here, python-calamine 0.9.1 and
openpyxl 3.1.5, each on one crafted copy of the 台账 template):

- ``<sst uniqueCount="1000000000">`` makes calamine reserve 24 GB for the shared strings
  before reading one: the allocation fails and Rust *aborts the process* — no exception,
  no message, Excel's add-in or the command just vanishes;
- one cell typed in ``XFD1048576`` makes calamine build the dense 17-billion-cell range
  (abort again); one cell in row 1,048,576 of a 22-column ledger — a real slip of
  Ctrl+↓ — costs 970 MB and 3.5 s;
- a 520 KB file holding a 400 MB shared string (a zip bomb) costs 1.2 GB in calamine and
  840 MB in openpyxl;
- an XML entity bomb stops both (calamine: "unrecognized entity", openpyxl through
  defusedxml, or lxml told not to resolve entities), but with an English message about XML;
- a password-protected workbook (a CFB container, not a zip), an empty file, a .csv or
  an HTML table renamed .xlsx, a copy cut short: "invalid Zip archive: Could not find EOCD";
- a workbook with macros (``vbaProject.bin``, Excel 4.0 macro sheets) opens silently.

`check_workbook` looks at the file from the outside first — the magic bytes, the zip's
end record and directory (entry count and declared sizes, compression ratios), the XML
prolog of every part (no ``<!DOCTYPE``, so no entities), the shared-strings header and the
used range of every sheet — and raises `BookReadError` with a Chinese message naming the
file (and the sheet and cell where there is one) for anything a reader should not be
given. Both readers bound what they inflate to the declared sizes (a member that inflates
beyond its declared size fails its read), so checking the declared sizes bounds memory.

Every member is inflated once, in chunks, to scan it (and to check its CRC): 1.0 s for
the 100,000-row 台账 of the benchmark (92 MB of sheet XML; calamine reads it in 1.6 s), 25 ms
for the four books of the test month. A file that passed is remembered by (path, size,
mtime), bytes by their SHA-256, so the several opens of one workbook during a close check it once.

The check runs on a file or on bytes already read (`check_bytes`): the close and sampling
read each input's bytes once (`read_bytes`), hash them, check them and parse those same
bytes, so what they record is what they used (books/read.py `BookReader`).

    check_workbook(Path("2026-11/2026-11_客户回访信息台账.xlsx"))   # raises BookReadError
    wb = load_workbook(path)                                         # checked, then openpyxl
    wb = load_workbook(data, name=path.name)                         # the bytes a reader read
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from openpyxl.utils import get_column_letter

from xinao_xl.policy.errors import XinaoError

if TYPE_CHECKING:
    from openpyxl import Workbook


class BookReadError(XinaoError, ValueError):
    """The file is not a workbook we can read (missing, not xlsx, corrupt, hostile); Chinese message."""


@dataclass(frozen=True)
class Limits:
    """What a workbook of this office may hold. Generous: the largest real input, a 100,000-row
    台账 (the benchmark), is 11 MB on disk, 92 MB of sheet XML and 2.2 million cells."""

    file_bytes: int = 200 * 2**20  # on disk
    members: int = 10_000  # parts in the zip (a workbook has tens)
    directory_bytes: int = 16 * 2**20  # the zip's central directory
    member_bytes: int = 512 * 2**20  # one part, inflated
    total_bytes: int = 1024 * 2**20  # all parts, inflated
    ratio: int = 200  # inflated / compressed, for parts above ratio_from; sheet XML is ~10
    ratio_from: int = 8 * 2**20
    shared_strings_bytes: int = 128 * 2**20  # held in memory whole by both readers
    unique_strings: int = 5_000_000
    cells: int = 5_000_000  # rows x columns of a sheet's used range (readers make it dense)
    prolog_bytes: int = 64 * 2**10  # XML before the root element (a real prolog is ~60 bytes)


LIMITS = Limits()
CHUNK = 1 << 20
MAX_ROW, MAX_COL = 1_048_576, 16_384  # Excel's sheet

_MACRO_PARTS = re.compile(r"(^|/)vbaProject\.bin$|(^|/)vbaProjectSignature|^xl/macrosheets/|^xl/activeX/|^xl/dialogsheets/", re.I)
_XML_PART = re.compile(r"\.(xml|rels|vml)$", re.I)
_REL_SHEETS = re.compile(r"/(worksheet|macrosheet)$")
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"

# Sheet XML tokens. Excel, openpyxl and the .NET SDK write each cell as <c r="B7" ...> (r
# first); a cell without r, or with r later, sends the sheet to the exact walk.
_TOKEN = re.compile(rb"<(?:\w+:)?(row|c)\b([^>]*)>")
_ROW_ATTR = re.compile(rb'\br="(\d+)"')
_CELL_ATTR = re.compile(rb'\br="([A-Z]{1,4})(\d+)"')
_SST_TAG = re.compile(rb"<(?:\w+:)?sst\b([^>]*)>")
_SST_UNIQUE = re.compile(rb'\buniqueCount="(\d+)"')
_ROOT_PREFIX = re.compile(rb"<(\w+:)?worksheet\b")
_PREFIXED_CELL = re.compile(rb"<\w+:c[\s/>]")

_checked: dict[tuple[str, Any, int], None] = {}


# --- entry points --------------------------------------------------------------------------


def check_workbook(path: Path | str, limits: Limits = LIMITS) -> None:
    """Raise `BookReadError` unless `path` is an .xlsx a reader may safely open (see module)."""
    path = Path(path)
    if not path.is_file():
        raise BookReadError(f"找不到文件：{path}")
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key in _checked:
        return
    _Check(path, stat.st_size, limits).run()
    _remember(key)


def check_bytes(data: bytes, name: str, limits: Limits = LIMITS, digest: str | None = None) -> None:
    """`check_workbook` on a workbook's bytes (`name` for messages); `digest` is their
    SHA-256 when the caller has it."""
    key = ("sha256", digest or hashlib.sha256(data).hexdigest(), len(data))
    if key in _checked:
        return
    _Check(Path(name), len(data), limits, data).run()
    _remember(key)


def _remember(key: tuple[str, Any, int]) -> None:
    if len(_checked) > 256:
        _checked.clear()
    _checked[key] = None


def read_bytes(path: Path | str) -> bytes:
    """A workbook's bytes, read once; a missing or unreadable file is a `BookReadError`."""
    path = Path(path)
    if not path.is_file():
        raise BookReadError(f"找不到文件：{path}")
    try:
        return path.read_bytes()
    except PermissionError:
        raise BookReadError(f"没有权限读取 {path.name}（{path.parent}）：请管理员开放读取权限，或把文件复制到可读的文件夹后再试") from None
    except OSError as exc:
        if getattr(exc, "winerror", None) in (32, 33):  # a sharing violation: another program holds it
            raise BookReadError(f"{path.name} 正被其他程序独占使用（如Excel、杀毒软件、网盘同步），无法读取：请关闭该程序后再试") from None
        raise


def load_workbook(source: Path | str | bytes, *, name: str | None = None, **kwargs: Any) -> Workbook:
    """`openpyxl.load_workbook` after `check_workbook` (or `check_bytes` when `source` is the
    bytes a reader read; `name` says which file in messages); what openpyxl still refuses is a
    `BookReadError` too. Every openpyxl open of a staff or exported file goes through here."""
    import openpyxl

    if isinstance(source, bytes):
        label = name or "工作簿"
        check_bytes(source, label)
        target: Any = io.BytesIO(source)
    else:
        label = Path(source).name
        check_workbook(source)
        target = source
    try:
        return openpyxl.load_workbook(target, **kwargs)
    except (OSError, MemoryError):
        raise
    except Exception as exc:  # openpyxl raises KeyError, ValueError, TypeError, zip and XML errors
        raise BookReadError(f"无法读取工作簿 {label}：文件已损坏或格式不受支持（{type(exc).__name__}）") from None


# --- the check ---------------------------------------------------------------------------------


class _Check:
    def __init__(self, path: Path, size: int, limits: Limits, data: bytes | None = None) -> None:
        self.path = path
        self.name = path.name
        self.size = size
        self.limits = limits
        self.data = data

    def open(self) -> IO[bytes]:
        return io.BytesIO(self.data) if self.data is not None else self.path.open("rb")

    def fail(self, why: str) -> BookReadError:
        return BookReadError(f"无法读取 {self.name}：{why}")

    def run(self) -> None:
        if self.size == 0:
            raise self.fail("是空文件（0 字节），可能保存或复制时中断：请从“历史版本”文件夹或备份恢复，或重新导出")
        if self.size > self.limits.file_bytes:
            raise self.fail(f"文件过大（{_mb(self.size)}，上限 {_mb(self.limits.file_bytes)}），不像本办公室的工作簿：请确认文件")
        with self.open() as f:
            head = f.read(8)
            if not head.startswith(b"PK"):
                f.seek(0)
                raise self.fail(_not_a_zip(head, f.read(4096), self.size, f))
            self.end_record(f)
        try:
            zf = zipfile.ZipFile(self.open() if self.data is not None else self.path)
        except zipfile.BadZipFile:
            raise self.fail("文件不完整或已损坏（zip 目录无法读取，可能复制或下载时中断）：请从备份恢复或重新导出") from None
        with zf:
            infos = zf.infolist()
            self.directory(infos)
            self.parts(zf, infos)

    # --- the zip from the outside ----------------------------------------------------------

    def end_record(self, f: IO[bytes]) -> None:
        """Entry count and directory size from the end record, before zipfile builds one
        object per entry (a directory claiming millions of entries would cost gigabytes)."""
        tail_len = min(self.size, 22 + 65535)
        f.seek(self.size - tail_len)
        tail = f.read(tail_len)
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < 22:
            raise self.fail("文件不完整（找不到 zip 目录，文件可能在复制、下载或保存时被截断）：请从“历史版本”文件夹或备份恢复，或重新导出")
        entries, directory = struct.unpack_from("<HI", tail, at + 10)
        if entries == 0xFFFF or directory == 0xFFFFFFFF:  # zip64: the sizes are in the zip64 record
            entries, directory = self._zip64_counts(f, tail, at)
        if entries > self.limits.members or directory > self.limits.directory_bytes:
            raise self.fail(f"zip 目录声明了 {entries:,} 个部件（{_mb(directory)}），远超工作簿所需，文件已损坏或被构造：已拒绝读取")

    def _zip64_counts(self, f: IO[bytes], tail: bytes, at: int) -> tuple[int, int]:
        loc = tail.rfind(b"PK\x06\x07", 0, at)
        if loc < 0 or len(tail) - loc < 20:
            raise self.fail("zip 目录已损坏（zip64 记录缺失）：请从备份恢复或重新导出")
        (offset,) = struct.unpack_from("<Q", tail, loc + 8)
        if offset + 56 > self.size:
            raise self.fail("zip 目录已损坏（zip64 记录位置无效）：请从备份恢复或重新导出")
        f.seek(offset)
        record = f.read(56)
        if not record.startswith(b"PK\x06\x06"):
            raise self.fail("zip 目录已损坏（zip64 记录无效）：请从备份恢复或重新导出")
        entries, directory = struct.unpack_from("<QQ", record, 32)
        return entries, directory

    def directory(self, infos: list[zipfile.ZipInfo]) -> None:
        lim = self.limits
        names = {i.filename for i in infos}
        if "[Content_Types].xml" not in names or not any(n.lower() == "xl/workbook.xml" for n in names):
            other = "Word 文档" if "word/document.xml" in names else "PowerPoint 演示文稿" if "ppt/presentation.xml" in names else "其他 zip 压缩文件"
            raise self.fail(f"不是 Excel 工作簿（文件是{other}）：请选择 .xlsx 工作簿")
        macros = sorted(n for n in names if _MACRO_PARTS.search(n))
        if macros:
            raise self.fail(f"含有宏或控件（{macros[0]}），本工具只处理不含宏的 .xlsx 工作簿：请确认文件来源，在Excel中另存为“Excel 工作簿(*.xlsx)”后再试")
        total = 0
        for i in infos:
            if i.flag_bits & 0x1:
                raise self.fail(f"部件 {i.filename} 已加密：请在Excel中取消加密后另存为 .xlsx")
            if i.file_size > lim.member_bytes:
                raise self.fail(f"部件 {i.filename} 解压后有 {_mb(i.file_size)}（上限 {_mb(lim.member_bytes)}），是压缩炸弹或已损坏：已拒绝读取")
            if i.file_size > lim.ratio_from and i.file_size > lim.ratio * max(i.compress_size, 1):
                raise self.fail(f"部件 {i.filename} 的压缩比异常（{i.file_size // max(i.compress_size, 1):,} 倍，正常工作表约 10 倍），是压缩炸弹：已拒绝读取")
            if i.filename.lower() == "xl/sharedstrings.xml" and i.file_size > lim.shared_strings_bytes:
                raise self.fail(f"共享字符串表解压后有 {_mb(i.file_size)}（上限 {_mb(lim.shared_strings_bytes)}），是压缩炸弹或已损坏：已拒绝读取")
            total += i.file_size
        if total > lim.total_bytes:
            raise self.fail(f"全部部件解压后共 {_mb(total)}（上限 {_mb(lim.total_bytes)}），是压缩炸弹或已损坏：已拒绝读取")

    # --- inside the parts ---------------------------------------------------------------

    def parts(self, zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
        """Every part inflated once, in chunks: XML prologs, the shared-strings header, each
        sheet's used range; zipfile checks each part's CRC at its end."""
        sheets = self.sheet_names(zf)
        for info in infos:
            name = info.filename
            try:
                with zf.open(info) as stream:
                    chunks = _chunks(stream)
                    if _XML_PART.search(name):
                        chunks = self.prolog(name, chunks)
                        if name.lower() == "xl/sharedstrings.xml":
                            chunks = self.shared_strings(info, chunks)
                        if name in sheets:
                            self.extent(zf, info, sheets[name], chunks)
                    for _ in chunks:
                        pass
            except BookReadError:
                raise
            except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError, ValueError, zlib.error) as exc:
                raise self.fail(f"部件 {name} 已损坏（{_zip_reason(exc)}）：请从“历史版本”文件夹或备份恢复，或重新导出") from None

    def sheet_names(self, zf: zipfile.ZipFile) -> dict[str, str]:
        """Worksheet part -> sheet name, for messages (parsed with defusedxml once the two
        parts' prologs are known to hold no DOCTYPE)."""
        try:
            texts = {}
            for part in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
                texts[part] = zf.read(part)
                self.check_prolog(part, texts[part][: self.limits.prolog_bytes + 1], final=True)
            book = SafeET.fromstring(texts["xl/workbook.xml"])
            rels = SafeET.fromstring(texts["xl/_rels/workbook.xml.rels"])
        except BookReadError:
            raise
        except KeyError:
            raise self.fail("缺少工作簿目录部件（xl/_rels/workbook.xml.rels）：文件已损坏，请从备份恢复或重新导出") from None
        except (DefusedXmlException, SafeET.ParseError, zipfile.BadZipFile, OSError, ValueError, zlib.error) as exc:
            raise self.fail(f"工作簿目录已损坏（{_zip_reason(exc)}）：请从备份恢复或重新导出") from None
        targets = {r.get("Id"): r.get("Target", "") for r in rels if _REL_SHEETS.search(r.get("Type", ""))}
        out = {}
        for el in book.iter():
            if el.tag.endswith("}sheet") and el.get(_NS_REL) in targets:
                target = targets[el.get(_NS_REL)]
                part = target.lstrip("/") if target.startswith("/") else "xl/" + target
                out[_normpath(part)] = el.get("name") or part
        return out

    def check_prolog(self, part: str, head: bytes, final: bool = False) -> bool:
        """True once the root element is reached; refuses a DOCTYPE (entities, external files)."""
        verdict = _prolog_verdict(head)
        if verdict == "doctype":
            raise self.fail(f"部件 {part} 含有 DOCTYPE/实体声明（XML 实体炸弹、外部实体攻击的手段，Excel 从不写入）：已拒绝读取")
        if verdict is None and (final or len(head) > self.limits.prolog_bytes):
            raise self.fail(f"部件 {part} 的 XML 开头异常（{self.limits.prolog_bytes // 1024} KB 内没有根元素）：已拒绝读取")
        return verdict == "root"

    def prolog(self, part: str, chunks: Iterator[bytes]) -> Iterator[bytes]:
        """Pass the chunks on once the prolog (before the root element) is checked."""
        head = b""
        done = False
        for chunk in chunks:
            if not done:
                head += chunk
                done = self.check_prolog(part, head)
            yield chunk
        if not done:
            self.check_prolog(part, head, final=bool(head))

    def shared_strings(self, info: zipfile.ZipInfo, chunks: Iterator[bytes]) -> Iterator[bytes]:
        """uniqueCount is what calamine reserves memory for; each string takes at least
        ``<si/>`` (5 bytes), so a count the part cannot hold is a lie."""
        first = True
        for chunk in chunks:
            if first:
                first = False
                tag = _SST_TAG.search(chunk)
                if tag is None:
                    raise self.fail("共享字符串表的开头异常（找不到 sst 元素）：文件已损坏，请从备份恢复或重新导出")
                m = _SST_UNIQUE.search(tag.group(1))
                count = int(m.group(1)) if m else 0
                if count > self.limits.unique_strings or count * 5 > info.file_size:
                    raise self.fail(f"共享字符串表声明有 {count:,} 个字符串，而该部件只有 {info.file_size:,} 字节："
                                    "文件已损坏或被构造（读取时会耗尽内存），已拒绝读取")
            yield chunk

    def extent(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: str, chunks: Iterator[bytes]) -> None:
        """The sheet's used range (last row x last column over every cell, styled empty
        ones too), which calamine fills densely and openpyxl holds as objects."""
        rows: set[bytes] = set()
        cols: set[bytes] = set()
        cell = b""
        odd = False
        for chunk in chunks:
            if not cell:
                root = _ROOT_PREFIX.search(chunk)
                cell = b"<" + (root.group(1) or b"" if root else b"") + b"c"
                col_ref = re.compile(re.escape(cell) + rb' r="([A-Z]{1,4})')
                row_ref = re.compile(re.escape(cell) + rb' r="[A-Z]{1,4}(\d+)"')
            found = col_ref.findall(chunk)
            cols.update(found)
            rows.update(row_ref.findall(chunk))
            odd = (chunk.count(cell + b" ") != len(found) or cell + b">" in chunk or cell + b"/>" in chunk
                   or _other_prefix(chunk, cell))
            if odd:  # a cell without r, or with r not first: walk the sheet token by token
                break
        if odd:
            max_row, max_col = self.walk(zf, info, sheet)
        else:
            max_row = max(map(int, rows), default=0)
            max_col = max(map(_column_number, cols), default=0)
        if max_row > MAX_ROW or max_col > MAX_COL:
            raise self.fail(f"工作表“{sheet}”有超出Excel范围的单元格地址（第 {max_row:,} 行 / 第 {max_col:,} 列）：文件已损坏或被构造，已拒绝读取")
        if max_row * max_col > self.limits.cells:
            far = self.far_cell(zf, info, max_row, max_col)
            raise self.fail(f"工作表“{sheet}”的{far}有内容或格式，使表格范围扩大到 {max_row:,} 行 × {max_col:,} 列"
                            f"（{max_row * max_col:,} 个单元格，上限 {self.limits.cells:,}）：请删除多余的行或列"
                            "（Ctrl+End 可定位到最后一个单元格）并保存后再试")

    def walk(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: str) -> tuple[int, int]:
        """Rows and columns counted as the readers count them when cells omit their address:
        a row without r follows the one before, a cell without r the cell before."""
        row = col = max_row = max_col = 0
        tokens = 0
        with zf.open(info) as stream:
            for chunk in _chunks(stream):
                for m in _TOKEN.finditer(chunk):
                    tokens += 1
                    attrs = m.group(2)
                    if m.group(1) == b"row":
                        r = _ROW_ATTR.search(attrs)
                        row = int(r.group(1)) if r else row + 1
                        col = 0
                    else:
                        ref = _CELL_ATTR.search(attrs)
                        if ref:
                            col, row_of_cell = _column_number(ref.group(1)), int(ref.group(2))
                        else:
                            col, row_of_cell = col + 1, row
                        max_row = max(max_row, row_of_cell)
                        max_col = max(max_col, col)
                if tokens > 4 * self.limits.cells:
                    raise self.fail(f"工作表“{sheet}”的单元格太多（超过 {self.limits.cells:,} 个）：已拒绝读取")
        return max_row, max_col

    def far_cell(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, max_row: int, max_col: int) -> str:
        """The address that stretches the range: a cell in the last row when the rows are
        what is out of proportion, else one in the last column."""
        by_row = max_row / 100_000 >= max_col / 100
        letters = get_column_letter(min(max_col, MAX_COL)).encode()
        pattern = re.compile(rb'\br="([A-Z]{1,4})%d"' % max_row if by_row else rb'\br="%s(\d+)"' % letters)
        with zf.open(info) as stream:
            for chunk in _chunks(stream):
                m = pattern.search(chunk)
                if m:
                    return f" {m.group(1).decode()}{max_row} 单元格" if by_row else f" {letters.decode()}{m.group(1).decode()} 单元格"
        return f"第 {max_row:,} 行" if by_row else f" {letters.decode()} 列"


# --- helpers ---------------------------------------------------------------------------------------


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    """The stream in ~1 MB pieces, each ending just after a '>' (so no tag is split; the
    text after the last '>' goes with the next piece)."""
    rest = b""
    while True:
        data = stream.read(CHUNK)
        if not data:
            if rest:
                yield rest
            return
        data = rest + data
        cut = data.rfind(b">") + 1
        if cut == 0:
            if len(data) > 16 * CHUNK:  # 16 MB without a '>': text content, pass it on whole
                yield data
                rest = b""
            else:
                rest = data
            continue
        yield data[:cut]
        rest = data[cut:]


def _prolog_verdict(head: bytes) -> str | None:
    """'doctype' or 'root' once the prolog is decided, None while more bytes are needed."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 (Excel writes UTF-8; decode to look)
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    i = 0
    n = len(head)
    while True:
        j = head.find(b"<", i)
        if j < 0 or j + 1 >= n:
            return None
        if head.startswith(b"<?", j):
            k = head.find(b"?>", j + 2)
            if k < 0:
                return None
            i = k + 2
        elif head.startswith(b"<!--", j):
            k = head.find(b"-->", j + 4)
            if k < 0:
                return None
            i = k + 3
        elif head.startswith(b"<!", j):  # DOCTYPE, or any other declaration (none is valid here)
            return "doctype"
        else:
            return "root"


def _other_prefix(chunk: bytes, cell: bytes) -> bool:
    """A cell element spelled with another namespace prefix than the root's (``<y:c>``)."""
    if cell != b"<c" and (b"<c " in chunk or b"<c>" in chunk or b"<c/>" in chunk):
        return True
    if b":c" not in chunk:
        return False
    return any(m.group(0)[:-1] != cell for m in _PREFIXED_CELL.finditer(chunk))


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _normpath(part: str) -> str:
    out: list[str] = []
    for seg in part.split("/"):
        if seg == "..":
            if out:
                out.pop()
        elif seg not in ("", "."):
            out.append(seg)
    return "/".join(out)


def _mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB" if n >= 2**20 else f"{n / 1024:,.0f} KB"


def _zip_reason(exc: Exception) -> str:
    text = str(exc)
    if "CRC" in text:
        return "校验和不符"
    if isinstance(exc, EOFError) or "truncated" in text.lower():
        return "数据不完整"
    if isinstance(exc, NotImplementedError):
        return "压缩方式不受支持"
    if isinstance(exc, zlib.error):
        return "压缩数据错误"
    return type(exc).__name__


def _not_a_zip(head: bytes, start: bytes, size: int, f: IO[bytes]) -> str:
    """What the file is instead of an .xlsx, and what to do about it."""
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        f.seek(0)
        body = f.read(min(size, 8 * 2**20))
        if "EncryptedPackage".encode("utf-16-le") in body or "EncryptionInfo".encode("utf-16-le") in body:
            return "工作簿设置了打开密码（已加密），无法读取：请在Excel中“文件→信息→保护工作簿→用密码进行加密”清除密码后另存，再试"
        return "是旧版 Excel 97-2003 格式（.xls）或其他 Office 文件，不是 .xlsx：请在Excel中打开后另存为“Excel 工作簿(*.xlsx)”"
    if head.startswith(b"%PDF"):
        return "是 PDF 文件，不是 .xlsx 工作簿"
    text = start.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<html", b"<!doctype html", b"<table", b"<meta")) or b"<html" in text[:512]:
        return "是网页（HTML）格式的导出文件，不是 .xlsx：请用Excel打开后另存为“Excel 工作簿(*.xlsx)”"
    if text.startswith(b"<?xml"):
        return "是 XML 文件（可能是 Excel 2003 XML 表格），不是 .xlsx：请用Excel打开后另存为“Excel 工作簿(*.xlsx)”"
    if b"\x00" not in start and _decodes(start):
        return "是文本文件（如 CSV），不是 .xlsx 工作簿：请用Excel打开后另存为“Excel 工作簿(*.xlsx)”"
    return "不是 .xlsx 工作簿（文件内容无法识别，可能已损坏或扩展名被改过）：请从备份恢复或重新导出"


def _decodes(data: bytes) -> bool:
    for enc in ("utf-8", "gb18030"):
        try:
            data.decode(enc)
            return True
        except UnicodeDecodeError:
            # a multi-byte character cut at the end of the sample is still text
            try:
                data[:-3].decode(enc)
                return True
            except UnicodeDecodeError:
                continue
    return False
