"""The GB/T 9704-2012 .docx writer: page set-up, grid, fonts, 版头, footers, tables, images."""

from __future__ import annotations

import datetime
import io
import re
import shutil
import subprocess
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Emu, Pt, RGBColor

from zoufang.core.officialdoc import (
    CHAR_SPACE,
    LINE_PITCH_TWIPS,
    Heading1,
    Heading2,
    Image,
    OfficialDocument,
    PageBreak,
    Paragraph,
    Table,
    chinese_date,
    render_docx,
)
from zoufang.notices import charts

ISSUER = "江州市公安局大走访开门评活动办公室"
NUMBER = "江公走访〔2022〕3号"
TITLE = "关于全市公安机关“大走访、开门评”活动第一阶段工作情况的通报"
RECIPIENTS = "各县（市、区）公安局，市局各警种、部门："
BODY = "为深入贯彻落实市局党委部署，2022年3月1日起，全市公安机关开展“大走访、开门评”活动。"
H1 = "一、总体情况"
H2 = "（一）领导重视，组织有力。"
H2_BODY = "各单位主要负责人亲自部署，层层压实责任。"
CAPTION = "表1 各单位走访情况"
FIGURE = "图1 各县（市、区）走访户数"
COPY_TO = "市委政法委，市纪委监委驻市公安局纪检监察组"
MM_TOLERANCE = 0.1
W = qn


def _png() -> bytes:
    """A small chart."""
    return charts.bar_chart_png(
        title="各县（市、区）走访户数",
        labels=["江东区", "江西区", "临江县"],
        values=[1200, 950, 300],
        unit="户",
    )


def _document(**changes: Any) -> OfficialDocument:
    """A stage notice with every kind of block."""
    rows: list[list[Any]] = [
        [i, f"江州市公安局第{i}派出所", i * 3, f"{i / 3:.1f}%"] for i in range(1, 31)
    ]
    values: dict[str, Any] = {
        "issuer": ISSUER,
        "doc_number": NUMBER,
        "title": TITLE,
        "recipients": RECIPIENTS,
        "blocks": [
            Paragraph(BODY),
            Heading1(H1),
            Paragraph("截至3月5日，全市共走访群众12345户，收集意见建议678条。"),
            Heading2(H2, body=H2_BODY),
            Table(header=["序号", "单位", "走访户数", "满意率"], rows=rows, caption=CAPTION),
            Image(png=_png(), width_mm=150, caption=FIGURE),
            PageBreak(),
            Heading1("二、下一步工作要求"),
            Paragraph("各单位要进一步提高认识，确保活动取得实效。"),
        ],
        "signature": "江州市公安局",
        "date": datetime.date(2022, 3, 5),
        "copy_to": COPY_TO,
        "printed_by": ISSUER,
        "printed_date": datetime.date(2022, 3, 6),
    }
    values.update(changes)
    return OfficialDocument(**values)


def _open(data: bytes) -> Any:
    """The .docx bytes opened with python-docx."""
    return docx.Document(io.BytesIO(data))


@pytest.fixture(scope="module")
def data() -> bytes:
    """The rendered sample document."""
    return render_docx(document=_document())


@pytest.fixture(scope="module")
def doc(data: bytes) -> Any:
    """The sample document, opened."""
    return _open(data)


def _paragraph(doc: Any, text: str) -> Any:
    """The body paragraph whose text starts with `text`."""
    for paragraph in doc.paragraphs:
        if paragraph.text.replace("\n", "").startswith(text):
            return paragraph
    raise AssertionError(f"no paragraph starting {text!r}")


def _exact(doc: Any, text: str) -> Any:
    """The last body paragraph whose text is `text`."""
    matches = [p for p in doc.paragraphs if p.text == text]
    assert matches, f"no paragraph {text!r}"
    return matches[-1]


def _east_asia(run: Any) -> str | None:
    """The run's East-Asian font name."""
    fonts = run._r.rPr.find(W("w:rFonts"))
    return None if fonts is None else fonts.get(W("w:eastAsia"))


def _assert_font(paragraph: Any, east_asia: str, size_pt: float) -> None:
    """Every run of the paragraph has the East-Asian font and size."""
    assert paragraph.runs
    for run in paragraph.runs:
        assert _east_asia(run) == east_asia
        assert run.font.size == Pt(size_pt)
        assert run._r.rPr.find(W("w:rFonts")).get(W("w:hint")) == "eastAsia"


# -- Page set-up and grid ----------------------------------------------------------------------


def test_a4_with_the_standard_margins(doc: Any) -> None:
    section = doc.sections[0]
    expected = {
        "page_width": 210,
        "page_height": 297,
        "top_margin": 37,
        "left_margin": 28,
        "right_margin": 26,
        "bottom_margin": 35,
    }
    for name, mm in expected.items():
        assert getattr(section, name).mm == pytest.approx(mm, abs=MM_TOLERANCE), name
    width = Emu(section.page_width - section.left_margin - section.right_margin)
    height = Emu(section.page_height - section.top_margin - section.bottom_margin)
    assert width.mm == pytest.approx(156, abs=MM_TOLERANCE)
    assert height.mm == pytest.approx(225, abs=MM_TOLERANCE)


def test_grid_of_22_lines_of_28_characters(doc: Any) -> None:
    section = doc.sections[0]
    grid = section._sectPr.find(W("w:docGrid"))
    assert grid.get(W("w:type")) == "linesAndChars"
    pitch, char_space = int(grid.get(W("w:linePitch"))), int(grid.get(W("w:charSpace")))
    assert (pitch, char_space) == (LINE_PITCH_TWIPS, CHAR_SPACE) == (579, -842)
    height = Emu(section.page_height - section.top_margin - section.bottom_margin)
    width = Emu(section.page_width - section.left_margin - section.right_margin)
    assert 22 * pitch <= height.twips < 23 * pitch
    # Character pitch = default font size (16 pt) + charSpace / 4096 pt.
    char_pt = 16 + char_space / 4096
    assert 28 * char_pt <= width.pt < 28 * (16 + (char_space + 1) / 4096) + 0.01
    assert 28 * char_pt > width.pt - 0.1


def test_body_lines_are_exactly_one_grid_line(doc: Any) -> None:
    paragraph = _paragraph(doc, BODY)
    fmt = paragraph.paragraph_format
    assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert fmt.line_spacing.twips == LINE_PITCH_TWIPS
    assert 22 * fmt.line_spacing.mm <= 225


# -- Fonts ----------------------------------------------------------------------------------------


def test_title_is_22pt_xiaobiaosong_centred(doc: Any) -> None:
    title = _paragraph(doc, TITLE)
    _assert_font(title, "方正小标宋简体", 22)
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert title.paragraph_format.space_before.twips == 2 * LINE_PITCH_TWIPS


def test_body_is_16pt_fangsong_indented_two_characters(doc: Any) -> None:
    for text in (BODY, "截至3月5日", "各单位要进一步提高认识"):
        paragraph = _paragraph(doc, text)
        _assert_font(paragraph, "仿宋_GB2312", 16)
        assert paragraph.runs[0].font.name == "Times New Roman"
        ind = paragraph._p.pPr.find(W("w:ind"))
        assert ind.get(W("w:firstLineChars")) == "200"
        assert int(ind.get(W("w:firstLine"))) == round(2 * (16 + CHAR_SPACE / 4096) * 20)


def test_heading_fonts(doc: Any) -> None:
    h1 = _paragraph(doc, H1)
    _assert_font(h1, "黑体", 16)
    assert h1.style.style_id == "ZfHeading1"
    assert h1._p.pPr.find(W("w:outlineLvl")).get(W("w:val")) == "0"
    h2 = _paragraph(doc, H2)
    assert [run.text for run in h2.runs] == [H2, H2_BODY]
    assert _east_asia(h2.runs[0]) == "楷体_GB2312"
    assert h2.runs[0].font.size == Pt(16)
    assert _east_asia(h2.runs[1]) == "仿宋_GB2312"
    assert h2._p.pPr.find(W("w:outlineLvl")).get(W("w:val")) == "1"


def test_styles_carry_the_fonts_too(doc: Any) -> None:
    style = doc.styles["公文一级标题"]
    assert style.element.rPr.find(W("w:rFonts")).get(W("w:eastAsia")) == "黑体"
    defaults = doc.styles.element.find(W("w:docDefaults"))
    fonts = defaults.find(".//" + W("w:rFonts"))
    assert fonts.get(W("w:eastAsia")) == "仿宋_GB2312"
    assert fonts.get(W("w:eastAsiaTheme")) is None


# -- 版头, 主送机关, signature ----------------------------------------------------------------


def test_red_header(doc: Any) -> None:
    issuer = doc.paragraphs[0]
    assert issuer.text == ISSUER
    assert issuer.alignment == WD_ALIGN_PARAGRAPH.CENTER
    for run in issuer.runs:
        assert run.font.color.rgb == RGBColor(0xFF, 0, 0)
        assert _east_asia(run) == "方正小标宋简体"
    # 17 characters do not fit at 42 pt: smaller and compressed, within 150 mm.
    run = issuer.runs[0]
    scale = int(run._r.rPr.find(W("w:w")).get(W("w:val")))
    assert 17 * run.font.size.pt * scale / 100 <= 150 / 25.4 * 72
    number = doc.paragraphs[1]
    assert number.text == NUMBER
    assert number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    rule = number._p.pPr.find(W("w:pBdr")).find(W("w:bottom"))
    assert rule.get(W("w:color")) == "FF0000"
    assert rule.get(W("w:val")) == "single"
    assert number.paragraph_format.left_indent in (None, 0)
    assert number.paragraph_format.right_indent in (None, 0)


def test_short_issuer_with_wenjian_is_not_compressed() -> None:
    doc = _open(render_docx(document=_document(issuer="江州市公安局", header_suffix="文件")))
    mark = doc.paragraphs[0]
    assert mark.text == "江州市公安局文件"
    assert mark.runs[0].font.size == Pt(42)
    assert mark.runs[0]._r.rPr.find(W("w:w")) is None


def test_without_red_header_the_title_comes_first() -> None:
    doc = _open(render_docx(document=_document(red_header=False)))
    assert doc.paragraphs[0].text.replace("\n", "") == TITLE
    assert doc.paragraphs[0].paragraph_format.space_before.twips == 0
    assert "FF0000" not in doc.element.xml


def test_recipients_flush_left_after_a_blank_line(doc: Any) -> None:
    paragraph = _paragraph(doc, "各县（市、区）")
    assert paragraph.text == RECIPIENTS
    assert paragraph.paragraph_format.first_line_indent in (None, 0)
    assert paragraph.paragraph_format.space_before.twips == LINE_PITCH_TWIPS
    no_colon = _open(render_docx(document=_document(recipients="各县（市、区）公安局")))
    assert _paragraph(no_colon, "各县（市、区）").text == "各县（市、区）公安局："


def test_signature_and_date_on_the_right(doc: Any) -> None:
    signature = _exact(doc, "江州市公安局")
    date = _exact(doc, "2022年3月5日")
    assert signature.alignment == date.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    date_ind = date._p.pPr.find(W("w:ind"))
    sig_ind = signature._p.pPr.find(W("w:ind"))
    assert date_ind.get(W("w:rightChars")) == "400"  # 右空四字
    # 江州市公安局 (6) over 2022年3月5日 (6): centred, so the same indent.
    assert sig_ind.get(W("w:rightChars")) == "400"
    assert signature.paragraph_format.space_before.twips == 2 * LINE_PITCH_TWIPS
    _assert_font(date, "仿宋_GB2312", 16)


def test_unsealed_signature_keeps_two_characters() -> None:
    doc = _open(render_docx(document=_document(sealed=False, signature="江州市公安局办公室")))
    signature = _exact(doc, "江州市公安局办公室")
    date = _exact(doc, "2022年3月5日")
    assert signature._p.pPr.find(W("w:ind")).get(W("w:rightChars")) == "200"
    # The date starts two characters right of the signature: 2 + 9 − 2 − 6 = 3 from the right.
    assert date._p.pPr.find(W("w:ind")).get(W("w:rightChars")) == "300"


def test_attachment_note() -> None:
    doc = _open(render_docx(document=_document(attachments=["统计表", "汇总表"])))
    first = _paragraph(doc, "附件：1.统计表")
    second = _paragraph(doc, "2.汇总表")
    assert first.paragraph_format.space_before.twips == LINE_PITCH_TWIPS
    assert first.paragraph_format.left_indent == second.paragraph_format.left_indent


def test_chinese_date() -> None:
    assert chinese_date(day=datetime.date(2022, 3, 5)) == "2022年3月5日"
    assert chinese_date(day=datetime.date(2022, 12, 31)) == "2022年12月31日"


# -- Page numbers -----------------------------------------------------------------------------


def test_page_numbers_odd_right_even_left(doc: Any) -> None:
    assert doc.settings.odd_and_even_pages_header_footer is True
    section = doc.sections[0]
    one_char = Pt(14)
    for footer, alignment, number in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "1"),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "2"),
    ):
        assert not footer.is_linked_to_previous
        (paragraph,) = footer.paragraphs
        assert paragraph.text == f"— {number} —"
        assert paragraph.alignment == alignment
        fmt = paragraph.paragraph_format
        if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
            assert fmt.right_indent == one_char
        else:
            assert fmt.left_indent == one_char
        xml = paragraph._p.xml
        assert re.search(r"<w:instrText[^>]*> PAGE </w:instrText>", xml)
        assert [c.get(W("w:fldCharType")) for c in paragraph._p.iter(W("w:fldChar"))] == [
            "begin",
            "separate",
            "end",
        ]
        for run in paragraph._p.iter(W("w:r")):
            assert run.find(W("w:rPr")).find(W("w:sz")).get(W("w:val")) == "28"
            assert run.find(W("w:rPr")).find(W("w:rFonts")).get(W("w:eastAsia")) == "宋体"
    # The 一字线 about 7 mm below the text block (35 mm from the bottom edge).
    assert 24 <= section.footer_distance.mm <= 26


# -- Tables, images, 版记 -------------------------------------------------------------------------


def test_table_with_bold_repeated_header(doc: Any) -> None:
    table = doc.tables[0]
    assert [cell.text for cell in table.rows[0].cells] == ["序号", "单位", "走访户数", "满意率"]
    assert len(table.rows) == 31
    assert table.rows[1].cells[1].text == "江州市公安局第1派出所"
    header = table.rows[0]._tr
    assert header.trPr.find(W("w:tblHeader")) is not None
    for run in table.rows[0].cells[0].paragraphs[0].runs:
        assert run.font.bold
        assert _east_asia(run) == "仿宋_GB2312"
    cell_run = table.rows[1].cells[1].paragraphs[0].runs[0]
    assert not cell_run.font.bold
    assert cell_run.font.size == Pt(14)
    borders = table._tbl.tblPr.find(W("w:tblBorders"))
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        assert borders.find(W(f"w:{side}")).get(W("w:val")) == "single"
    widths = [int(col.get(W("w:w"))) for col in table._tbl.tblGrid.iter(W("w:gridCol"))]
    assert sum(widths) == 8845  # the text width, 156 mm
    assert widths[1] == max(widths)
    caption = _paragraph(doc, CAPTION)
    assert caption._p.getnext() is table._tbl
    assert caption.paragraph_format.keep_with_next


def test_given_column_widths() -> None:
    table = Table(header=["单位", "户数"], rows=[["甲", 1]], column_widths_mm=[100, 30])
    doc = _open(render_docx(document=_document(blocks=[table])))
    grid = doc.tables[0]._tbl.tblGrid
    widths_mm = [int(col.get(W("w:w"))) / 1440 * 25.4 for col in grid.iter(W("w:gridCol"))]
    assert widths_mm == pytest.approx([100, 30], abs=0.05)


def test_adjacent_tables_stay_separate() -> None:
    tables = [Table(header=["甲"], rows=[["1"]]), Table(header=["乙"], rows=[["2"]])]
    doc = _open(render_docx(document=_document(blocks=tables, copy_to=None, printed_by=None)))
    assert [t.rows[0].cells[0].text for t in doc.tables] == ["甲", "乙"]


def test_image_embedded_with_caption(doc: Any) -> None:
    (shape,) = doc.inline_shapes
    assert shape.width.mm == pytest.approx(150, abs=0.1)
    images = [p for p in doc.part.package.iter_parts() if p.content_type == "image/png"]
    assert len(images) == 1
    assert images[0].blob.startswith(b"\x89PNG")
    caption = _paragraph(doc, FIGURE)
    assert caption.alignment == WD_ALIGN_PARAGRAPH.CENTER
    picture_paragraph = caption._p.getprevious()
    assert picture_paragraph.find(".//" + W("w:drawing")) is not None
    spacing = picture_paragraph.pPr.find(W("w:spacing"))
    assert spacing.get(W("w:lineRule")) == "auto"  # exact spacing would crop the picture


def test_wide_image_is_narrowed_to_the_text_block() -> None:
    doc = _open(render_docx(document=_document(blocks=[Image(png=_png(), width_mm=400)])))
    assert doc.inline_shapes[0].width.mm == pytest.approx(156, abs=0.1)


def test_not_an_image() -> None:
    with pytest.raises(ValueError, match="PNG or JPEG"):
        render_docx(document=_document(blocks=[Image(png=b"not a picture", width_mm=50)]))


def test_page_break_starts_the_next_block_on_a_new_page(doc: Any) -> None:
    heading = _paragraph(doc, "二、下一步工作要求")
    assert heading.paragraph_format.page_break_before


def test_colophon(doc: Any) -> None:
    table = doc.tables[-1]
    copy_to, printed = (row.cells[0].text for row in table.rows)
    assert copy_to == f"抄送：{COPY_TO}。"
    assert printed == f"{ISSUER}\t2022年3月6日印发"
    for paragraph in (table.rows[0].cells[0].paragraphs[0], table.rows[1].cells[0].paragraphs[0]):
        _assert_font(paragraph, "仿宋_GB2312", 14)
    borders = table._tbl.tblPr.find(W("w:tblBorders"))
    assert borders.find(W("w:top")).get(W("w:sz")) == "8"  # thick, ≈ 0.35 mm
    assert borders.find(W("w:bottom")).get(W("w:sz")) == "8"
    assert borders.find(W("w:insideH")).get(W("w:sz")) == "6"  # thin, ≈ 0.25 mm
    assert borders.find(W("w:left")).get(W("w:val")) == "nil"
    position = table._tbl.tblPr.find(W("w:tblpPr"))
    assert position.get(W("w:tblpYSpec")) == "bottom"
    assert position.get(W("w:vertAnchor")) == "margin"
    assert table._tbl.getnext().tag == W("w:p")  # anchors the floating table


def test_no_colophon_without_printed_by_or_copy_to() -> None:
    doc = _open(render_docx(document=_document(copy_to=None, printed_by=None)))
    assert len(doc.tables) == 1
    assert doc.paragraphs[-1].text == "2022年3月5日"


# -- Package ----------------------------------------------------------------------------------


def test_core_properties(doc: Any) -> None:
    core = doc.core_properties
    assert core.title == TITLE
    assert core.author == ISSUER
    assert core.created == datetime.datetime(2022, 3, 5, tzinfo=datetime.UTC)
    assert core.identifier == NUMBER


def test_same_input_same_bytes(data: bytes) -> None:
    assert render_docx(document=_document()) == data


def test_concurrent_rendering_matches_serial(data: bytes) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: render_docx(document=_document()), range(4)))
    assert results == [data] * 4


def test_font_table_names_fallbacks(data: bytes) -> None:
    fonts = zipfile.ZipFile(io.BytesIO(data)).read("word/fontTable.xml").decode()
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in fonts
    assert 'w:name="方正小标宋简体"' in fonts


#: Child order of w:pPr and w:rPr in the schema (Word rejects files that break it).
_PPR_ORDER = [
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
]
_RPR_ORDER = [
    "rStyle",
    "rFonts",
    "b",
    "bCs",
    "i",
    "iCs",
    "caps",
    "smallCaps",
    "strike",
    "dstrike",
    "outline",
    "shadow",
    "emboss",
    "imprint",
    "noProof",
    "snapToGrid",
    "vanish",
    "webHidden",
    "color",
    "spacing",
    "w",
    "kern",
    "position",
    "sz",
    "szCs",
    "highlight",
    "u",
    "effect",
    "bdr",
    "shd",
    "fitText",
    "vertAlign",
    "rtl",
    "cs",
    "em",
    "lang",
    "eastAsianLayout",
    "specVanish",
    "oMath",
]


def test_property_elements_in_schema_order(data: bytes) -> None:
    package = zipfile.ZipFile(io.BytesIO(data))
    parts = ["word/document.xml", "word/styles.xml", "word/footer1.xml", "word/footer2.xml"]
    for part in parts:
        root = docx.oxml.parse_xml(package.read(part))
        for tag, order in (("w:pPr", _PPR_ORDER), ("w:rPr", _RPR_ORDER)):
            for element in root.iter(W(tag)):
                names = [child.tag.split("}")[1] for child in element]
                positions = [order.index(name) for name in names]
                assert positions == sorted(positions), (part, names)


# -- Robustness -------------------------------------------------------------------------------


def test_long_document() -> None:
    rows = [[i, f"第{i}单位", i * 1.5, None] for i in range(1, 251)]
    blocks: list[Any] = []
    for chapter in range(1, 4):
        blocks.append(Heading1(f"{'一二三'[chapter - 1]}、第{chapter}部分"))
        blocks.extend(Paragraph("正文" * 60) for _ in range(10))
        blocks.append(Table(header=["序号", "单位", "得分", "备注"], rows=rows))
        blocks.extend(Image(png=_png(), width_mm=120, caption=f"图{chapter}") for _ in range(2))
    doc = _open(render_docx(document=_document(blocks=blocks)))
    assert len(doc.tables) == 4  # three tables and the 版记
    assert len(doc.tables[0].rows) == 251
    assert doc.tables[0].rows[2].cells[2].text == "3"
    assert doc.tables[0].rows[1].cells[2].text == "1.5"
    assert len(doc.inline_shapes) == 6


def test_control_characters_are_dropped() -> None:
    doc = _open(render_docx(document=_document(blocks=[Paragraph("走访\x00情况\x0b良好")])))
    assert _paragraph(doc, "走访").text == "走访情况良好"


# -- LibreOffice (optional) -------------------------------------------------------------------

_SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(_SOFFICE is None, reason="LibreOffice is not installed")
def test_converts_to_a_plausible_pdf(data: bytes, tmp_path: Path) -> None:
    source = tmp_path / "notice.docx"
    source.write_bytes(data)
    subprocess.run(
        [
            str(_SOFFICE),
            "--headless",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = (tmp_path / "notice.pdf").read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    # 版头 + text, a 31-row table, a chart, a page break, signature and 版记.
    assert 3 <= pages <= 8
