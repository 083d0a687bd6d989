"""Writing files so that nothing is ever half-written or lost.

Every file xinao_xl writes goes through this module:

- **complete, then in place**: the content is written to a temporary file in the target's
  folder (same file system, so the rename is atomic), flushed to disk (``fsync``), and only
  then ``os.replace``-d over the target. A crash, a full disk or a killed process midway
  leaves the old file (or no file) under the real name, never a half-written one.
- **the previous version is kept**: a file that is replaced is first copied into the
  ``历史版本`` folder beside it as ``<name>.<YYYYMMDD-HHMMSS><ext>`` (the time it was last
  saved), the last `HISTORY_KEEP` per file. Staff restore a version by copying it back.
  Callers pass ``keep_previous=False`` only for files regenerated from others and holding
  no typing (templates, the add-in build, generated VBA sources).
- **a group appears at once**: `Batch` writes several files completely first and puts them
  in place together at the end; a folder that did not exist (a month's ``结账`` folder, next
  month's folder) is built under a temporary name and renamed in one step, so it appears
  with all its files or not at all.
- **refused before any work** (`preflight`): a workbook open in Excel, WPS or LibreOffice
  (its lock file ``~$name`` / ``.~lock.name#`` is beside it), a read-only file that would be
  replaced, a folder that cannot be written (the ``历史版本`` folder of a file that will be
  replaced included), a full disk.
- **the ordinary failures in plain Chinese** (`plain_os_error`): a disk that fills up, a
  permission taken away, a path too long for Windows, a file another program holds — met
  while writing, they stop the write with a message saying which file or folder and what
  to do (`DiskFullError`, `NoPermissionError`, `PathTooLongError`, `FileBusyError`); the
  file under the real name is untouched and nothing temporary is left behind.

Temporary names start with ``.`` and end with ``.xinao.tmp``; a process killed midway may
leave them (never under a real name), and `sweep_temps` removes those older than
`STALE_AFTER` seconds the next time the folder is written.

    save_atomic(wb, Path("2026-11/2026-11_客户回访信息台账.xlsx"))
    write_text_atomic(Path("2026-11/已结账.txt"), "2026-12-03 09:00\\n")
    with Batch(Path("2026-11/结账")) as batch:
        batch.add_workbook("报告.xlsx", wb)
        batch.commit()
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from xinao_xl.policy import clock
from xinao_xl.policy.errors import XinaoError

from .memory import collect_garbage

if TYPE_CHECKING:  # only saved here; the CLI imports this module for its error types
    from openpyxl import Workbook

HISTORY_DIR = "历史版本"
HISTORY_KEEP = 10  # versions kept per file: two working weeks of daily sampling
TMP_SUFFIX = ".xinao.tmp"
STALE_AFTER = 600.0  # seconds; a write takes seconds, so an older temporary file is a leftover

Writer = Callable[[IO[bytes]], Any]


class WriteRefusedError(XinaoError, RuntimeError):
    """A file cannot be written safely; the Chinese message says which and what to do."""


class WorkbookOpenError(WriteRefusedError):
    """A workbook to be read or replaced is open in Excel / WPS / LibreOffice."""


class ReadOnlyError(WriteRefusedError):
    """A file to be replaced is read-only, or a folder to write in cannot be written."""


class DiskFullError(WriteRefusedError):
    """The disk (or the user's quota on a shared folder) is full."""


class NoPermissionError(ReadOnlyError):
    """The system refused the write (EACCES/EPERM/EROFS): permissions, a read-only share."""


class PathTooLongError(WriteRefusedError):
    """A path longer than Windows (260 characters) or the file system (255 bytes a name) allows."""


class FileBusyError(WriteRefusedError):
    """Another program holds the file (Windows sharing violation: Excel, antivirus, a sync tool)."""


# Windows error numbers Python does not map onto a telling errno
_WIN_SHARING = (32, 33)  # ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
_WIN_TOO_LONG = (206,)  # ERROR_FILENAME_EXCED_RANGE (errno ENOENT)
_WIN_PATH_LIMIT = 260  # MAX_PATH, unless long paths are enabled


def _where(path: Path) -> str:
    """The file or folder a message names: the kept-versions folder said so by its name."""
    path = Path(path)
    if path.parent.name == HISTORY_DIR or path.name == HISTORY_DIR:
        folder = path if path.name == HISTORY_DIR else path.parent
        return f"“{HISTORY_DIR}”文件夹（{folder}）"
    return f"{path.name}（{path.parent}）"


def plain_os_error(exc: OSError, path: Path) -> WriteRefusedError | None:
    """The Chinese error for an ordinary failure met while writing `path`, None for others.

    Said plainly and with what to do; the caller has left the file under its real name as
    it was (books/save.py writes complete-then-replace), so each message says so too."""
    if isinstance(exc, WriteRefusedError):
        return exc
    code = exc.errno
    win = getattr(exc, "winerror", None)
    kept = "原有文件没有改动"
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)) or win in (39, 112):
        return DiskFullError(f"磁盘空间不足，无法写入 {_where(path)}：请清理该磁盘（删除不需要的文件、清空回收站），"
                             f"或请管理员扩大共享文件夹的空间后重试；{kept}")
    if win in _WIN_SHARING:
        return FileBusyError(f"{_where(path)} 正被其他程序使用（如Excel、杀毒软件、网盘同步）：请关闭该程序或稍等片刻后重试；{kept}")
    if code == errno.ENAMETOOLONG or win in _WIN_TOO_LONG or (os.name == "nt" and code == errno.ENOENT and len(str(path)) >= _WIN_PATH_LIMIT):
        return PathTooLongError(f"路径过长，无法写入 {path.name}（完整路径 {len(str(path))} 个字符，Windows 一般不超过 259 个）："
                                f"请把月份文件夹移到更短的路径下（如 D:\\服务考核），或缩短上级文件夹的名称后重试；{kept}")
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return NoPermissionError(f"没有权限写入 {_where(path)}（只读或没有写入权限）：请在文件夹“属性”中取消“只读”，"
                                 f"或请管理员开放写入权限后重试；{kept}")
    return None


@contextmanager
def plain_errors(path: Path) -> Iterator[None]:
    """Raise the ordinary OS failures met in the block as `plain_os_error` says them."""
    try:
        yield
    except OSError as exc:
        plain = plain_os_error(exc, path)
        if plain is None or plain is exc:
            raise
        raise plain from exc


# --- refusals before any work -----------------------------------------------------------------


def lock_files(path: Path) -> list[Path]:
    """Excel/WPS write ``~$name``; LibreOffice writes ``.~lock.name#``."""
    path = Path(path)
    candidates = (path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#"))
    return [p for p in candidates if p.exists()]


def refuse_open(path: Path) -> None:
    """A workbook open in Excel, WPS or LibreOffice (lock file beside it) is refused."""
    if lock_files(path):
        raise WorkbookOpenError(_open_message(Path(path)))


def _open_message(path: Path) -> str:
    return f"{path.name} 正在被Excel/WPS/LibreOffice打开，请保存并关闭后再试"


def is_read_only(path: Path) -> bool:
    """The file's read-only attribute (Windows) or missing write permission (POSIX).

    The mode bits are checked besides ``os.access``: an administrator (root) may write a
    0444 file, but someone set it read-only to protect it, so we do not replace it.
    """
    st = os.stat(path)
    if getattr(st, "st_file_attributes", 0) & getattr(stat, "FILE_ATTRIBUTE_READONLY", 0):
        return True
    return not st.st_mode & stat.S_IWUSR or not os.access(path, os.W_OK)


def folder_writable(folder: Path) -> bool:
    """Whether files can be created in `folder` (tried with a probe file, because Windows
    ignores a folder's read-only attribute and ``os.access`` does not see network-share ACLs)."""
    return _folder_problem(folder) is None


def _folder_problem(folder: Path) -> str | None:
    """Why files cannot be created in `folder` (Chinese), None when they can."""
    unwritable = f"文件夹 {folder} 不能写入（只读或没有权限）：请换一个可写的文件夹，或请管理员开放写入权限"
    try:
        st = os.stat(folder)
    except OSError:
        return unwritable
    if os.name != "nt" and not st.st_mode & stat.S_IWUSR:
        return unwritable
    if not os.access(folder, os.W_OK | os.X_OK):
        return unwritable
    try:
        fd, name = tempfile.mkstemp(prefix=".xinao_probe_", suffix=TMP_SUFFIX, dir=folder)
    except OSError as exc:
        plain = plain_os_error(exc, Path(folder) / ".xinao_probe")
        if isinstance(plain, DiskFullError | PathTooLongError):
            return str(plain).replace("；原有文件没有改动", "")
        return unwritable
    os.close(fd)
    with suppress(OSError):
        os.unlink(name)
    return None


def _existing_folder(path: Path) -> Path:
    """The nearest folder of `path` that exists (where a missing one would be created)."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def preflight(read: Iterable[Path | None] = (), write: Iterable[Path | None] = ()) -> None:
    """Refuse, before any work, every file that is open (`read` and `write`), every file in
    `write` that is read-only, and every folder a `write` file goes in that cannot be written.

    All problems are reported at once (one per line), so staff fix them in one go.
    """
    problems: list[str] = []
    opened: list[Path] = []
    folders: dict[Path, None] = {}
    read_only: list[Path] = []
    for path in [Path(p) for p in read if p is not None]:
        if lock_files(path) and path not in opened:
            opened.append(path)
    for path in [Path(p) for p in write if p is not None]:
        if lock_files(path) and path not in opened:
            opened.append(path)
        if path.is_file():
            if is_read_only(path) and path not in read_only:
                read_only.append(path)
            if history_folder(path).is_dir():  # the replaced file is kept there first
                folders.setdefault(history_folder(path), None)
        folders.setdefault(_existing_folder(path), None)
    problems += [_open_message(p) for p in opened]
    problems += [f"{p.name} 是只读文件，不能替换：请在文件“属性”中取消“只读”后再试（{p.parent}）" for p in read_only]
    problems += [problem for f in folders if (problem := _folder_problem(f))]
    if not problems:
        return
    raise (WorkbookOpenError if opened else ReadOnlyError)("\n".join(problems))


# --- the primitives (the fault-injection test patches `_write_to` and `_replace`) --------------


def _write_to(handle: IO[bytes], write: Writer) -> None:
    """Fill an open temporary file and force it to disk."""
    write(handle)
    handle.flush()
    os.fsync(handle.fileno())


def _replace(src: Path, dst: Path) -> None:
    """Put `src` (a complete file, or a folder) in place as `dst`, atomically, then make
    the rename itself durable (the folder's entry is flushed on POSIX)."""
    if Path(src).is_dir() and Path(dst).exists():
        raise FileExistsError(f"{dst} 已存在")
    os.replace(src, dst)
    _sync_folder(Path(dst).parent)


def _sync_folder(folder: Path) -> None:
    if os.name == "nt":  # NTFS journals the rename; a folder cannot be opened for fsync
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _new_temp(final: Path) -> tuple[int, Path]:
    fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=TMP_SUFFIX, dir=final.parent)
    return fd, Path(name)


def _file_mode(final: Path) -> int:
    """The replaced file's permissions, or the usual ones (mkstemp makes 0600)."""
    try:
        return stat.S_IMODE(os.stat(final).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _stage(final: Path, write: Writer) -> Path:
    """Write a complete temporary file beside `final`; returns its path (removed on error)."""
    with plain_errors(final):
        fd, tmp = _new_temp(final)
        try:
            with os.fdopen(fd, "wb") as handle:
                _write_to(handle, write)
            os.chmod(tmp, _file_mode(final))
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    return tmp


def _put_in_place(tmp: Path, final: Path, keep_previous: bool) -> Path:
    """Keep the file being replaced (when asked), then rename the temporary file over it."""
    try:
        if keep_previous and final.exists():
            keep_version(final)
        with plain_errors(final):
            _replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return final


def _workbook_writer(wb: Workbook) -> Writer:
    return wb.save  # openpyxl writes the zip into any binary file object


def workbook_bytes(wb: Workbook) -> bytes:
    """The file `Batch.add_workbook` would write, as bytes (a workbook built in a second
    process travels back as these: services/spawned.py)."""
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _bytes_writer(data: bytes) -> Writer:
    return lambda handle: handle.write(data)


# --- single files ------------------------------------------------------------------------------


def write_atomic(path: Path, write: Writer, keep_previous: bool = True) -> Path:
    """Write `path` with ``write(binary_file)``: complete in a temporary file, then in place."""
    path = Path(path)
    preflight(write=[path])  # the last guard: open, read-only, unwritable folder (callers check first)
    with plain_errors(path):
        path.parent.mkdir(parents=True, exist_ok=True)
    return _put_in_place(_stage(path, write), path, keep_previous)


def save_atomic(wb: Workbook, path: Path, keep_previous: bool = True) -> Path:
    """Save an openpyxl workbook to `path` atomically, keeping the file it replaces."""
    return write_atomic(path, _workbook_writer(wb), keep_previous)


def write_bytes_atomic(path: Path, data: bytes, keep_previous: bool = True) -> Path:
    return write_atomic(path, _bytes_writer(data), keep_previous)


def write_text_atomic(path: Path, text: str, keep_previous: bool = True, encoding: str = "utf-8") -> Path:
    return write_atomic(path, _bytes_writer(text.encode(encoding)), keep_previous)


@contextmanager
def open_atomic(path: Path, keep_previous: bool = True) -> Iterator[IO[bytes]]:
    """A binary file to write `path` through (e.g. a zip): in place only if the block ends
    without an exception.

        with open_atomic(out) as handle, zipfile.ZipFile(handle, "w") as zf: ...
    """
    path = Path(path)
    preflight(write=[path])
    with plain_errors(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = _new_temp(path)
    try:
        with plain_errors(path), os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _file_mode(path))
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _put_in_place(tmp, path, keep_previous)


# --- history -----------------------------------------------------------------------------------


def history_folder(path: Path) -> Path:
    return Path(path).parent / HISTORY_DIR


def history_versions(path: Path) -> list[Path]:
    """The kept versions of `path`, oldest first."""
    path = Path(path)
    pattern = re.compile(re.escape(path.stem) + r"\.(\d{8}-\d{6})(?:-(\d+))?" + re.escape(path.suffix) + "$")
    folder = history_folder(path)
    if not folder.is_dir():
        return []
    found = [(m.group(1), int(m.group(2) or 1), p) for p in folder.iterdir() if (m := pattern.match(p.name))]
    return [p for _, _, p in sorted(found)]


def keep_version(path: Path, keep: int | None = None) -> Path:
    """Copy `path` into its 历史版本 folder (named by the time it was last saved), atomically,
    and drop the oldest versions beyond `keep` (default `HISTORY_KEEP`)."""
    path = Path(path)
    keep = HISTORY_KEEP if keep is None else keep
    folder = history_folder(path)
    with plain_errors(folder):
        folder.mkdir(exist_ok=True)
    stamp = clock.from_timestamp(os.stat(path).st_mtime).strftime("%Y%m%d-%H%M%S")
    target = folder / f"{path.stem}.{stamp}{path.suffix}"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{path.stem}.{stamp}-{n}{path.suffix}"

    def copy(handle: IO[bytes]) -> None:
        with open(path, "rb") as source:
            shutil.copyfileobj(source, handle, 1 << 20)

    tmp = _stage(target, copy)
    try:
        with plain_errors(target):
            shutil.copystat(path, tmp)  # the version keeps its own save time
            _replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    for old in history_versions(path)[:-max(keep, 1)]:
        with suppress(OSError):
            old.unlink()
    return target


# --- groups of files ----------------------------------------------------------------------------


class Batch:
    """Files written completely first, put in place together by `commit`.

    If `folder` does not exist yet, the files are staged in a temporary sibling folder that
    is renamed to `folder` in one step; otherwise each file is staged beside its target and
    replaced in turn (keeping the replaced file when ``keep_previous``). Leaving the ``with``
    block without `commit` (an exception) removes everything staged.

        with Batch(out) as batch:
            batch.add_workbook("a.xlsx", wb)
            digest = batch.digest("a.xlsx")   # the final file's SHA-256, before it is in place
            batch.commit()
    """

    def __init__(self, folder: Path, keep_previous: bool = True) -> None:
        self.folder = Path(folder)
        self.keep_previous = keep_previous
        self._staged: dict[str, Path] = {}
        self._stage_dir: Path | None = None
        self.committed = False

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.committed:
            self.discard()

    @property
    def names(self) -> list[str]:
        return list(self._staged)

    def path(self, name: str) -> Path:
        """Where `name` will be once committed."""
        return self.folder / name

    def _place(self, name: str) -> Path:
        if self._stage_dir is None and not self.folder.exists():
            with plain_errors(self.folder):
                self.folder.parent.mkdir(parents=True, exist_ok=True)
                self._stage_dir = Path(tempfile.mkdtemp(prefix=f".{self.folder.name}.", suffix=TMP_SUFFIX, dir=self.folder.parent))
        return (self._stage_dir or self.folder) / name

    def add(self, name: str, write: Writer) -> None:
        if name in self._staged:
            raise ValueError(f"{name} 已在本批文件中")
        place = self._place(name)
        if self._stage_dir is not None:  # inside a folder nobody sees yet: write it there
            try:
                with plain_errors(self.folder / name), open(place, "wb") as handle:
                    _write_to(handle, write)
            except BaseException:
                place.unlink(missing_ok=True)
                raise
            self._staged[name] = place
        else:
            preflight(write=[place])
            self._staged[name] = _stage(place, write)

    def add_workbook(self, name: str, wb: Workbook) -> None:
        self.add(name, _workbook_writer(wb))

    def add_bytes(self, name: str, data: bytes) -> None:
        self.add(name, _bytes_writer(data))

    def add_text(self, name: str, text: str, encoding: str = "utf-8") -> None:
        self.add(name, _bytes_writer(text.encode(encoding)))

    def digest(self, name: str) -> str:
        return sha256(self._staged[name])

    def commit(self) -> list[Path]:
        """Put every staged file in place; returns the final paths in the order added."""
        collect_garbage()  # the workbooks saved (books/memory.py)
        if self._stage_dir is not None:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(self._stage_dir, 0o777 & ~umask)  # mkdtemp makes 0700
            _sync_folder(self._stage_dir)
            try:
                with plain_errors(self.folder):
                    _replace(self._stage_dir, self.folder)
            except FileExistsError:  # the folder appeared meanwhile: file by file
                for name, tmp in self._staged.items():
                    _put_in_place(tmp, self.folder / name, self.keep_previous)
                shutil.rmtree(self._stage_dir, ignore_errors=True)
        else:
            for name, tmp in list(self._staged.items()):
                _put_in_place(tmp, self.folder / name, self.keep_previous)
        self.committed = True
        self._stage_dir = None
        return [self.folder / name for name in self._staged]

    def discard(self) -> None:
        if self._stage_dir is not None:
            shutil.rmtree(self._stage_dir, ignore_errors=True)
        else:
            for tmp in self._staged.values():
                tmp.unlink(missing_ok=True)
        self._staged.clear()
        self._stage_dir = None


# --- leftovers and checksums ---------------------------------------------------------------------


def temp_leftovers(folder: Path) -> list[Path]:
    """Temporary files and folders of ours in `folder` and its 历史版本 folder."""
    found: list[Path] = []
    for place in (Path(folder), Path(folder) / HISTORY_DIR):
        if place.is_dir():
            found += sorted(p for p in place.iterdir() if p.name.startswith(".") and p.name.endswith(TMP_SUFFIX))
    return found


def sweep_temps(folders: Iterable[Path], older_than: float = STALE_AFTER) -> list[Path]:
    """Remove what killed writes left (temporary names only) older than `older_than` seconds.

    Younger ones may belong to a write still running elsewhere and are left alone."""
    now = time.time()
    removed = []
    for folder in folders:
        for p in temp_leftovers(folder):
            try:
                if now - p.lstat().st_mtime < older_than:
                    continue
                if p.is_dir() and not p.is_symlink():
                    shutil.rmtree(p)
                else:
                    p.unlink()
                removed.append(p)
            except OSError:
                continue
    return removed


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
