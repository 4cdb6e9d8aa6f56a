"""The weekly digest (活动快报 周报) of adopted bulletins as an official document.

Pure: no database. `selectors.digest_items` gathers the bulletins adopted in the period (with
each one's first picture); `digest_document` lays them out with `core.officialdoc` in the
GB/T 9704-2012 layout the stage notice uses: the red masthead 活动快报 with the issue number,
the title naming the period, one opening paragraph with the counts, a table of contents, then
each bulletin — its title as a level-1 heading, its unit and adoption date, its paragraphs and
its first picture — and the office's signature and 版记.

The texts are the document's (like the notice's): Chinese whatever the interface language.
"""

from __future__ import annotations

import datetime
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from zoufang.core.officialdoc import (
    Block,
    Heading1,
    Heading2,
    Image,
    OfficialDocument,
    Paragraph,
    Table,
    chinese_date,
)

MASTHEAD = "活动快报"
KIND_LABELS = {"activity_report": "活动快报", "work_brief": "工作简报", "news": "动态信息"}
PICTURE_WIDTH_MM = 120.0
PICTURE_MAX_PIXELS = 1600  # longer side of a picture as embedded (enough for 120 mm at 300 dpi)
_DIGITS = "零一二三四五六七八九"


@dataclass(frozen=True)
class DigestItem:
    """One adopted bulletin as the digest prints it."""

    title: str
    unit: str
    kind: str
    adopted_on: datetime.date
    paragraphs: Sequence[str]
    picture: bytes | None = None  # PNG or JPEG, ready to embed
    caption: str = ""


def chinese_number(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (1–99; larger numbers as digits)."""
    if not 0 < number < 100:
        return str(number)
    tens, ones = divmod(number, 10)
    text = ("" if tens == 1 else _DIGITS[tens]) + "十" if tens else ""
    return text + (_DIGITS[ones] if ones else "")


def short_date(day: datetime.date, *, year: bool) -> str:
    """3月7日, or 2022年3月7日 with the year."""
    return chinese_date(day=day) if year else f"{day.month}月{day.day}日"


def period_text(since: datetime.date, until: datetime.date) -> tuple[str, str]:
    """The period as the title (3月7日—3月13日) and the text (3月7日至3月13日) write it; the
    year is written when the period crosses one."""
    year = since.year != until.year
    first, last = short_date(since, year=year), short_date(until, year=year)
    return f"{first}—{last}", f"{first}至{last}"


def issue_number(*, campaign_start: datetime.date, since: datetime.date) -> int:
    """The issue's number: the week of the campaign the period starts in (1 for the first)."""
    return max(0, (since - campaign_start).days) // 7 + 1


def opening(items: Sequence[DigestItem], since: datetime.date, until: datetime.date) -> str:
    """The opening paragraph: how many pieces of which kind were adopted in the period."""
    _title, text = period_text(since, until)
    if not items:
        return f"{text}，市局未采用各单位报送的稿件。"
    kinds = Counter(item.kind for item in items)
    parts = [f"{label}{kinds[kind]}篇" for kind, label in KIND_LABELS.items() if kinds[kind]]
    return (
        f"{text}，市局共采用各单位报送稿件{len(items)}篇，其中{'、'.join(parts)}，"
        "现汇编印发，供各单位学习借鉴。"
    )


def digest_document(
    *,
    items: Sequence[DigestItem],
    since: datetime.date,
    until: datetime.date,
    number: int,
    issuer: str,
    date: datetime.date,
) -> OfficialDocument:
    """The digest as an official document."""
    title_period, _text = period_text(since, until)
    blocks: list[Block] = [Paragraph(opening(items, since, until))]
    if items:
        blocks.append(
            Table(
                header=["序号", "标题", "单位", "采用日期"],
                rows=[
                    [index, item.title, item.unit, f"{item.adopted_on:%m-%d}"]
                    for index, item in enumerate(items, start=1)
                ],
                caption="本期目录",
                column_widths_mm=[14, 88, 34, 20],
                font_size_pt=12,
            )
        )
    for index, item in enumerate(items, start=1):
        blocks.append(Heading1(f"{chinese_number(index)}、{item.title}"))
        kind = KIND_LABELS.get(item.kind, "")
        blocks.append(Heading2(f"（{item.unit}　{kind}　{chinese_date(day=item.adopted_on)}采用）"))
        blocks += [Paragraph(text) for text in item.paragraphs]
        if item.picture:
            blocks.append(
                Image(png=item.picture, width_mm=PICTURE_WIDTH_MM, caption=item.caption or None)
            )
    return OfficialDocument(
        issuer=MASTHEAD,
        doc_number=f"{since.year}年第{number}期",
        title=f"各单位活动快报采用情况（{title_period}）",
        recipients="",
        blocks=blocks,
        signature=issuer,
        date=date,
        sealed=False,
        copy_to="市局领导",
        printed_by=issuer,
        printed_date=date,
    )


def picture_for_document(data: bytes) -> bytes | None:
    """A bulletin's picture as the digest embeds it: PNG or JPEG, at most 1,600 pixels on its
    longer side (a 5 MB photo would make the digest heavy); None when it cannot be read.

    The picture was checked when it was uploaded (type by content, at most 20,000 pixels a
    side), so decoding it here is bounded; JPEGs are decoded at a reduced scale."""
    from PIL import Image as Pillow
    from PIL import UnidentifiedImageError

    try:
        with Pillow.open(io.BytesIO(data)) as picture:
            picture.draft("RGB", (PICTURE_MAX_PIXELS, PICTURE_MAX_PIXELS))  # JPEG only
            fits = max(picture.size) <= PICTURE_MAX_PIXELS
            if picture.format in ("PNG", "JPEG") and fits and len(data) <= 1_000_000:
                return data
            picture.thumbnail((PICTURE_MAX_PIXELS, PICTURE_MAX_PIXELS))
            out = io.BytesIO()
            if picture.mode in ("RGBA", "LA", "P"):
                picture.convert("RGBA").save(out, format="PNG", optimize=True)
            else:
                picture.convert("RGB").save(out, format="JPEG", quality=85)
            return out.getvalue()
    except (OSError, ValueError, UnidentifiedImageError, Pillow.DecompressionBombError):
        return None
