"""Pictures and attachments are checked by content, size and count."""

from __future__ import annotations

import io
import struct
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from zoufang.bulletins import files
from zoufang.bulletins.models import BulletinAttachment, BulletinImage
from zoufang.bulletins.services import bulletin_update

from .conftest import docx_bytes, png_bytes, upload


def jpeg_bytes(width: int = 640, height: int = 480) -> bytes:
    """The header of a baseline JPEG (APP0 then a frame header)."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


def test_pictures_are_recognised_by_content() -> None:
    assert files.sniff_image(png_bytes(3, 2)) == files.ImageInfo("image/png", ".png", 3, 2)
    assert files.sniff_image(jpeg_bytes()) == files.ImageInfo("image/jpeg", ".jpg", 640, 480)
    gif = b"GIF89a" + struct.pack("<HH", 10, 20) + b"\x00" * 10
    assert files.sniff_image(gif) == files.ImageInfo("image/gif", ".gif", 10, 20)
    webp = b"RIFF" + b"\x00" * 4 + b"WEBPVP8X" + b"\x00" * 8 + (99).to_bytes(3, "little") * 2
    assert files.sniff_image(webp) == files.ImageInfo("image/webp", ".webp", 100, 100)
    assert files.sniff_image(b"<svg xmlns='http://www.w3.org/2000/svg'/>") is None
    assert files.sniff_image(b"%PDF-1.7") is None


def test_a_real_png_is_accepted_whatever_its_name() -> None:
    checked = files.check_image(upload("现场照片.JPG", png_bytes()))
    assert (checked.content_type, checked.extension, checked.width) == ("image/png", ".png", 2)


def test_an_oversize_picture_is_refused() -> None:
    big = png_bytes() + b"\x00" * files.IMAGE_MAX_BYTES
    with pytest.raises(ValidationError, match="5 MB"):
        files.check_image(upload("big.png", big))


def test_a_pdf_is_not_a_picture() -> None:
    with pytest.raises(ValidationError) as error:
        files.check_image(upload("photo.png", b"%PDF-1.4 not a picture"))
    assert error.value.code == "not_image"


def test_a_png_renamed_pdf_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        files.check_attachment(upload("工作总结.pdf", png_bytes()))
    assert error.value.code == "content_mismatch"


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("总结.pdf", b"%PDF-1.7\n1 0 obj\n", "application/pdf"),
        (
            "汇总.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("照片.PNG", png_bytes(), "image/png"),
        ("照片.jpeg", jpeg_bytes(), "image/jpeg"),
        (
            "旧版.doc",
            files.OLE2_MAGIC + b"\x00" * 64 + "WordDocument".encode("utf-16-le"),
            "application/msword",
        ),
    ],
)
def test_allowed_attachments(name: str, data: bytes, content_type: str) -> None:
    checked = files.check_attachment(upload(name, data))
    assert (checked.name, checked.content_type) == (name, content_type)


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("资料.zip", _zip({"a.txt": b"x"}), "extension"),
        ("setup.exe", b"MZ\x90\x00", "extension"),
        ("无扩展名", b"%PDF-1.7", "extension"),
        ("表格.xlsx", docx_bytes(), "content_mismatch"),  # a Word file named .xlsx
        ("表格.docx", _zip({"a.txt": b"x"}), "content_mismatch"),  # a plain zip
        (
            "宏.docx",
            _zip(
                {
                    "[Content_Types].xml": b"<Types/>",
                    "word/document.xml": b"<w/>",
                    "word/vbaProject.bin": b"\x00",
                }
            ),
            "macro",
        ),
        (
            "宏.xls",
            files.OLE2_MAGIC + "Workbook".encode("utf-16-le") + "_VBA_PROJECT".encode("utf-16-le"),
            "macro",
        ),
        ("空.pdf", b"", "empty"),
    ],
)
def test_refused_attachments(name: str, data: bytes, code: str) -> None:
    with pytest.raises(ValidationError) as error:
        files.check_attachment(upload(name, data))
    assert error.value.code == code


def test_an_oversize_attachment_is_refused() -> None:
    big = b"%PDF-1.7" + b"\x00" * files.ATTACHMENT_MAX_BYTES
    with pytest.raises(ValidationError) as error:
        files.check_attachment(upload("大文件.pdf", big))
    assert error.value.code == "too_large"


def test_file_names_lose_folders_and_control_characters() -> None:
    assert files.clean_filename("..\\..\\etc/passwd") == "passwd"
    assert files.clean_filename("活动\x00总结\n.pdf") == "活动总结.pdf"
    assert files.clean_filename("   ") == "file"


@pytest.mark.django_db
def test_the_service_stores_checked_files(write: Any) -> None:
    bulletin = write(
        images=[upload("现场照片.png", png_bytes(4, 3))],
        attachments=[upload("走访汇总.docx", docx_bytes())],
    )
    image = BulletinImage.objects.get(bulletin=bulletin)
    attachment = BulletinAttachment.objects.get(bulletin=bulletin)
    assert (image.content_type, image.width, image.height) == ("image/png", 4, 3)
    assert image.image.name.endswith(".png") and "现场照片" not in image.image.name
    assert attachment.original_name == "走访汇总.docx"
    assert attachment.file.read()[:2] == b"PK"


@pytest.mark.django_db
def test_the_service_refuses_bad_files_and_writes_nothing(write: Any) -> None:
    with pytest.raises(ValidationError) as error:
        write(
            title="不应保存",
            images=[upload("a.png", png_bytes()), upload("b.png", b"GIF87a")],
            attachments=[upload("c.pdf", png_bytes())],
        )
    assert set(error.value.message_dict) == {"images", "attachments"}
    assert not BulletinImage.objects.exists()


@pytest.mark.django_db
def test_at_most_nine_pictures(city: Any, write: Any) -> None:
    with pytest.raises(ValidationError) as error:
        write(images=[upload(f"{i}.png", png_bytes()) for i in range(10)])
    assert "images" in error.value.message_dict
    bulletin = write(images=[upload(f"{i}.png", png_bytes()) for i in range(9)])
    with pytest.raises(ValidationError):
        bulletin_update(
            actor=city.user("officer"),
            bulletin_id=bulletin.pk,
            kind=bulletin.kind,
            title=bulletin.title,
            body=bulletin.body,
            add_images=[upload("10.png", png_bytes())],
        )
    first = bulletin.images.first()
    bulletin_update(
        actor=city.user("officer"),
        bulletin_id=bulletin.pk,
        kind=bulletin.kind,
        title=bulletin.title,
        body=bulletin.body,
        remove_images=[first.pk],
        add_images=[upload("10.png", png_bytes())],
    )
    assert bulletin.images.count() == 9
    assert not bulletin.images.filter(pk=first.pk).exists()
