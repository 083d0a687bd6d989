"""Lay out ``vbaProject.bin`` (MS-OVBA 2.3) from VBA source text, with no compiled code.

The project holds source only: ``_VBA_PROJECT`` is the 7-byte header with version 0xFFFF
and every module's ``MODULEOFFSET`` is 0 (no performance cache), so Office compiles the
modules from source when it opens the add-in, whatever its version or bitness.

Code page: VBA stores module source, names and the ``PROJECT`` stream as MBCS text in the
project's code page (``PROJECTCODEPAGE``), not as Unicode. The default is 936 (GBK, the
ANSI code page of Chinese Windows, the office's machines). Our modules are ASCII
(``vba_stubs/README.md``), which reads the same in every ANSI code page; the texts a user
sees come from Python (`xinao_xl.excel.addin.texts`). A module with characters outside
the code page is refused.

>>> blob = build_vba_project([VbaModule("Hello", 'Sub Hi()\\r\\n  MsgBox "你好"\\r\\nEnd Sub\\r\\n')])
>>> blob[:4].hex()
'd0cf11e0'
"""

from __future__ import annotations

import random
import re
import struct
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Literal

from .cfb import write_cfb
from .ovba import compress

__all__ = [
    "DEFAULT_CODEPAGE",
    "ModuleKind",
    "VbaModule",
    "build_vba_project",
    "decrypt_project_data",
    "encrypt_project_data",
    "normalize_source",
]

DEFAULT_CODEPAGE = 936
ModuleKind = Literal["standard", "class", "document"]

WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"
CLASS_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"

# The attribute block VBA keeps at the top of class and document modules, in its order.
_CLASS_ATTRIBUTES = {
    "VB_Base": f'"{CLASS_BASE}"',
    "VB_GlobalNameSpace": "False",
    "VB_Creatable": "False",
    "VB_PredeclaredId": "False",
    "VB_Exposed": "False",
    "VB_TemplateDerived": "False",
    "VB_Customizable": "False",
}
_DOCUMENT_ATTRIBUTES = {
    "VB_Base": f'"{WORKSHEET_BASE}"',
    "VB_GlobalNameSpace": "False",
    "VB_Creatable": "False",
    "VB_PredeclaredId": "True",
    "VB_Exposed": "True",
    "VB_TemplateDerived": "False",
    "VB_Customizable": "True",
}

# References as Excel writes them for a new workbook: OLE Automation and the Office library.
_REFERENCES = (
    (
        "stdole",
        r"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\Windows\System32\stdole2.tlb"
        "#OLE Automation",
    ),
    (
        "Office",
        r"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#C:\Program Files\Common Files"
        r"\Microsoft Shared\OFFICE16\MSO.DLL#Microsoft Office 16.0 Object Library",
    ),
)
_HOST_EXTENDER = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,30}")
_ATTRIBUTE = re.compile(r"Attribute\s+(\w+)\s*=\s*(.*?)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class VbaModule:
    """One VBA module: its name (``VB_Name``), source text and kind.

    ``document`` modules belong to the workbook (``ThisWorkbook``) or a worksheet (its code
    name); ``class`` modules are ``.cls`` files; ``standard`` modules are ``.bas`` files.
    """

    name: str
    source: str
    kind: ModuleKind = "standard"

    @classmethod
    def from_file(cls, filename: str, text: str) -> VbaModule:
        """Infer name and kind from an exported file (``Foo.bas``, ``ThisWorkbook.cls``)."""
        path = PurePath(filename)
        attributes = _leading_attributes(_strip_class_header(text.splitlines()))
        name = attributes.get("VB_Name", f'"{path.stem}"').strip('"')
        if path.suffix.lower() != ".cls":
            return cls(name, text, "standard")
        base = attributes.get("VB_Base", "").strip('"')
        if name == "ThisWorkbook" or base in (WORKBOOK_BASE, WORKSHEET_BASE):
            return cls(name, text, "document")
        return cls(name, text, "class")

    @classmethod
    def document(cls, name: str, *, workbook: bool = False, source: str = "") -> VbaModule:
        """The document module of the workbook (``ThisWorkbook``) or of a worksheet."""
        base = WORKBOOK_BASE if workbook else WORKSHEET_BASE
        return cls(name, f'Attribute VB_Base = "{base}"\r\n' + source, "document")


def _strip_class_header(lines: list[str]) -> list[str]:
    """Drop the ``VERSION 1.0 CLASS`` / ``BEGIN`` ... ``END`` block of exported ``.cls`` files.

    VBA keeps that block outside the module stream; only the lines from the first
    ``Attribute`` on are stored.
    """
    if not lines or not lines[0].upper().startswith("VERSION "):
        return lines
    for i, line in enumerate(lines):
        if line.strip().upper() == "END":
            return lines[i + 1 :]
    raise ValueError("class header VERSION ... BEGIN without END")


def _leading_attributes(lines: Iterable[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in lines:
        match = _ATTRIBUTE.match(line)
        if not match:
            break
        found[match.group(1)] = match.group(2)
    return found


def normalize_source(module: VbaModule) -> str:
    """The text VBA stores for ``module``: attribute block first, CRLF line ends.

    Exported files differ from what Excel keeps in the module stream: ``.cls`` files carry
    a ``VERSION``/``BEGIN``/``END`` header that is not stored, and the attribute lines
    (``Attribute VB_Name = ...`` and, for class and document modules, the block Excel
    writes) are stored. Missing attributes are added with Excel's values; a ``VB_Name``
    different from the module name is an error.
    """
    if not _IDENTIFIER.fullmatch(module.name):
        raise ValueError(f"not a VBA module name: {module.name!r}")
    lines = _strip_class_header(module.source.lstrip("\ufeff").splitlines())
    given = _leading_attributes(lines)
    body = lines[len(given) :]
    name = given.pop("VB_Name", f'"{module.name}"')
    if name.strip('"') != module.name:
        raise ValueError(f"module {module.name!r} says Attribute VB_Name = {name}")
    defaults = {"standard": {}, "class": _CLASS_ATTRIBUTES, "document": _DOCUMENT_ATTRIBUTES}
    attributes = {**defaults[module.kind], **given}
    head = [f'Attribute VB_Name = "{module.name}"']
    head += [f"Attribute {key} = {value}" for key, value in attributes.items()]
    return "\r\n".join([*head, *body]) + "\r\n"


# --- PROJECT stream protection fields (MS-OVBA 2.4.3 Data Encryption) ---------------------


def _project_key(project_id: str) -> int:
    return sum(project_id.encode("ascii")) & 0xFF


def encrypt_project_data(project_id: str, data: bytes, seed: int) -> str:
    """Obfuscate ``data`` as in MS-OVBA 2.4.3.2 and return it as upper-case hex.

    The ``CMG``, ``DPB`` and ``GC`` lines of the ``PROJECT`` stream are required by its
    grammar; their content is this reversible obfuscation keyed on the project id. The
    seed and the ignored filler bytes are fixed by ``seed`` so builds are reproducible.
    """
    rng = random.Random(seed)
    seed_byte = seed & 0xFF
    version = 2
    key = _project_key(project_id)
    out = bytearray([seed_byte, seed_byte ^ version, seed_byte ^ key])
    unencrypted1, encrypted1, encrypted2 = key, seed_byte ^ key, seed_byte ^ version
    ignored = [rng.randrange(256) for _ in range((seed_byte & 6) // 2)]
    for byte in [*ignored, *struct.pack("<I", len(data)), *data]:
        encrypted = byte ^ ((encrypted2 + unencrypted1) & 0xFF)
        out.append(encrypted)
        encrypted2, encrypted1, unencrypted1 = encrypted1, encrypted, byte
    return out.hex().upper()


def decrypt_project_data(text: str) -> bytes:
    """Reverse :func:`encrypt_project_data` (MS-OVBA 2.4.3.3); used by the tests."""
    raw = bytes.fromhex(text)
    seed_byte, version_enc, key_enc = raw[0], raw[1], raw[2]
    if seed_byte ^ version_enc != 2:
        raise ValueError("unknown encryption version")
    unencrypted1, encrypted1, encrypted2 = seed_byte ^ key_enc, key_enc, version_enc
    plain = bytearray()
    for encrypted in raw[3:]:
        byte = encrypted ^ ((encrypted2 + unencrypted1) & 0xFF)
        plain.append(byte)
        encrypted2, encrypted1, unencrypted1 = encrypted1, encrypted, byte
    ignored = (seed_byte & 6) // 2
    (length,) = struct.unpack_from("<I", plain, ignored)
    data = bytes(plain[ignored + 4 :])
    if len(data) != length:
        raise ValueError("length field does not match the data")
    return data


# --- streams -------------------------------------------------------------------------------


def _project_stream(modules: Sequence[VbaModule], project_name: str, project_id: str, codepage: str) -> bytes:
    """The ``PROJECT`` stream (MS-OVBA 2.3.1): module list, name, protection, workspace."""
    protection = encrypt_project_data(project_id, bytes(4), 0x5D)  # not protected
    password = encrypt_project_data(project_id, bytes(1), 0x6E)  # no password
    visibility = encrypt_project_data(project_id, bytes([0xFF]), 0x7F)  # visible
    lines = [f'ID="{project_id}"']
    for module in modules:
        if module.kind == "document":
            lines.append(f"Document={module.name}/&H00000000")
        elif module.kind == "class":
            lines.append(f"Class={module.name}")
        else:
            lines.append(f"Module={module.name}")
    lines += [
        f'Name="{project_name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{protection}"',
        f'DPB="{password}"',
        f'GC="{visibility}"',
        "",
        "[Host Extender Info]",
        _HOST_EXTENDER,
        "",
        "[Workspace]",
        *(f"{module.name}=0, 0, 0, 0, C" for module in modules),
    ]
    return ("\r\n".join(lines) + "\r\n").encode(codepage)


def _project_wm_stream(modules: Sequence[VbaModule], codepage: str) -> bytes:
    """``PROJECTwm`` (MS-OVBA 2.3.3): each module name in MBCS and in UTF-16."""
    out = bytearray()
    for module in modules:
        out += module.name.encode(codepage) + b"\0" + module.name.encode("utf-16-le") + b"\0\0"
    return bytes(out + b"\0\0")


def _record(record_id: int, payload: bytes) -> bytes:
    return struct.pack("<HI", record_id, len(payload)) + payload


def _text_record(record_id: int, text: str, codepage: str, unicode_id: int | None = None) -> bytes:
    out = _record(record_id, text.encode(codepage))
    if unicode_id is not None:
        out += _record(unicode_id, text.encode("utf-16-le"))
    return out


def _dir_stream(modules: Sequence[VbaModule], project_name: str, codepage_number: int) -> bytes:
    """The decompressed ``dir`` stream (MS-OVBA 2.3.4.2), records in the spec's order."""
    codepage = f"cp{codepage_number}"
    out = bytearray()
    out += _record(0x0001, struct.pack("<I", 0x00000001))  # PROJECTSYSKIND: 32-bit Windows
    out += _record(0x0002, struct.pack("<I", 0x0409))  # PROJECTLCID
    out += _record(0x0014, struct.pack("<I", 0x0409))  # PROJECTLCIDINVOKE
    out += _record(0x0003, struct.pack("<H", codepage_number))  # PROJECTCODEPAGE
    out += _text_record(0x0004, project_name, codepage)  # PROJECTNAME
    out += _text_record(0x0005, "", codepage, 0x0040)  # PROJECTDOCSTRING
    out += _text_record(0x0006, "", codepage, 0x003D)  # PROJECTHELPFILEPATH
    out += _record(0x0007, struct.pack("<I", 0))  # PROJECTHELPCONTEXT
    out += _record(0x0008, struct.pack("<I", 0))  # PROJECTLIBFLAGS
    out += struct.pack("<HIIH", 0x0009, 4, 1, 0)  # PROJECTVERSION: Reserved=4, major, minor
    out += _text_record(0x000C, "", codepage, 0x003C)  # PROJECTCONSTANTS
    for name, libid in _REFERENCES:
        out += _text_record(0x0016, name, codepage, 0x003E)  # REFERENCENAME
        libid_bytes = libid.encode(codepage)
        registered = struct.pack("<I", len(libid_bytes)) + libid_bytes + struct.pack("<IH", 0, 0)
        out += _record(0x000D, registered)  # REFERENCEREGISTERED
    out += _record(0x000F, struct.pack("<H", len(modules)))  # PROJECTMODULES
    out += _record(0x0013, struct.pack("<H", 0xFFFF))  # PROJECTCOOKIE
    for module in modules:
        out += _text_record(0x0019, module.name, codepage)  # MODULENAME
        out += _record(0x0047, module.name.encode("utf-16-le"))  # MODULENAMEUNICODE
        out += _text_record(0x001A, module.name, codepage, 0x0032)  # MODULESTREAMNAME
        out += _text_record(0x001C, "", codepage, 0x0048)  # MODULEDOCSTRING
        out += _record(0x0031, struct.pack("<I", 0))  # MODULEOFFSET: source only
        out += _record(0x001E, struct.pack("<I", 0))  # MODULEHELPCONTEXT
        out += _record(0x002C, struct.pack("<H", 0xFFFF))  # MODULECOOKIE
        out += _record(0x0021 if module.kind == "standard" else 0x0022, b"")  # MODULETYPE
        out += _record(0x002B, b"")  # module terminator
    out += _record(0x0010, b"")  # dir terminator
    return bytes(out)


# Reserved1 0x61CC, Version 0xFFFF (recompile from source), Reserved2 0x00, Reserved3.
VBA_PROJECT_HEADER = bytes.fromhex("cc61ffff000100")


def build_vba_project(
    modules: Sequence[VbaModule],
    *,
    project_name: str = "VBAProject",
    codepage: int = DEFAULT_CODEPAGE,
) -> bytes:
    """Return ``vbaProject.bin`` holding ``modules`` as source only.

    Each module stream is the compressed source in the project code page (a character
    that code page cannot hold is an error, not a silent ``?``). Module order is kept;
    names must be unique regardless of case, as in VBA.
    """
    if not _IDENTIFIER.fullmatch(project_name):
        raise ValueError(f"not a VBA project name: {project_name!r}")
    names = [module.name.upper() for module in modules]
    if len(set(names)) != len(names):
        raise ValueError("module names must be unique (VBA ignores case)")
    encoding = f"cp{codepage}"
    project_id = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"xinao_xl/{project_name}")).upper() + "}"
    vba: dict[str, bytes] = {
        "_VBA_PROJECT": VBA_PROJECT_HEADER,
        "dir": compress(_dir_stream(modules, project_name, codepage)),
    }
    for module in modules:
        try:
            source = normalize_source(module).encode(encoding)
        except UnicodeEncodeError as error:
            raise ValueError(f"module {module.name}: text not representable in code page {codepage}") from error
        vba[module.name] = compress(source)
    return write_cfb(
        {
            "PROJECT": _project_stream(modules, project_name, project_id, encoding),
            "PROJECTwm": _project_wm_stream(modules, encoding),
            "VBA": vba,
        }
    )
