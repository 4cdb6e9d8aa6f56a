"""Checking a bulletin's pictures and attachments by their content, not their names.

Pictures: PNG, JPEG, GIF or WebP, recognised by their first bytes and header (width and
height are read from it, at most 20,000 pixels a side); at most 5 MB each and 9 per
bulletin. SVG is refused (it can carry scripts), and so are HEIC and everything else.

Attachments: at most 10 MB each and 10 per bulletin, and only these, where the extension
and the content must agree:

| extension        | content                                                              |
|------------------|----------------------------------------------------------------------|
| .pdf             | `%PDF-` within the first 1 KB                                         |
| .docx / .xlsx    | a ZIP (Office Open XML) holding word/document.xml / xl/workbook.xml  |
| .doc / .xls      | an OLE2 compound file naming its WordDocument / Workbook stream      |
| .jpg .jpeg .png  | a JPEG / PNG picture, as above                                        |

Office files with macros (vbaProject.bin, _VBA_PROJECT) are refused. Archives (.zip, .rar,
.7z) are refused: what they hold cannot be checked and may be programs. The stored name is
random; the uploader's file name is kept only for the download's Content-Disposition.
"""

from __future__ import annotations

import io
import struct
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MB = 1024 * 1024
IMAGE_MAX_BYTES = 5 * MB
IMAGES_MAX = 9
IMAGE_MAX_SIDE = 20_000
ATTACHMENT_MAX_BYTES = 10 * MB
ATTACHMENTS_MAX = 10
MAX_UNPACKED_BYTES = 100 * MB
IMAGE_ACCEPT = "image/png,image/jpeg,image/gif,image/webp"
ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png")

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
JPEG_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})


@dataclass(frozen=True)
class ImageInfo:
    """What a picture's header says."""

    content_type: str
    extension: str
    width: int
    height: int


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed its checks: its bytes and what is stored about it."""

    data: bytes
    name: str
    extension: str
    content_type: str
    width: int | None = None
    height: int | None = None

    @property
    def size(self) -> int:
        """Its size in bytes."""
        return len(self.data)


# --- pictures ----------------------------------------------------------------------------


def _png(data: bytes) -> ImageInfo | None:
    if not data.startswith(b"\x89PNG\r\n\x1a\n") or data[12:16] != b"IHDR" or len(data) < 24:
        return None
    width, height = struct.unpack(">II", data[16:24])
    return ImageInfo("image/png", ".png", width, height)


def _gif(data: bytes) -> ImageInfo | None:
    if data[:6] not in (b"GIF87a", b"GIF89a") or len(data) < 10:
        return None
    width, height = struct.unpack("<HH", data[6:10])
    return ImageInfo("image/gif", ".gif", width, height)


def _jpeg(data: bytes) -> ImageInfo | None:
    if not data.startswith(b"\xff\xd8\xff"):
        return None
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7:  # markers without a length
            i += 2
            continue
        if marker in JPEG_SOF:
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return ImageInfo("image/jpeg", ".jpg", width, height)
        if marker in (0xD9, 0xDA):  # end of image or start of scan before any frame header
            return None
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        i += 2 + length
    return None


def _webp(data: bytes) -> ImageInfo | None:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP" or len(data) < 30:
        return None
    chunk = data[12:16]
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return ImageInfo("image/webp", ".webp", width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8L" and data[20] == 0x2F:
        b = data[21:25]
        width = 1 + (((b[1] & 0x3F) << 8) | b[0])
        height = 1 + (((b[3] & 0x0F) << 10) | (b[2] << 2) | ((b[1] & 0xC0) >> 6))
        return ImageInfo("image/webp", ".webp", width, height)
    if chunk == b"VP8X":
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
        return ImageInfo("image/webp", ".webp", width, height)
    return None


def sniff_image(data: bytes) -> ImageInfo | None:
    """The picture's type and size from its first bytes, or None if it is not one we take."""
    for reader in (_png, _jpeg, _gif, _webp):
        info = reader(data)
        if info is not None:
            return info if info.width > 0 and info.height > 0 else None
    return None


# --- reading uploads -----------------------------------------------------------------------


def clean_filename(name: str, *, fallback: str = "file") -> str:
    """The file name without folders or control characters, at most 200 characters."""
    base = PurePosixPath((name or "").replace("\\", "/")).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip(" .")
    if not base:
        return fallback
    if len(base) > 200:
        suffix = PurePosixPath(base).suffix[:20]
        base = base[: 200 - len(suffix)] + suffix
    return base


def _read(upload: Any, limit: int) -> tuple[bytes, str]:
    """The upload's bytes (refused above `limit`) and its cleaned name."""
    name = clean_filename(getattr(upload, "name", "") or "")
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            _("“%(name)s” is larger than %(max)s MB") % {"name": name, "max": limit // MB},
            code="too_large",
        )
    if not data:
        raise ValidationError(_("“%(name)s” is empty") % {"name": name}, code="empty")
    return data, name


def check_image(upload: Any) -> CheckedFile:
    """A picture upload, checked: PNG, JPEG, GIF or WebP by content, at most 5 MB."""
    data, name = _read(upload, IMAGE_MAX_BYTES)
    info = sniff_image(data)
    if info is None:
        raise ValidationError(
            _("“%(name)s” is not a PNG, JPEG, GIF or WebP picture") % {"name": name},
            code="not_image",
        )
    if info.width > IMAGE_MAX_SIDE or info.height > IMAGE_MAX_SIDE:
        raise ValidationError(
            _("“%(name)s” is too large a picture (at most %(max)s pixels a side)")
            % {"name": name, "max": IMAGE_MAX_SIDE},
            code="too_many_pixels",
        )
    return CheckedFile(
        data=data,
        name=name,
        extension=info.extension,
        content_type=info.content_type,
        width=info.width,
        height=info.height,
    )


# --- attachments ---------------------------------------------------------------------------


def _ooxml_kind(data: bytes) -> str | None:
    """`.docx` or `.xlsx` for an Office Open XML package, `macro` if it has macros."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    names = {info.filename for info in infos}
    if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return "macro"
    if "word/document.xml" in names:
        return ".docx"
    if "xl/workbook.xml" in names:
        return ".xlsx"
    return None


def _ole2_kind(data: bytes) -> str | None:
    """`.doc` or `.xls` for an OLE2 compound file (by its stream names), `macro` if it has
    macros."""
    if not data.startswith(OLE2_MAGIC):
        return None
    if "_VBA_PROJECT".encode("utf-16-le") in data:
        return "macro"
    if "WordDocument".encode("utf-16-le") in data:
        return ".doc"
    if "Workbook".encode("utf-16-le") in data or "Book\x00".encode("utf-16-le") in data:
        return ".xls"
    return None


def _content_matches(extension: str, data: bytes) -> bool | None:
    """Whether the content is what the extension says; None for Office files with macros."""
    if extension == ".pdf":
        return b"%PDF-" in data[:1024]
    if extension in (".docx", ".xlsx"):
        kind = _ooxml_kind(data)
        return None if kind == "macro" else kind == extension
    if extension in (".doc", ".xls"):
        kind = _ole2_kind(data)
        return None if kind == "macro" else kind == extension
    if extension in (".jpg", ".jpeg"):
        info = sniff_image(data)
        return info is not None and info.extension == ".jpg"
    if extension == ".png":
        info = sniff_image(data)
        return info is not None and info.extension == ".png"
    return False


def check_attachment(upload: Any) -> CheckedFile:
    """An attachment upload, checked: an allowed extension whose content agrees, ≤ 10 MB."""
    data, name = _read(upload, ATTACHMENT_MAX_BYTES)
    extension = PurePosixPath(name).suffix.lower()
    if extension not in CONTENT_TYPES:
        raise ValidationError(
            _(
                "“%(name)s”: only PDF, Word (.doc, .docx), Excel (.xls, .xlsx), JPEG and PNG "
                "files may be attached"
            )
            % {"name": name},
            code="extension",
        )
    verdict = _content_matches(extension, data)
    if verdict is None:
        raise ValidationError(
            _("“%(name)s” contains macros, which are not accepted") % {"name": name},
            code="macro",
        )
    if not verdict:
        raise ValidationError(
            _("“%(name)s” is not really a %(ext)s file") % {"name": name, "ext": extension},
            code="content_mismatch",
        )
    return CheckedFile(
        data=data, name=name, extension=extension, content_type=CONTENT_TYPES[extension]
    )


def check_counts(*, images: int, attachments: int) -> None:
    """Refuse more than 9 pictures or 10 attachments on one bulletin."""
    errors: dict[str, list[str]] = {}
    if images > IMAGES_MAX:
        errors["images"] = [_("At most %(max)s pictures per bulletin") % {"max": IMAGES_MAX}]
    if attachments > ATTACHMENTS_MAX:
        errors["attachments"] = [
            _("At most %(max)s attachments per bulletin") % {"max": ATTACHMENTS_MAX}
        ]
    if errors:
        raise ValidationError(errors)
