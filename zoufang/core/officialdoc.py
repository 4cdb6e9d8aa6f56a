"""Chinese official documents (党政机关公文) as .docx in the layout of GB/T 9704-2012.

A4 paper; margins top 37 mm, left 28 mm, right 26 mm, bottom 35 mm, so the text block is
156 × 225 mm. A line-and-character document grid gives 22 lines of 28 characters: the line
pitch is the text height over 22 rounded down to a twip (579 twips = 28.95 pt) and the
character pitch the text width over 28 (charSpace = (8845 / 20 / 28 − 16) × 4096, rounded
down: −842). Body lines use exact 28.95 pt spacing so that 22 fit in 225 mm.

Fonts are referenced by name (Word on the users' PCs has them): title 方正小标宋简体 22 pt,
body 仿宋_GB2312 16 pt, level-1 headings 黑体, level-2 headings 楷体_GB2312, page numbers
宋体 14 pt as "— N —" (odd pages right, even pages left, one character in). Chinese text gets
the fonts through `w:rFonts/@w:eastAsia` (with `w:hint="eastAsia"` so that quotation marks
and dashes do too); Latin letters and digits use Times New Roman except in the title and the
issuer's mark.

The red 版头 (issuer's mark, document number, red rule), the 版记 (抄送, 印发 with thick and
thin rules, at the foot of the last page) and the signature block follow the standard's
rules; the `_Writer` methods say how.
"""

from __future__ import annotations

import copy
import datetime
import io
import math
import re
import threading
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import docx
from docx.image.exceptions import UnrecognizedImageError
from docx.image.image import Image as DocxImage
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm

__all__ = [
    "CHARS_PER_LINE",
    "CHAR_SPACE",
    "LINES_PER_PAGE",
    "LINE_PITCH_TWIPS",
    "Block",
    "Heading1",
    "Heading2",
    "Image",
    "OfficialDocument",
    "PageBreak",
    "Paragraph",
    "Table",
    "chinese_date",
    "render_docx",
]

# -- Layout (twips: 1/20 pt, 1440 per inch) ---------------------------------------------------

_TWIPS_PER_MM = 1440 / 25.4


def _mm(value: float) -> int:
    """Millimetres in whole twips."""
    return round(value * _TWIPS_PER_MM)


PAGE_WIDTH_TWIPS = _mm(210)  # 11906
PAGE_HEIGHT_TWIPS = _mm(297)  # 16838
MARGIN_TOP_TWIPS = _mm(37)  # 2098 (天头)
MARGIN_BOTTOM_TWIPS = _mm(35)  # 1984
MARGIN_LEFT_TWIPS = _mm(28)  # 1587 (订口)
MARGIN_RIGHT_TWIPS = _mm(26)  # 1474
TEXT_WIDTH_TWIPS = PAGE_WIDTH_TWIPS - MARGIN_LEFT_TWIPS - MARGIN_RIGHT_TWIPS  # 8845 = 156.0 mm
TEXT_HEIGHT_TWIPS = PAGE_HEIGHT_TWIPS - MARGIN_TOP_TWIPS - MARGIN_BOTTOM_TWIPS  # 12756 = 225.0 mm
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
BODY_PT = 16.0  # 3号
TITLE_PT = 22.0  # 2号
PAGE_NUMBER_PT = 14.0  # 4号
COLOPHON_PT = 14.0  # 4号
#: Grid line pitch: the largest whole twip value of which 22 lines fit in the text height.
LINE_PITCH_TWIPS = TEXT_HEIGHT_TWIPS // LINES_PER_PAGE  # 579 = 28.95 pt
#: Grid character pitch relative to the 16 pt default font, in 1/4096 pt, rounded down so
#: that 28 characters fit in the text width.
CHAR_SPACE = math.floor((TEXT_WIDTH_TWIPS / 20 / CHARS_PER_LINE - BODY_PT) * 4096)  # -842
_CHAR_TWIPS = (BODY_PT + CHAR_SPACE / 4096) * 20  # one grid character, ≈ 315.9 twips
#: 一字线 of the page number 7 mm below the text block: footer bottom edge at 35 − 7 mm less
#: half of the 18 pt page-number line.
_FOOTER_LINE_TWIPS = 360
FOOTER_FROM_EDGE_TWIPS = _mm(35 - 7) - _FOOTER_LINE_TWIPS // 2  # 1407 ≈ 24.8 mm
_HEADER_FROM_EDGE_TWIPS = _mm(15)
_ISSUER_TOP_TWIPS = _mm(35)  # top edge of the issuer's mark below the top of the text block
_ISSUER_MAX_PT = 42.0  # 初号
_ISSUER_MIN_PT = 26.0  # 一号
_ISSUER_MIN_SCALE = 70  # horizontal compression (w:w, %) tried before reducing the size
_ISSUER_MAX_WIDTH_PT = 150 / 25.4 * 72  # leave 3 mm either side of the 156 mm block
_RULE_SPACE_PT = 10  # red rule below the document number (≈ 4 mm below the glyphs)
_RED_RULE_EIGHTHS = 18  # 2.25 pt
_COLOPHON_THICK_EIGHTHS = 8  # 1 pt ≈ 0.35 mm
_COLOPHON_THIN_EIGHTHS = 6  # 0.75 pt ≈ 0.26 mm
_TABLE_BORDER_EIGHTHS = 4  # 0.5 pt
_TABLE_CELL_MARGIN_TWIPS = 57  # 1 mm
_MAX_IMAGE_HEIGHT_MM = 200.0

# -- Fonts and colours ------------------------------------------------------------------------

FONT_TITLE = "方正小标宋简体"
FONT_BODY = "仿宋_GB2312"
FONT_HEADING1 = "黑体"
FONT_HEADING2 = "楷体_GB2312"
FONT_PAGE_NUMBER = "宋体"
FONT_LATIN = "Times New Roman"
RED = "FF0000"

# -- The document model -----------------------------------------------------------------------

Cell = str | int | float | Decimal | None


@dataclass(frozen=True)
class Heading1:
    """A level-1 heading such as "一、总体情况" (黑体)."""

    text: str


@dataclass(frozen=True)
class Heading2:
    """A level-2 heading such as "（一）组织有力。" (楷体); `body` continues the paragraph."""

    text: str
    body: str = ""


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph (仿宋, first line indented two characters)."""

    text: str


@dataclass(frozen=True)
class Table:
    """A table with a bold header row repeated on every page; widths are automatic if None."""

    header: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    caption: str | None = None
    column_widths_mm: Sequence[float] | None = None
    font_size_pt: float = 14.0


@dataclass(frozen=True)
class Image:
    """A picture (PNG or JPEG bytes) centred at `width_mm`, with a caption below it."""

    png: bytes
    width_mm: float
    caption: str | None = None


@dataclass(frozen=True)
class PageBreak:
    """Start the next block on a new page."""


Block = Heading1 | Heading2 | Paragraph | Table | Image | PageBreak


@dataclass(frozen=True, kw_only=True)
class OfficialDocument:
    """A 公文: 版头 (issuer, number), title, 主送机关, body blocks, 署名, 成文日期 and 版记.

    `header_suffix` is appended to the issuer in the red 版头 (e.g. "文件"). With `sealed`
    the signature is centred over the date, which keeps four characters from the right;
    without it the signature keeps two characters and the date starts two characters right of
    it. The 版记 (抄送, 印发) is printed when `printed_by` or `copy_to` is set, at the foot of
    the last page unless `colophon_at_bottom` is false.
    """

    issuer: str
    doc_number: str
    title: str
    recipients: str
    blocks: Sequence[Block]
    signature: str
    date: datetime.date
    copy_to: str | None = None
    printed_by: str | None = None
    printed_date: datetime.date | None = None
    red_header: bool = True
    header_suffix: str = ""
    sealed: bool = True
    attachments: Sequence[str] = ()
    colophon_at_bottom: bool = True


def chinese_date(*, day: datetime.date) -> str:
    """A date as the standard writes it: 2022年3月5日 (no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def render_docx(*, document: OfficialDocument) -> bytes:
    """The document as .docx bytes; the same input gives the same bytes."""
    package = docx.Document()
    _setup_package(package, document)
    writer = _Writer(package)
    writer.write(document)
    stream = io.BytesIO()
    package.save(stream)
    return _normalise_zip(stream.getvalue())


# -- Formatting specifications ----------------------------------------------------------------


@dataclass(frozen=True)
class _Font:
    """Run formatting: East-Asian and Latin font, size, bold, colour, horizontal scale."""

    east_asia: str
    latin: str
    size_pt: float
    bold: bool = False
    color: str | None = None
    scale: int = 100


@dataclass(frozen=True)
class _Para:
    """Paragraph formatting; indents and spacing in twips, `chars` writes *Chars indents too."""

    style: str
    jc: str = "both"
    first_line: int = 0
    left: int = 0
    right: int = 0
    hanging: int = 0
    chars: bool = False
    before: int = 0
    line: int = LINE_PITCH_TWIPS
    line_rule: str = "exact"
    snap: bool = True
    keep_next: bool = False
    outline: int | None = None
    bottom_border: tuple[int, int, str] | None = None  # (eighths of a pt, space in pt, colour)
    right_tab: int | None = None


def _chars(count: float) -> int:
    """`count` grid characters in twips."""
    return round(count * _CHAR_TWIPS)


_BODY_FONT = _Font(FONT_BODY, FONT_LATIN, BODY_PT)
_TITLE_FONT = _Font(FONT_TITLE, FONT_TITLE, TITLE_PT)
_H1_FONT = _Font(FONT_HEADING1, FONT_LATIN, BODY_PT)
_H2_FONT = _Font(FONT_HEADING2, FONT_LATIN, BODY_PT)
_CAPTION_FONT = _Font(FONT_HEADING1, FONT_LATIN, 14.0)
_COLOPHON_FONT = _Font(FONT_BODY, FONT_LATIN, COLOPHON_PT)
_PAGE_NUMBER_FONT = _Font(FONT_PAGE_NUMBER, FONT_PAGE_NUMBER, PAGE_NUMBER_PT)

_BODY = _Para("ZfBody", first_line=_chars(2), chars=True)
_H1 = _Para("ZfHeading1", first_line=_chars(2), chars=True, keep_next=True, outline=0)
_H2 = _Para("ZfHeading2", first_line=_chars(2), chars=True, keep_next=True, outline=1)
_TITLE = _Para("ZfTitle", jc="center", snap=False)
_RECIPIENTS = _Para("ZfRecipients", jc="both")
_ISSUER = _Para("ZfIssuer", jc="center", snap=False)
_DOC_NUMBER = _Para("ZfDocNumber", jc="center", snap=False, line=360)
_SIGNATURE = _Para("ZfSignature", jc="right")
_CAPTION = _Para("ZfCaption", jc="center", snap=False)
_IMAGE = _Para("ZfImage", jc="center", snap=False, line=240, line_rule="auto")
_TABLE_TEXT = _Para("ZfTableText", jc="left", snap=False, line=280)
_COLOPHON = _Para("ZfColophon", jc="left", snap=False)
_SPACER = _Para("ZfBody", line=20, snap=False)  # a 1 pt paragraph
_SPACER_FONT = _Font(FONT_BODY, FONT_LATIN, 1.0)
_PAGE_NUMBER = _Para("ZfPageNumber", jc="right", snap=False, line=_FOOTER_LINE_TWIPS)

#: (style id, UI name, paragraph spec, font) of the styles the document defines.
_STYLES: tuple[tuple[str, str, _Para, _Font], ...] = (
    ("ZfBody", "公文正文", _BODY, _BODY_FONT),
    ("ZfHeading1", "公文一级标题", _H1, _H1_FONT),
    ("ZfHeading2", "公文二级标题", _H2, _H2_FONT),
    ("ZfTitle", "公文标题", _TITLE, _TITLE_FONT),
    ("ZfRecipients", "主送机关", _RECIPIENTS, _BODY_FONT),
    ("ZfIssuer", "发文机关标志", _ISSUER, _Font(FONT_TITLE, FONT_TITLE, 42.0, color=RED)),
    ("ZfDocNumber", "发文字号", _DOC_NUMBER, _BODY_FONT),
    ("ZfSignature", "署名和成文日期", _SIGNATURE, _BODY_FONT),
    ("ZfCaption", "图表标题", _CAPTION, _CAPTION_FONT),
    ("ZfImage", "图片", _IMAGE, _BODY_FONT),
    ("ZfTableText", "表格文字", _TABLE_TEXT, _Font(FONT_BODY, FONT_LATIN, 14.0)),
    ("ZfColophon", "版记", _COLOPHON, _COLOPHON_FONT),
    ("ZfPageNumber", "公文页码", _PAGE_NUMBER, _PAGE_NUMBER_FONT),
)

# -- XML building -------------------------------------------------------------------------------


def _el(tag: str, **attrs: object) -> Any:
    """A `w:` element with `w:` attributes (None values are left out)."""
    element = OxmlElement(tag)
    for name, value in attrs.items():
        if value is not None:
            element.set(qn(f"w:{name}"), str(value))
    return element


def _sub(parent: Any, tag: str, **attrs: object) -> Any:
    """Append a new `w:` element to `parent` and return it."""
    child = _el(tag, **attrs)
    parent.append(child)
    return child


_TEMPLATES = threading.local()  # per thread: lxml trees are best not shared between threads


def _cached(key: tuple[object, ...], build: Callable[[], Any]) -> Any:
    """A copy of the element built for `key` (tables can have thousands of cells)."""
    cache: dict[tuple[object, ...], Any] | None = getattr(_TEMPLATES, "cache", None)
    if cache is None:
        cache = _TEMPLATES.cache = {}
    if key not in cache:
        if len(cache) > 512:
            cache.clear()
        cache[key] = build()
    return copy.deepcopy(cache[key])


def _rpr(font: _Font) -> Any:
    """`w:rPr` for a font."""
    return _cached(("rPr", font), lambda: _build_rpr(font))


def _ppr(spec: _Para, *, with_style: bool = True, page_break_before: bool = False) -> Any:
    """`w:pPr` for a paragraph spec."""
    return _cached(
        ("pPr", spec, with_style, page_break_before),
        lambda: _build_ppr(spec, with_style, page_break_before),
    )


def _build_rpr(font: _Font) -> Any:
    """`w:rPr` for a font, children in schema order."""
    rpr = _el("w:rPr")
    _sub(
        rpr,
        "w:rFonts",
        ascii=font.latin,
        hAnsi=font.latin,
        eastAsia=font.east_asia,
        cs=font.latin,
        hint="eastAsia",
    )
    if font.bold:
        _sub(rpr, "w:b")
        _sub(rpr, "w:bCs")
    if font.color:
        _sub(rpr, "w:color", val=font.color)
    if font.scale != 100:
        _sub(rpr, "w:w", val=font.scale)
    half_points = round(font.size_pt * 2)
    _sub(rpr, "w:sz", val=half_points)
    _sub(rpr, "w:szCs", val=half_points)
    return rpr


def _build_ppr(spec: _Para, with_style: bool, page_break_before: bool) -> Any:
    """`w:pPr` for a paragraph spec, children in schema order."""
    ppr = _el("w:pPr")
    if with_style:
        _sub(ppr, "w:pStyle", val=spec.style)
    if spec.keep_next:
        _sub(ppr, "w:keepNext")
    if page_break_before:
        _sub(ppr, "w:pageBreakBefore")
    _sub(ppr, "w:widowControl", val=0)
    if spec.bottom_border:
        size, space, color = spec.bottom_border
        borders = _sub(ppr, "w:pBdr")
        _sub(borders, "w:bottom", val="single", sz=size, space=space, color=color)
    if spec.right_tab is not None:
        tabs = _sub(ppr, "w:tabs")
        _sub(tabs, "w:tab", val="right", pos=spec.right_tab)
    _sub(ppr, "w:snapToGrid", val=1 if spec.snap else 0)
    _sub(ppr, "w:spacing", before=spec.before, after=0, line=spec.line, lineRule=spec.line_rule)
    ind = _sub(ppr, "w:ind")
    if spec.chars:
        if spec.left:
            ind.set(qn("w:leftChars"), str(round(spec.left / _CHAR_TWIPS * 100)))
        if spec.right:
            ind.set(qn("w:rightChars"), str(round(spec.right / _CHAR_TWIPS * 100)))
        if spec.first_line:
            ind.set(qn("w:firstLineChars"), str(round(spec.first_line / _CHAR_TWIPS * 100)))
        if spec.hanging:
            ind.set(qn("w:hangingChars"), str(round(spec.hanging / _CHAR_TWIPS * 100)))
    ind.set(qn("w:left"), str(spec.left))
    ind.set(qn("w:right"), str(spec.right))
    if spec.hanging:
        ind.set(qn("w:hanging"), str(spec.hanging))
    else:
        ind.set(qn("w:firstLine"), str(spec.first_line))
    _sub(ppr, "w:jc", val=spec.jc)
    if spec.outline is not None:
        _sub(ppr, "w:outlineLvl", val=spec.outline)
    return ppr


_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    """Text safe for XML, with Windows and old-Mac line ends as newlines."""
    return _INVALID_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _run(text: str, font: _Font) -> Any:
    """A `w:r` with `text`; newlines become line breaks and tabs tab characters."""
    run = _el("w:r")
    run.append(_rpr(font))
    for index, line in enumerate(_clean(text).split("\n")):
        if index:
            _sub(run, "w:br")
        for part_index, part in enumerate(line.split("\t")):
            if part_index:
                _sub(run, "w:tab")
            if part:
                t = _sub(run, "w:t")
                t.text = part
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return run


def _paragraph(
    spec: _Para,
    runs: Sequence[tuple[str, _Font]],
    *,
    page_break_before: bool = False,
    mark_font: _Font | None = None,
) -> Any:
    """A `w:p` with formatting and runs; `mark_font` formats the paragraph mark."""
    p = _el("w:p")
    ppr = _ppr(spec, page_break_before=page_break_before)
    font = mark_font or (runs[0][1] if runs else None)
    if font is not None:
        ppr.append(_rpr(font))
    p.append(ppr)
    for text, run_font in runs:
        if text:
            p.append(_run(text, run_font))
    return p


def _width_chars(text: str) -> float:
    """Approximate width in characters: full-width (and ambiguous) 1, others ½."""
    return sum(
        1.0 if unicodedata.east_asian_width(char) in "WFA" else 0.5 for char in text if char != "\n"
    )


_NUMERIC = re.compile(r"[-+]?(\d[\d,]*(\.\d+)?|\.\d+)\s*[%‰]?|[-—–/]+")


def _cell_text(value: Cell) -> str:
    """A table cell as text; integral numbers without decimals."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value):
            return str(int(value))
        return f"{value:.2f}".rstrip("0").rstrip(".")
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


# -- The writer -------------------------------------------------------------------------------


class _Writer:
    """Appends the document's paragraphs and tables to a python-docx document body."""

    def __init__(self, package: Any) -> None:
        self.package = package
        body = package.element.body
        self.sect_pr = body.find(qn("w:sectPr"))
        for child in list(body):
            if child is not self.sect_pr:
                body.remove(child)
        self.page_break_pending = False
        self.last_was_table = False

    def write(self, document: OfficialDocument) -> None:
        """Write the whole document: 版头, title, body, signature, 版记, page numbers."""
        if document.red_header:
            self.red_header(document)
        self.title(document.title, first=not document.red_header)
        if document.recipients.strip():
            self.recipients(document.recipients)
        for block in document.blocks:
            self.block(block)
        if document.attachments:
            self.attachments(document.attachments)
        self.signature(document)
        if document.printed_by or document.copy_to:
            self.colophon(document)
            # The body ends with a paragraph, which also anchors the floating 版记 table.
            self.append(_paragraph(_SPACER, [], mark_font=_SPACER_FONT))
        self.page_numbers()

    # Elements

    def append(self, element: Any) -> None:
        """Add a paragraph or table at the end of the body."""
        self.sect_pr.addprevious(element)
        self.last_was_table = element.tag == qn("w:tbl")

    def para(self, spec: _Para, runs: Sequence[tuple[str, _Font]]) -> None:
        """Add a paragraph, taking any pending page break."""
        self.append(_paragraph(spec, runs, page_break_before=self.page_break_pending))
        self.page_break_pending = False

    def red_header(self, document: OfficialDocument) -> None:
        """The red 版头: issuer's mark 35 mm down, document number two lines below, red rule."""
        mark = _clean(document.issuer + document.header_suffix).replace("\n", "")
        size, scale = _issuer_size(mark)
        line = round(size * 1.25 * 20)
        before = _ISSUER_TOP_TWIPS - (line - round(size * 20)) // 2
        spec = _Para("ZfIssuer", jc="center", snap=False, before=before, line=line)
        self.para(spec, [(mark, _Font(FONT_TITLE, FONT_TITLE, size, color=RED, scale=scale))])
        number = _Para(
            "ZfDocNumber",
            jc="center",
            snap=False,
            before=2 * LINE_PITCH_TWIPS,
            line=360,
            bottom_border=(_RED_RULE_EIGHTHS, _RULE_SPACE_PT, RED),
        )
        self.para(number, [(document.doc_number, _BODY_FONT)])

    def title(self, text: str, *, first: bool) -> None:
        """The title, centred, two blank lines below the red rule."""
        before = 0 if first else 2 * LINE_PITCH_TWIPS
        self.para(_Para("ZfTitle", jc="center", snap=False, before=before), [(text, _TITLE_FONT)])

    def recipients(self, text: str) -> None:
        """The 主送机关 line, flush left one blank line below the title, ending with "："."""
        text = text.rstrip()
        if text.endswith(":"):
            text = text[:-1]
        if not text.endswith("："):
            text += "："
        self.para(_Para("ZfRecipients", before=LINE_PITCH_TWIPS), [(text, _BODY_FONT)])

    def block(self, block: Block) -> None:
        """One body block."""
        if isinstance(block, PageBreak):
            self.page_break_pending = True
        elif isinstance(block, Heading1):
            self.para(_H1, [(block.text, _H1_FONT)])
        elif isinstance(block, Heading2):
            self.para(_H2, [(block.text, _H2_FONT), (block.body, _BODY_FONT)])
        elif isinstance(block, Paragraph):
            self.para(_BODY, [(block.text, _BODY_FONT)])
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, Image):
            self.image(block)
        else:
            raise TypeError(f"not a block: {block!r}")

    def table(self, table: Table) -> None:
        """A bordered table, full text width unless widths are given, with its caption above."""
        header = [_cell_text(cell) for cell in table.header]
        rows = [[_cell_text(cell) for cell in row] for row in table.rows]
        columns = max([len(header), *(len(row) for row in rows)])
        if not columns:
            return
        header += [""] * (columns - len(header))
        rows = [row + [""] * (columns - len(row)) for row in rows]
        if table.caption:
            caption = _Para("ZfCaption", jc="center", snap=False, keep_next=True)
            self.para(caption, [(table.caption, _CAPTION_FONT)])
        elif self.page_break_pending or self.last_was_table:
            # A table cannot break the page itself, and adjacent tables would merge.
            self.append(
                _paragraph(
                    _SPACER, [], page_break_before=self.page_break_pending, mark_font=_SPACER_FONT
                )
            )
            self.page_break_pending = False
        widths = _column_widths(table, header, rows, columns)
        font = _Font(FONT_BODY, FONT_LATIN, table.font_size_pt)
        bold = _Font(FONT_BODY, FONT_LATIN, table.font_size_pt, bold=True)
        line = round(table.font_size_pt * 1.4 * 20)
        tbl = _el("w:tbl")
        tbl_pr = _sub(tbl, "w:tblPr")
        _sub(tbl_pr, "w:tblW", w=sum(widths), type="dxa")
        _sub(tbl_pr, "w:jc", val="center")
        borders = _sub(tbl_pr, "w:tblBorders")
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
            _sub(
                borders,
                f"w:{side}",
                val="single",
                sz=_TABLE_BORDER_EIGHTHS,
                space=0,
                color="000000",
            )
        _sub(tbl_pr, "w:tblLayout", type="fixed")
        margins = _sub(tbl_pr, "w:tblCellMar")
        for side in ("top", "left", "bottom", "right"):
            width = 0 if side in ("top", "bottom") else _TABLE_CELL_MARGIN_TWIPS
            _sub(margins, f"w:{side}", w=width, type="dxa")
        _sub(
            tbl_pr,
            "w:tblLook",
            val="04A0",
            firstRow=1,
            lastRow=0,
            firstColumn=0,
            lastColumn=0,
            noHBand=0,
            noVBand=1,
        )
        grid = _sub(tbl, "w:tblGrid")
        for width in widths:
            _sub(grid, "w:gridCol", w=width)
        for index, cells in enumerate([header, *rows]):
            is_header = index == 0
            tr = _sub(tbl, "w:tr")
            tr_pr = _sub(tr, "w:trPr")
            _sub(tr_pr, "w:cantSplit")
            if is_header:
                _sub(tr_pr, "w:tblHeader")
            for text, width in zip(cells, widths, strict=True):
                tc = _sub(tr, "w:tc")
                tc_pr = _sub(tc, "w:tcPr")
                _sub(tc_pr, "w:tcW", w=width, type="dxa")
                _sub(tc_pr, "w:vAlign", val="center")
                centred = is_header or _NUMERIC.fullmatch(text.strip()) is not None
                spec = _Para(
                    "ZfTableText", jc="center" if centred else "left", snap=False, line=line
                )
                tc.append(_paragraph(spec, [(text, bold if is_header else font)], mark_font=font))
        self.append(tbl)

    def image(self, image: Image) -> None:
        """A centred inline picture with its caption below."""
        try:
            info = DocxImage.from_blob(image.png)
        except UnrecognizedImageError as error:
            raise ValueError("Image.png is not a PNG or JPEG image") from error
        width_mm = min(max(image.width_mm, 10.0), TEXT_WIDTH_TWIPS / _TWIPS_PER_MM)
        ratio = info.px_height / info.px_width if info.px_width else 1.0
        if width_mm * ratio > _MAX_IMAGE_HEIGHT_MM:
            width_mm = _MAX_IMAGE_HEIGHT_MM / ratio
        width = Mm(width_mm)
        height = Emu(round(width * ratio))
        inline = self.package.part.new_pic_inline(io.BytesIO(image.png), width, height)
        spec = _Para(
            "ZfImage",
            jc="center",
            snap=False,
            line=240,
            line_rule="auto",
            keep_next=bool(image.caption),
        )
        p = _paragraph(spec, [], page_break_before=self.page_break_pending, mark_font=_BODY_FONT)
        self.page_break_pending = False
        run = _sub(p, "w:r")
        _sub(run, "w:drawing").append(inline)
        self.append(p)
        if image.caption:
            self.para(_CAPTION, [(image.caption, _CAPTION_FONT)])

    def attachments(self, names: Sequence[str]) -> None:
        """附件说明: one blank line below the body, two characters in, names aligned."""
        names = [_clean(name).strip() for name in names if name.strip()]
        if len(names) == 1:
            spec = _Para(
                "ZfBody", before=LINE_PITCH_TWIPS, left=_chars(5), hanging=_chars(3), chars=True
            )
            self.para(spec, [(f"附件：{names[0]}", _BODY_FONT)])
            return
        for index, name in enumerate(names, start=1):
            if index == 1:
                spec = _Para(
                    "ZfBody", before=LINE_PITCH_TWIPS, left=_chars(6), hanging=_chars(4), chars=True
                )
                text = f"附件：{index}.{name}"
            else:
                spec = _Para("ZfBody", left=_chars(6), hanging=_chars(1), chars=True)
                text = f"{index}.{name}"
            self.para(spec, [(text, _BODY_FONT)])

    def signature(self, document: OfficialDocument) -> None:
        """署名 and 成文日期 on the right, as the standard places them."""
        date = chinese_date(day=document.date)
        signature = _clean(document.signature).strip()
        sig_w, date_w = _width_chars(signature), _width_chars(date)
        if document.sealed:
            date_right = 4.0
            sig_right = date_right + (date_w - sig_w) / 2
            if sig_right < 2:
                sig_right = 2.0
                date_right = sig_right + (sig_w - date_w) / 2
            before = 2 * LINE_PITCH_TWIPS
        else:
            sig_right = 2.0
            date_right = sig_w - date_w
            if date_right < 2:
                date_right = 2.0
                sig_right = date_right + date_w + 2 - sig_w
            before = LINE_PITCH_TWIPS
        if signature:
            spec = _Para(
                "ZfSignature",
                jc="right",
                right=_chars(sig_right),
                chars=True,
                before=before,
                keep_next=True,
            )
            self.para(spec, [(signature, _BODY_FONT)])
            before = 0
        spec = _Para("ZfSignature", jc="right", right=_chars(date_right), chars=True, before=before)
        self.para(spec, [(date, _BODY_FONT)])

    def colophon(self, document: OfficialDocument) -> None:
        """The 版记: 抄送 and 印发 between a thick top and bottom rule, thin rules between."""
        one = round(COLOPHON_PT * 20)  # one 4号 character
        rows: list[Any] = []
        if document.copy_to:
            text = _clean(document.copy_to).strip().removeprefix("抄送：").removeprefix("抄送:")
            if not text.endswith("。"):
                text = text.rstrip("，,；;.") + "。"
            spec = _Para(
                "ZfColophon", jc="left", left=one * 4, right=one, hanging=one * 3, snap=False
            )
            rows.append(_paragraph(spec, [(f"抄送：{text}", _COLOPHON_FONT)]))
        if document.printed_by or document.printed_date:
            printed = chinese_date(day=document.printed_date or document.date) + "印发"
            spec = _Para(
                "ZfColophon",
                jc="left",
                left=one,
                right=one,
                snap=False,
                right_tab=TEXT_WIDTH_TWIPS - one,
            )
            runs = [(f"{document.printed_by or ''}\t{printed}", _COLOPHON_FONT)]
            rows.append(_paragraph(spec, runs))
        tbl = _el("w:tbl")
        tbl_pr = _sub(tbl, "w:tblPr")
        if document.colophon_at_bottom:
            _sub(
                tbl_pr,
                "w:tblpPr",
                leftFromText=0,
                rightFromText=0,
                topFromText=0,
                bottomFromText=0,
                vertAnchor="margin",
                horzAnchor="margin",
                tblpXSpec="center",
                tblpYSpec="bottom",
            )
            _sub(tbl_pr, "w:tblOverlap", val="never")
        _sub(tbl_pr, "w:tblW", w=TEXT_WIDTH_TWIPS, type="dxa")
        _sub(tbl_pr, "w:jc", val="center")
        borders = _sub(tbl_pr, "w:tblBorders")
        _sub(borders, "w:top", val="single", sz=_COLOPHON_THICK_EIGHTHS, space=0, color="000000")
        _sub(borders, "w:left", val="nil")
        _sub(borders, "w:bottom", val="single", sz=_COLOPHON_THICK_EIGHTHS, space=0, color="000000")
        _sub(borders, "w:right", val="nil")
        _sub(borders, "w:insideH", val="single", sz=_COLOPHON_THIN_EIGHTHS, space=0, color="000000")
        _sub(borders, "w:insideV", val="nil")
        _sub(tbl_pr, "w:tblLayout", type="fixed")
        margins = _sub(tbl_pr, "w:tblCellMar")
        for side in ("top", "left", "bottom", "right"):
            _sub(margins, f"w:{side}", w=0, type="dxa")
        _sub(_sub(tbl, "w:tblGrid"), "w:gridCol", w=TEXT_WIDTH_TWIPS)
        for p in rows:
            tr = _sub(tbl, "w:tr")
            _sub(_sub(tr, "w:trPr"), "w:cantSplit")
            tc = _sub(tr, "w:tc")
            tc_pr = _sub(tc, "w:tcPr")
            _sub(tc_pr, "w:tcW", w=TEXT_WIDTH_TWIPS, type="dxa")
            _sub(tc_pr, "w:vAlign", val="center")
            tc.append(p)
        self.append(tbl)

    def page_numbers(self) -> None:
        """ "— N —" footers: odd pages right, even pages left, one character in."""
        self.package.settings.odd_and_even_pages_header_footer = True
        section = self.package.sections[0]
        one = round(PAGE_NUMBER_PT * 20)
        for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
            footer.is_linked_to_previous = False
            root = footer._element
            for child in list(root):
                root.remove(child)
            spec = _Para(
                "ZfPageNumber",
                jc="right" if odd else "left",
                right=one if odd else 0,
                left=0 if odd else one,
                snap=False,
                line=_FOOTER_LINE_TWIPS,
            )
            p = _paragraph(spec, [("— ", _PAGE_NUMBER_FONT)])
            for kind, text in (
                ("begin", None),
                ("instr", " PAGE "),
                ("separate", None),
                ("result", "1" if odd else "2"),
                ("end", None),
            ):
                run = _sub(p, "w:r")
                run.append(_rpr(_PAGE_NUMBER_FONT))
                if kind == "instr":
                    instr = _sub(run, "w:instrText")
                    instr.text = text
                    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                elif kind == "result":
                    _sub(run, "w:t").text = text
                else:
                    _sub(run, "w:fldChar", fldCharType=kind)
            p.append(_run(" —", _PAGE_NUMBER_FONT))
            root.append(p)


def _issuer_size(mark: str) -> tuple[float, int]:
    """Font size (pt) and horizontal scale (%) making the issuer's mark fit 150 mm."""
    width = max(_width_chars(mark), 1.0)
    size = _ISSUER_MAX_PT
    if width * size * _ISSUER_MIN_SCALE / 100 > _ISSUER_MAX_WIDTH_PT:
        fitted = _ISSUER_MAX_WIDTH_PT / (width * _ISSUER_MIN_SCALE / 100)
        size = max(_ISSUER_MIN_PT, math.floor(fitted * 2) / 2)
    scale = min(100, math.floor(_ISSUER_MAX_WIDTH_PT * 100 / (width * size)))
    return size, max(scale, 33)


def _column_widths(
    table: Table, header: list[str], rows: list[list[str]], columns: int
) -> list[int]:
    """Column widths in twips: as given (shrunk to fit), else by content over the full width."""
    total = TEXT_WIDTH_TWIPS
    if table.column_widths_mm:
        given = [max(_mm(w), 1) for w in table.column_widths_mm][:columns]
        given += [given[-1] if given else _mm(20)] * (columns - len(given))
        if sum(given) > total:
            given = [max(1, math.floor(w * total / sum(given))) for w in given]
        return given
    char = table.font_size_pt * 20
    pad = 2 * _TABLE_CELL_MARGIN_TWIPS + 20
    needs = []
    for index in range(columns):
        texts = [header[index], *(row[index] for row in rows)]
        widest = max((_width_chars(text) for text in texts), default=1.0)
        needs.append(min(max(widest, 1.0), 16.0) * char + pad)
    minimums = [min(need, 3 * char + pad) for need in needs]
    if sum(minimums) >= total:
        widths = [m * total / sum(minimums) for m in minimums]
    elif sum(needs) <= total:
        widths = [n * total / sum(needs) for n in needs]
    else:
        extra = total - sum(minimums)
        wants = [n - m for n, m in zip(needs, minimums, strict=True)]
        widths = [m + extra * w / sum(wants) for m, w in zip(minimums, wants, strict=True)]
    result = [math.floor(w) for w in widths]
    result[result.index(max(result))] += total - sum(result)
    return result


# -- Package set-up -----------------------------------------------------------------------------


def _setup_package(package: Any, document: OfficialDocument) -> None:
    """Page set-up, grid, default fonts, styles, settings and core properties."""
    section = package.sections[0]
    sect_pr = section._sectPr
    pg_sz = sect_pr.find(qn("w:pgSz"))
    pg_sz.attrib.clear()
    pg_sz.set(qn("w:w"), str(PAGE_WIDTH_TWIPS))
    pg_sz.set(qn("w:h"), str(PAGE_HEIGHT_TWIPS))
    pg_mar = sect_pr.find(qn("w:pgMar"))
    pg_mar.attrib.clear()
    for name, value in (
        ("top", MARGIN_TOP_TWIPS),
        ("right", MARGIN_RIGHT_TWIPS),
        ("bottom", MARGIN_BOTTOM_TWIPS),
        ("left", MARGIN_LEFT_TWIPS),
        ("header", _HEADER_FROM_EDGE_TWIPS),
        ("footer", FOOTER_FROM_EDGE_TWIPS),
        ("gutter", 0),
    ):
        pg_mar.set(qn(f"w:{name}"), str(value))
    grid = sect_pr.find(qn("w:docGrid"))
    grid.attrib.clear()
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
    grid.set(qn("w:charSpace"), str(CHAR_SPACE))
    for name in list(sect_pr.attrib):
        del sect_pr.attrib[name]  # template rsids

    _setup_styles(package)
    _setup_settings(package)

    drop = [
        rid for rid, rel in package.part.package.rels.items() if rel.reltype.endswith("/thumbnail")
    ]
    for rid in drop:
        package.part.package.rels.pop(rid)

    core = package.core_properties
    created = datetime.datetime.combine(document.date, datetime.time())
    core.title = _clean(document.title).replace("\n", "")
    core.author = document.issuer
    core.last_modified_by = document.issuer
    core.identifier = document.doc_number
    core.subject = ""
    core.keywords = ""
    core.comments = ""
    core.category = "公文"
    core.language = "zh-CN"
    core.created = created
    core.modified = created
    core.revision = 1


def _setup_styles(package: Any) -> None:
    """Default run and paragraph properties, the Normal style and the document's styles."""
    styles = package.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    for child in list(defaults):
        defaults.remove(child)
    rpr = _rpr(_BODY_FONT)
    _sub(rpr, "w:lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA")
    _sub(defaults, "w:rPrDefault").append(rpr)
    ppr_default = _sub(_sub(defaults, "w:pPrDefault"), "w:pPr")
    _sub(ppr_default, "w:spacing", after=0, line=240, lineRule="auto")

    normal = next(s for s in styles.findall(qn("w:style")) if s.get(qn("w:styleId")) == "Normal")
    for child in list(normal):
        if child.tag in (qn("w:pPr"), qn("w:rPr"), qn("w:rsid")):
            normal.remove(child)
    normal.append(_ppr(_Para("Normal"), with_style=False))
    normal.append(_rpr(_BODY_FONT))

    for style_id, name, spec, font in _STYLES:
        style = _el("w:style", type="paragraph", customStyle=1, styleId=style_id)
        _sub(style, "w:name", val=name)
        _sub(style, "w:basedOn", val="Normal")
        _sub(style, "w:qFormat")
        style.append(_ppr(spec, with_style=False))
        style.append(_rpr(font))
        styles.append(style)


def _setup_settings(package: Any) -> None:
    """Word 2013+ layout, Chinese theme-font language, no punctuation compression."""
    settings = package.settings.element
    for setting in settings.iter(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), "15")
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")
    rsids = settings.find(qn("w:rsids"))
    if rsids is not None:
        settings.remove(rsids)


# -- Package post-processing ------------------------------------------------------------------

#: The fonts the document uses, with alternates Word falls back to where one is missing.
_FONT_TABLE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:font w:name="Times New Roman"><w:panose1 w:val="02020603050405020304"/><w:charset w:val="00"/>\
<w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>
<w:font w:name="宋体"><w:altName w:val="SimSun"/><w:panose1 w:val="02010600030101010101"/>\
<w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>
<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/><w:panose1 w:val="02010609030101010101"/>\
<w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>
<w:font w:name="楷体_GB2312"><w:altName w:val="楷体"/><w:panose1 w:val="02010609030101010101"/>\
<w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>
<w:font w:name="黑体"><w:altName w:val="SimHei"/><w:panose1 w:val="02010609060101010101"/>\
<w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>
<w:font w:name="方正小标宋简体"><w:altName w:val="方正小标宋_GBK"/>\
<w:panose1 w:val="02000000000000000000"/><w:charset w:val="86"/><w:family w:val="auto"/>\
<w:pitch w:val="variable"/></w:font>
</w:fonts>
"""


def _normalise_zip(data: bytes) -> bytes:
    """Re-pack with fixed timestamps (stable bytes) and the document's own font table."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "word/fontTable.xml":
                content = _FONT_TABLE.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, content)
    return out.getvalue()
