"""Plain text out of uploaded documents: .txt (UTF-8, with or without BOM, else GB18030) and
.docx (paragraphs and tables in document order, one line per paragraph or table row).

Word's automatic numbering (一、 (一) 1.) is list formatting, not text, so it is not in the result;
numbers typed into the text are.
"""

from __future__ import annotations

import codecs
import io
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import PurePath
from typing import Any

import docx
from django.utils.translation import gettext as _

MAX_UNPACKED_BYTES = 100 * 1024 * 1024
"""A .docx whose parts unpack to more than this is refused (a zip bomb, not a plan)."""

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_PARAGRAPH, _TABLE, _ROW, _CELL = f"{_W}p", f"{_W}tbl", f"{_W}tr", f"{_W}tc"
_TEXT, _TABS, _BREAKS = f"{_W}t", {f"{_W}tab", f"{_W}ptab"}, {f"{_W}br", f"{_W}cr"}
_WRAPPERS = {f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}smartTag"}
# Deleted tracked changes, the fallback copy of a text box, properties: no visible text.
_SKIPPED = {f"{_W}del", f"{_W}moveFrom", f"{_MC}Fallback", f"{_W}pPr", f"{_W}rPr", f"{_W}tcPr"}

# Signatures of binary formats someone may rename to .txt.
_BINARY_MAGIC = (
    b"PK\x03\x04",  # zip: .docx, .xlsx
    b"\xd0\xcf\x11\xe0",  # OLE: .doc, .xls
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
    b"Rar!",
    b"7z\xbc\xaf",
)
# Control characters a text file may hold without being binary.
_HARMLESS_CONTROLS = set("\t\n\r\f\v\x1a")


class DocumentError(ValueError):
    """The file cannot be read as a plan; `message` is fit to show to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_text(*, data: bytes, filename: str) -> str:
    """The plain text of a .txt or .docx file's bytes; `DocumentError` if it cannot be read."""
    name = PurePath(filename).name
    suffix = PurePath(name).suffix.lower()
    if suffix == ".txt":
        return _read_txt(data, name)
    if suffix == ".docx":
        return _read_docx(data, name)
    if suffix == ".doc":
        raise DocumentError(
            _("“%(name)s” is an old Word .doc file: save it as .docx and upload it again")
            % {"name": name}
        )
    raise DocumentError(
        _("Cannot read “%(name)s”: only .txt and .docx files are supported") % {"name": name}
    )


def _read_txt(data: bytes, name: str) -> str:
    not_text = DocumentError(_("“%(name)s” is not a text file") % {"name": name})
    if data.startswith(codecs.BOM_UTF8):
        text = _decode(data[len(codecs.BOM_UTF8) :], "utf-8", name)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Notepad's "Unicode": UTF-16 with a byte order mark.
        text = _decode(data, "utf-16", name)
    else:
        if data.startswith(_BINARY_MAGIC) or b"\x00" in data:
            raise not_text
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode(data, "gb18030", name)
    controls = sum(
        1 for char in text if char not in _HARMLESS_CONTROLS and unicodedata.category(char) == "Cc"
    )
    if controls > max(8, len(text) // 100):
        raise not_text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DocumentError(
            _("“%(name)s” is neither UTF-8 nor GB18030 text: save it as UTF-8 and upload it again")
            % {"name": name}
        ) from exc


def _read_docx(data: bytes, name: str) -> str:
    damaged = DocumentError(_("“%(name)s” is damaged or is not a Word .docx file") % {"name": name})
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise damaged from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise DocumentError(_("“%(name)s” is too large to read") % {"name": name})
    try:
        body = docx.Document(io.BytesIO(data)).element.body
    except Exception as exc:  # python-docx and lxml raise many kinds on a broken package
        raise damaged from exc
    return "\n".join(_blocks(body))


def _blocks(container: Any) -> Iterator[str]:
    """One string per paragraph and per table row, in document order."""
    for child in container:
        tag = child.tag
        if tag == _PARAGRAPH:
            yield _paragraph_text(child)
        elif tag == _TABLE:
            yield from _table_rows(child)
        elif tag in _WRAPPERS:
            yield from _blocks(child)


def _table_rows(table: Any) -> Iterator[str]:
    """Each row as its cells' text separated by tabs (a merged cell counts once, and the empty
    paragraphs Word keeps around a cell's content are dropped)."""
    for row in _descendants(table, _ROW):
        cells = _descendants(row, _CELL)
        yield "\t".join("\n".join(_blocks(cell)).strip("\n") for cell in cells)


def _descendants(element: Any, tag: str) -> list[Any]:
    """The `tag` elements under `element` through content-control wrappers only."""
    found = []
    for child in element:
        if child.tag == tag:
            found.append(child)
        elif child.tag in _WRAPPERS:
            found.extend(_descendants(child, tag))
    return found


def _paragraph_text(paragraph: Any) -> str:
    parts: list[str] = []
    _collect(paragraph, parts)
    return "".join(parts)


def _collect(element: Any, parts: list[str]) -> None:
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIPPED:
            continue
        if tag == _TEXT:
            parts.append(child.text or "")
        elif tag in _TABS:
            parts.append("\t")
        elif tag in _BREAKS:
            parts.append("\n")
        elif tag == _PARAGRAPH:  # a paragraph inside a text box
            parts.append("\n")
            _collect(child, parts)
        else:
            _collect(child, parts)
