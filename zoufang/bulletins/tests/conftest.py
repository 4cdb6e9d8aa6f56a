"""Helpers for the bulletin tests: writing and publishing bulletins, real small files."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zoufang.bulletins.services import bulletin_create, bulletin_transition

BODY = "城关派出所组织民警深入辖区企业开展走访，听取意见建议。\n现场发放反诈宣传资料200余份。"


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real PNG picture (red pixels), built with zlib and struct."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def docx_bytes(text: str = "走访情况汇总") -> bytes:
    """A real .docx written by python-docx."""
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> Any:
    """An uploaded file as a form or a service receives it."""
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def write(city: Any, campaign: Any) -> Any:
    """`write(title, body=..., unit=station_a, actor=officer, submit=False)` writes a bulletin."""

    def _write(
        title: str = "城关派出所走访辖区企业",
        body: str = BODY,
        unit: Any = None,
        actor: Any = None,
        **kw: Any,
    ) -> Any:
        return bulletin_create(
            actor=actor or city.user("officer"),
            campaign=kw.pop("campaign", campaign),
            unit=unit or city.station_a,
            kind=kw.pop("kind", "activity_report"),
            title=title,
            body=body,
            **kw,
        )

    return _write


@pytest.fixture
def publish(city: Any, write: Any) -> Any:
    """`publish(title, body=..., unit=..., actor=...)` writes, submits and adopts a bulletin."""

    def _publish(*args: Any, **kw: Any) -> Any:
        bulletin = write(*args, submit=True, **kw)
        return bulletin_transition(
            actor=city.user("city_admin"), bulletin_id=bulletin.pk, action="adopt"
        )

    return _publish
