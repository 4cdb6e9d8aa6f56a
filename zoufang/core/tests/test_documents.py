"""Reading uploaded plans: .txt in UTF-8 (with or without BOM) or GB18030, and .docx."""

from __future__ import annotations

import codecs
import io
import zipfile
from collections.abc import Iterator

import docx
import pytest
from django.utils import translation
from docx.enum.text import WD_BREAK
from docx.oxml import parse_xml

from zoufang.core.documents import MAX_UNPACKED_BYTES, DocumentError, read_text

PLAN = "江州市公安局关于开展“大走访”活动的工作方案\n一、指导思想\n坚持以人民为中心。\n"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def docx_bytes(document: object) -> bytes:
    stream = io.BytesIO()
    document.save(stream)  # type: ignore[attr-defined]
    return stream.getvalue()


def sample_plan() -> bytes:
    """A plan with a title, numbered headings, a table with merged cells and a numbered list."""
    document = docx.Document()
    document.add_heading("临川县公安局大走访活动工作方案", level=0)
    document.add_heading("一、指导思想", level=1)
    document.add_paragraph("坚持以人民为中心，深入开展大走访活动。")
    document.add_heading("二、组织领导", level=1)
    table = document.add_table(rows=3, cols=3)
    for row, values in enumerate(
        (("职务", "姓名", "单位"), ("组长", "张三", "县局"), ("副组长", "李四", ""))
    ):
        for column, value in enumerate(values):
            table.cell(row, column).text = value
    # 李四 heads two units: merge the last row's second and third cells.
    table.cell(2, 1).merge(table.cell(2, 2))
    document.add_heading("三、工作要求", level=1)
    document.add_paragraph("严明工作纪律", style="List Number")
    paragraph = document.add_paragraph("第一行\t缩进")
    paragraph.add_run().add_break(WD_BREAK.LINE)
    paragraph.add_run("第二行")
    document.add_paragraph("")
    document.add_paragraph("（完）")
    return docx_bytes(document)


class TestDocx:
    def test_paragraphs_headings_and_tables_in_order(self) -> None:
        text = read_text(data=sample_plan(), filename="方案.docx")
        assert text.split("\n") == [
            "临川县公安局大走访活动工作方案",
            "一、指导思想",
            "坚持以人民为中心，深入开展大走访活动。",
            "二、组织领导",
            "职务\t姓名\t单位",
            "组长\t张三\t县局",
            "副组长\t李四",  # the merged cell once
            "三、工作要求",
            "严明工作纪律",  # Word's automatic number is formatting, not text
            "第一行\t缩进",
            "第二行",
            "",
            "（完）",
        ]

    def test_upper_case_suffix_and_path(self) -> None:
        assert read_text(data=sample_plan(), filename="C:/上传/方案.DOCX").startswith("临川县")

    def test_nested_table_content_controls_and_tracked_changes(self) -> None:
        document = docx.Document()
        outer = document.add_table(rows=1, cols=2)
        outer.cell(0, 0).text = "外层"
        inner = outer.cell(0, 1).add_table(rows=1, cols=2)
        inner.cell(0, 0).text = "甲"
        inner.cell(0, 1).text = "乙"
        body = document.element.body
        body.insert(
            len(body) - 1,  # before the section properties
            parse_xml(
                f'<w:sdt xmlns:w="{W_NS}"><w:sdtContent><w:p><w:r><w:t>控件内文字</w:t></w:r>'
                "</w:p></w:sdtContent></w:sdt>"
            ),
        )
        body.insert(
            len(body) - 1,
            parse_xml(
                f'<w:p xmlns:w="{W_NS}"><w:r><w:t>保留</w:t></w:r>'
                "<w:del><w:r><w:delText>删掉的</w:delText></w:r></w:del>"
                "<w:ins><w:r><w:t>插入的</w:t></w:r></w:ins></w:p>"
            ),
        )
        body.insert(
            len(body) - 1,
            parse_xml(
                f'<w:p xmlns:w="{W_NS}" xmlns:mc="{MC_NS}"><w:r><w:t>正文</w:t></w:r>'
                "<w:r><mc:AlternateContent><mc:Choice><w:txbxContent><w:p><w:r><w:t>框内</w:t>"
                "</w:r></w:p></w:txbxContent></mc:Choice><mc:Fallback><w:txbxContent><w:p>"
                "<w:r><w:t>框内</w:t></w:r></w:p></w:txbxContent></mc:Fallback>"
                "</mc:AlternateContent></w:r></w:p>"
            ),
        )
        text = read_text(data=docx_bytes(document), filename="a.docx")
        assert text.split("\n") == [
            "外层\t甲\t乙",
            "控件内文字",
            "保留插入的",
            "正文",
            "框内",  # a text box's paragraph, once: its fallback copy is skipped
        ]
        assert "删掉的" not in text

    def test_empty_document(self) -> None:
        assert read_text(data=docx_bytes(docx.Document()), filename="空.docx") == ""

    @pytest.mark.parametrize(
        "data",
        [b"", b"not a zip at all", sample_plan()[:500], b"PK\x03\x04" + b"\x00" * 100],
        ids=["empty", "text", "truncated", "bad-zip"],
    )
    def test_damaged(self, data: bytes) -> None:
        with pytest.raises(DocumentError, match=r"damaged or is not a Word \.docx file"):
            read_text(data=data, filename="坏.docx")

    def test_zip_that_is_not_word(self) -> None:
        stream = io.BytesIO()
        with zipfile.ZipFile(stream, "w") as archive:
            archive.writestr("hello.txt", "你好")
        with pytest.raises(DocumentError, match="damaged"):
            read_text(data=stream.getvalue(), filename="x.docx")

    def test_zip_bomb(self) -> None:
        stream = io.BytesIO()
        with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("word/document.xml", b"\x00" * (MAX_UNPACKED_BYTES + 1))
        with pytest.raises(DocumentError, match="too large"):
            read_text(data=stream.getvalue(), filename="炸弹.docx")

    def test_error_is_a_value_error_with_a_message(self) -> None:
        with pytest.raises(ValueError) as caught:
            read_text(data=b"x", filename="坏.docx")
        assert isinstance(caught.value, DocumentError)
        assert caught.value.message == "“坏.docx” is damaged or is not a Word .docx file"


class TestTxt:
    @pytest.mark.parametrize(
        "data",
        [
            PLAN.encode("utf-8"),
            codecs.BOM_UTF8 + PLAN.encode("utf-8"),
            PLAN.encode("gb18030"),
            PLAN.encode("utf-16"),  # with its byte order mark
        ],
        ids=["utf-8", "utf-8-bom", "gb18030", "utf-16-bom"],
    )
    def test_encodings(self, data: bytes) -> None:
        assert read_text(data=data, filename="plan.txt") == PLAN

    def test_gb18030_beyond_gbk(self) -> None:
        # A character GBK lacks (four bytes in GB18030).
        text = "𠀀字与€符号"
        assert read_text(data=text.encode("gb18030"), filename="a.TXT") == text

    def test_line_endings(self) -> None:
        data = "第一行\r\n第二行\r第三行\n".encode()
        assert read_text(data=data, filename="a.txt") == "第一行\n第二行\n第三行\n"

    def test_empty(self) -> None:
        assert read_text(data=b"", filename="a.txt") == ""

    @pytest.mark.parametrize(
        "data",
        [
            b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
            b"%PDF-1.7 ...",
            sample_plan(),  # a .docx renamed to .txt
            "正文\x00正文".encode(),
            bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16, 17]) * 20,
        ],
        ids=["png", "pdf", "docx", "nul", "controls"],
    )
    def test_binary_refused(self, data: bytes) -> None:
        with pytest.raises(DocumentError, match="is not a text file"):
            read_text(data=data, filename="a.txt")

    def test_undecodable(self) -> None:
        with pytest.raises(DocumentError, match="neither UTF-8 nor GB18030"):
            read_text(data="正文".encode() + b"\xff\x80", filename="a.txt")

    def test_broken_utf8_after_bom(self) -> None:
        with pytest.raises(DocumentError, match="neither UTF-8 nor GB18030"):
            read_text(data=codecs.BOM_UTF8 + b"\xc3\x28", filename="a.txt")


class TestOtherTypes:
    def test_doc(self) -> None:
        with pytest.raises(DocumentError, match=r"old Word \.doc file: save it as \.docx"):
            read_text(data=b"\xd0\xcf\x11\xe0", filename="方案.doc")

    @pytest.mark.parametrize("filename", ["方案.pdf", "方案", "方案.txt.exe", ".docx.zip"])
    def test_unsupported(self, filename: str) -> None:
        with pytest.raises(DocumentError, match=r"only \.txt and \.docx files are supported"):
            read_text(data=b"abc", filename=filename)

    def test_message_is_translated(self) -> None:
        with translation.override("zh-hans"), pytest.raises(DocumentError) as caught:
            read_text(data=b"abc", filename="方案.pdf")
        assert "方案.pdf" in caught.value.message
