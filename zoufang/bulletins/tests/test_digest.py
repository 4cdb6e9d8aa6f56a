"""The weekly digest of adopted bulletins: what it holds, its official layout (opened with
python-docx), its pictures, the page, the command and the audit of every download."""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from typing import Any

import docx
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from docx.shared import Mm, Pt, RGBColor
from PIL import Image as Pillow

from zoufang.bulletins.digest import (
    DigestItem,
    chinese_number,
    digest_document,
    issue_number,
    period_text,
    picture_for_document,
)
from zoufang.bulletins.models import Bulletin
from zoufang.bulletins.selectors import digest_default_period, digest_items
from zoufang.bulletins.services import bulletin_digest_export
from zoufang.core.actors import SYSTEM
from zoufang.core.models import AuditAction, AuditLog
from zoufang.core.officialdoc import render_docx

from .conftest import png_bytes, upload

pytestmark = pytest.mark.django_db
MONDAY = datetime.date(2022, 3, 7)
SUNDAY = datetime.date(2022, 3, 13)
ISSUED = datetime.date(2022, 3, 14)


def picture(fmt: str, size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Pillow.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


def adopted_on(bulletin: Bulletin, day: datetime.date, hour: int = 10) -> Bulletin:
    """Move a bulletin's adoption to a day (the services adopt it now)."""
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    Bulletin.objects.filter(pk=bulletin.pk).update(published_at=at, reviewed_at=at)
    bulletin.refresh_from_db()
    return bulletin


@pytest.fixture
def week(city: Any, publish: Any, write: Any) -> dict[str, Bulletin]:
    """Three bulletins adopted in the week (one with a GIF and a PNG, one without pictures),
    one adopted the Monday after, one submitted but not adopted."""
    first = adopted_on(
        publish(
            "城关派出所走访辖区企业",
            body="民警走访辖区企业30家。\n\n收集意见建议12条，当场解决5条。",
            images=[upload("a.gif", picture("GIF")), upload("b.png", png_bytes(4, 3))],
        ),
        MONDAY,
    )
    second = adopted_on(
        publish(
            "解放路派出所开展夜间走访",
            body="组织夜间走访困难群众。",
            unit=city.station_b,
            actor=city.user("officer_b"),
            kind="work_brief",
        ),
        SUNDAY,
        hour=23,
    )
    third = adopted_on(
        publish(
            "东湖分局召开座谈会",
            body="邀请人大代表座谈。",
            unit=city.county_a,
            actor=city.user("unit_admin"),
            kind="news",
        ),
        datetime.date(2022, 3, 9),
    )
    later = adopted_on(publish("下周稿件", body="下周采用。"), ISSUED)
    pending = write("待审核稿件", submit=True)
    return {"first": first, "second": second, "third": third, "later": later, "pending": pending}


def open_docx(content: bytes) -> Any:
    return docx.Document(io.BytesIO(content))


def texts(document: Any) -> list[str]:
    return [p.text for p in document.paragraphs]


# --- pure -------------------------------------------------------------------------------------


def test_numbers_and_periods_as_the_digest_writes_them() -> None:
    assert [chinese_number(n) for n in (1, 9, 10, 12, 20, 35, 99)] == [
        "一",
        "九",
        "十",
        "十二",
        "二十",
        "三十五",
        "九十九",
    ]
    assert period_text(MONDAY, SUNDAY) == ("3月7日—3月13日", "3月7日至3月13日")
    assert period_text(datetime.date(2022, 12, 26), datetime.date(2023, 1, 1))[0] == (
        "2022年12月26日—2023年1月1日"
    )
    start = datetime.date(2022, 1, 1)
    assert issue_number(campaign_start=start, since=start) == 1
    assert issue_number(campaign_start=start, since=MONDAY) == 10
    assert issue_number(campaign_start=start, since=datetime.date(2021, 12, 27)) == 1


def test_an_empty_week_says_so() -> None:
    document = digest_document(
        items=[], since=MONDAY, until=SUNDAY, number=10, issuer="走访办", date=ISSUED
    )
    opened = open_docx(render_docx(document=document))
    assert "3月7日至3月13日，市局未采用各单位报送的稿件。" in texts(opened)
    assert opened.tables[0].rows[0].cells[0].text != "序号"  # no contents table, only the 版记


# --- what it holds ----------------------------------------------------------------------------


def test_the_items_are_the_bulletins_adopted_in_the_days(campaign: Any, week: Any) -> None:
    items = digest_items(campaign=campaign, since=MONDAY, until=SUNDAY)
    assert [item.title for item in items] == [
        "城关派出所走访辖区企业",
        "东湖分局召开座谈会",
        "解放路派出所开展夜间走访",
    ]
    first = items[0]
    assert (first.unit, first.kind, first.adopted_on) == ("城关派出所", "activity_report", MONDAY)
    assert first.paragraphs == ["民警走访辖区企业30家。", "收集意见建议12条，当场解决5条。"]
    assert Pillow.open(io.BytesIO(first.picture or b"")).format == "PNG"  # the GIF, converted
    assert items[2].picture is None and items[2].adopted_on == SUNDAY


def test_the_document_in_the_official_layout(campaign: Any, week: Any) -> None:
    content, count = bulletin_digest_export(
        actor=SYSTEM, campaign=campaign, since=MONDAY, until=SUNDAY, date=ISSUED
    )
    assert count == 3
    opened = open_docx(content)
    lines = texts(opened)
    section = opened.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.1)
    assert abs(section.page_height - Mm(297)) < Mm(0.1)
    assert abs(section.top_margin - Mm(37)) < Mm(0.1)
    assert abs(section.left_margin - Mm(28)) < Mm(0.1)
    masthead = opened.paragraphs[0]
    assert masthead.text == "活动快报"
    assert masthead.runs[0].font.color.rgb == RGBColor(0xFF, 0x00, 0x00)
    assert lines[1] == "2022年第10期"
    title = opened.paragraphs[2]
    assert title.text == "各单位活动快报采用情况（3月7日—3月13日）"
    assert title.runs[0].font.size == Pt(22)
    assert title.style.name == "公文标题"
    assert lines[3] == (
        "3月7日至3月13日，市局共采用各单位报送稿件3篇，其中活动快报1篇、工作简报1篇、"
        "动态信息1篇，现汇编印发，供各单位学习借鉴。"
    )
    contents = opened.tables[0]
    assert [cell.text for cell in contents.rows[0].cells] == ["序号", "标题", "单位", "采用日期"]
    assert [row.cells[1].text for row in contents.rows[1:]] == [
        "城关派出所走访辖区企业",
        "东湖分局召开座谈会",
        "解放路派出所开展夜间走访",
    ]
    headings = [p.text for p in opened.paragraphs if p.style.name == "公文一级标题"]
    assert headings == [
        "一、城关派出所走访辖区企业",
        "二、东湖分局召开座谈会",
        "三、解放路派出所开展夜间走访",
    ]
    assert "（城关派出所　活动快报　2022年3月7日采用）" in lines
    assert "（解放路派出所　工作简报　2022年3月13日采用）" in lines
    body = [p for p in opened.paragraphs if p.text == "收集意见建议12条，当场解决5条。"]
    assert body and body[0].style.name == "公文正文"
    assert "下周稿件" not in "".join(lines) and "待审核稿件" not in "".join(lines)
    assert len(opened.inline_shapes) == 1  # the first bulletin's first picture
    assert lines[-3:-1] == ["江州市公安局大走访开门评活动办公室", "2022年3月14日"]  # then 版记
    footer = opened.sections[0].footer.paragraphs[0]
    assert footer.text.startswith("— ") and footer.text.endswith(" —")
    assert "PAGE" in footer._p.xml


def test_every_download_is_audited(campaign: Any, week: Any, city: Any) -> None:
    bulletin_digest_export(
        actor=city.user("city_admin"), campaign=campaign, since=MONDAY, until=SUNDAY
    )
    row = AuditLog.objects.get(action=AuditAction.EXPORT, object_type="bulletins.digest")
    assert row.actor == city.user("city_admin") and row.after is not None
    assert row.after["bulletins"] == 3
    assert (row.after["since"], row.after["until"], row.after["number"]) == (
        "2022-03-07",
        "2022-03-13",
        10,
    )


def test_only_the_city_office_makes_digests(campaign: Any, city: Any) -> None:
    for role in ("leader", "unit_admin", "officer", "inspector"):
        with pytest.raises(PermissionDenied):
            bulletin_digest_export(
                actor=city.user(role), campaign=campaign, since=MONDAY, until=SUNDAY
            )
    assert not AuditLog.objects.filter(object_type="bulletins.digest").exists()


def test_a_period_longer_than_a_quarter_is_refused(campaign: Any) -> None:
    with pytest.raises(ValidationError):
        bulletin_digest_export(
            actor=SYSTEM,
            campaign=campaign,
            since=datetime.date(2022, 1, 1),
            until=datetime.date(2022, 6, 30),
        )


def test_big_and_odd_pictures_are_made_small_png_or_jpeg() -> None:
    big = picture_for_document(picture("PNG", (3200, 1800)))
    assert big is not None
    with Pillow.open(io.BytesIO(big)) as opened:
        assert opened.size == (1600, 900) and opened.format in ("PNG", "JPEG")
    assert Pillow.open(io.BytesIO(picture_for_document(picture("WEBP")) or b"")).format in (
        "PNG",
        "JPEG",
    )
    small = picture("JPEG")
    assert picture_for_document(small) == small  # embedded as it is
    assert picture_for_document(b"not a picture") is None


def test_the_default_week(campaign: Any, week: Any) -> None:
    # Last week, when something was adopted since its Monday...
    assert digest_default_period(campaign=campaign, today=datetime.date(2022, 3, 16)) == (
        MONDAY,
        SUNDAY,
    )
    # ...else the week of the latest adoption (a finished campaign).
    assert digest_default_period(campaign=campaign, today=datetime.date(2022, 9, 1)) == (
        ISSUED,
        ISSUED + datetime.timedelta(days=6),
    )


# --- the page and the command -----------------------------------------------------------------


def test_the_page_lists_the_weeks_bulletins_and_downloads_the_digest(
    login: Any, campaign: Any, week: Any
) -> None:
    client = login("city_admin")
    query = {"campaign": campaign.slug, "since": "2022-03-07", "until": "2022-03-13"}
    page = client.get(reverse("bulletins:bulletin_digest"), query).content.decode()
    assert page.count('class="list-group-item d-flex gap-2"') == 3
    assert "解放路派出所开展夜间走访" in page and "下周稿件" not in page
    assert 'id="digest-download"' in page
    response = client.get(reverse("bulletins:bulletin_digest_docx"), query)
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert "attachment" in response["Content-Disposition"]
    assert "一、城关派出所走访辖区企业" in texts(open_docx(response.content))
    assert AuditLog.objects.filter(object_type="bulletins.digest").count() == 1


def test_a_wrong_period_shows_the_form_again(login: Any, campaign: Any) -> None:
    query = {"campaign": campaign.slug, "since": "2022-03-13", "until": "2022-03-07"}
    response = login("city_admin").get(reverse("bulletins:bulletin_digest_docx"), query)
    assert response.status_code == 400
    assert "结束日期早于开始日期" in response.content.decode()
    assert not AuditLog.objects.filter(object_type="bulletins.digest").exists()


def test_the_column_and_the_review_page_offer_the_digest_to_the_city_office(login: Any) -> None:
    for name in ("bulletins:bulletin_list", "bulletins:bulletin_manage"):
        assert 'id="digest-link"' in login("city_admin").get(reverse(name)).content.decode()
        assert 'id="digest-link"' not in login("unit_admin").get(reverse(name)).content.decode()


def test_the_command_writes_the_digest(campaign: Any, week: Any, tmp_path: Path) -> None:
    out = tmp_path / "digest.docx"
    stdout = io.StringIO()
    call_command(
        "bulletin_digest",
        "--campaign",
        campaign.slug,
        "--since",
        "2022-03-07",
        "--out",
        str(out),
        stdout=stdout,
    )
    assert "3 bulletins" in stdout.getvalue()
    assert "三、解放路派出所开展夜间走访" in texts(open_docx(out.read_bytes()))


def test_digest_items_reads_the_database_twice(
    campaign: Any, week: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(2):
        digest_items(campaign=campaign, since=MONDAY, until=SUNDAY)


def test_a_digest_item_is_plain_data() -> None:
    item = DigestItem("标题", "单位", "news", MONDAY, ["正文"])
    document = digest_document(
        items=[item], since=MONDAY, until=SUNDAY, number=1, issuer="走访办", date=ISSUED
    )
    assert document.title.endswith("（3月7日—3月13日）")
