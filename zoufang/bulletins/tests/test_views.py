"""The pages: the column, a bulletin with its actions, the manage list, writing with files,
and who gets 403 / 404 / 409 at each step."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zoufang.bulletins.models import Bulletin, BulletinAttachment, BulletinImage
from zoufang.bulletins.services import bulletin_view_record

from .conftest import docx_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
ROLES = ("city_admin", "leader", "inspector", "unit_admin", "officer")


def url(name: str, *args: Any) -> str:
    return reverse(f"bulletins:{name}", args=args)


def test_anonymous_users_go_to_the_login_page(client: Client, publish: Any) -> None:
    bulletin = publish()
    for path in (url("bulletin_list"), url("bulletin_detail", bulletin.pk), url("bulletin_create")):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("org:login"))


@pytest.mark.parametrize("role", ROLES)
def test_everyone_reads_the_column(login: Any, publish: Any, write: Any, role: str) -> None:
    published = publish("东湖分局开展反诈宣传进社区")
    draft = write("尚未报送的草稿")
    client = login(role)
    response = client.get(url("bulletin_list"))
    assert response.status_code == 200
    assert [b.pk for b in response.context["page"]] == [published.pk]
    assert draft.title not in response.content.decode()
    assert client.get(url("bulletin_detail", published.pk)).status_code == 200


def test_submit_adopt_and_see_it_in_the_column(login: Any, city: Any, campaign: Any) -> None:
    client = login("officer")
    assert client.get(url("bulletin_create")).status_code == 200
    response = client.post(
        url("bulletin_create"),
        {
            "campaign": campaign.slug,
            "unit": "JZ0101",
            "kind": "activity_report",
            "title": "城关派出所走访辖区企业",
            "body": "所领导带队走访企业30家。\n\n发放反诈宣传资料200份。",
            "images": [upload("现场.png", png_bytes(), "image/png")],
            "attachments": [upload("走访汇总.docx", docx_bytes())],
            "submit_now": "1",
        },
    )
    bulletin = Bulletin.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("bulletin_detail", bulletin.pk)
    assert bulletin.status == "submitted"
    assert (bulletin.images.count(), bulletin.attachments.count()) == (1, 1)

    admin = login("city_admin")
    queue = admin.get(url("bulletin_manage"))
    assert [b.pk for b in queue.context["page"]] == [bulletin.pk]
    detail = admin.get(url("bulletin_detail", bulletin.pk))
    assert detail.context["actions"] == ["adopt", "return"]
    adopted = admin.post(
        url("bulletin_act", bulletin.pk), {"action": "adopt", "version": bulletin.version}
    )
    assert adopted.status_code == 302
    column = login("leader").get(url("bulletin_list"))
    assert [b.pk for b in column.context["page"]] == [bulletin.pk]
    page = login("officer").get(url("bulletin_detail", bulletin.pk)).content.decode()
    assert "所领导带队走访企业30家。" in page
    assert url("bulletin_image", bulletin.pk, bulletin.images.get().pk) in page
    assert "走访汇总.docx" in page


def test_a_form_with_a_bad_file_keeps_its_text(login: Any, campaign: Any) -> None:
    response = login("officer").post(
        url("bulletin_create"),
        {
            "campaign": campaign.slug,
            "unit": "JZ0101",
            "kind": "news",
            "title": "标题",
            "body": "正文",
            "attachments": [upload("伪装.pdf", png_bytes())],
        },
    )
    assert response.status_code == 200
    assert "attachments" in response.context["form"].errors
    assert response.context["form"]["title"].value() == "标题"
    assert not Bulletin.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("leader", 403), ("inspector", 403), ("unit_admin", 403), ("officer", 403)],
)
def test_wrong_roles_may_not_adopt(login: Any, write: Any, role: str, status: int) -> None:
    bulletin = write(submit=True)
    response = login(role).post(url("bulletin_act", bulletin.pk), {"action": "adopt"})
    expected = 404 if role == "inspector" else status  # the inspector does not see the unit
    assert response.status_code == expected
    assert Bulletin.objects.get(pk=bulletin.pk).status == "submitted"


def test_another_units_draft_is_404(login: Any, write: Any, city: Any) -> None:
    theirs = write(unit=city.station_b, actor=city.user("officer_b"))
    client = login("officer")
    for name in ("bulletin_detail", "bulletin_update"):
        assert client.get(url(name, theirs.pk)).status_code == 404
    assert client.post(url("bulletin_act", theirs.pk), {"action": "submit"}).status_code == 404
    assert login("unit_admin").get(url("bulletin_detail", theirs.pk)).status_code == 404


def test_disallowed_transition_is_409(login: Any, write: Any) -> None:
    draft = write()
    response = login("city_admin").post(url("bulletin_act", draft.pk), {"action": "adopt"})
    assert response.status_code == 409
    assert response.context["error"]
    resubmit = login("officer").post(
        url("bulletin_act", write(submit=True).pk), {"action": "submit"}
    )
    assert resubmit.status_code == 409


def test_returning_needs_a_comment(login: Any, write: Any) -> None:
    bulletin = write(submit=True)
    client = login("city_admin")
    assert client.post(url("bulletin_act", bulletin.pk), {"action": "return"}).status_code == 400
    response = client.post(
        url("bulletin_act", bulletin.pk), {"action": "return", "comment": "请补充现场图片"}
    )
    assert response.status_code == 302
    page = login("officer").get(url("bulletin_detail", bulletin.pk))
    assert page.context["editable"] and page.context["actions"] == ["submit"]
    assert "请补充现场图片" in page.content.decode()


def test_editing(login: Any, write: Any, city: Any) -> None:
    mine = write(images=[upload("a.png", png_bytes())])
    image = mine.images.get()
    client = login("officer")
    assert client.get(url("bulletin_update", mine.pk)).status_code == 200
    response = client.post(
        url("bulletin_update", mine.pk),
        {
            "campaign": mine.campaign.slug,
            "unit": "JZ0101",
            "kind": "news",
            "title": "改过的标题",
            "body": "改过的正文",
            "version": mine.version,
            "remove_images": [image.pk],
        },
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.title, mine.kind, mine.images.count()) == ("改过的标题", "news", 0)
    # A stale form (the old version) is refused with the form shown again.
    stale = client.post(
        url("bulletin_update", mine.pk),
        {
            "campaign": mine.campaign.slug,
            "unit": "JZ0101",
            "kind": "news",
            "title": "再改",
            "body": "再改",
            "version": mine.version - 1,
        },
    )
    assert stale.status_code == 409
    assert login("leader").get(url("bulletin_update", mine.pk)).status_code == 403
    theirs = write(actor=city.user("unit_admin"))
    assert login("officer").get(url("bulletin_update", theirs.pk)).status_code == 403
    assert login("unit_admin").get(url("bulletin_update", mine.pk)).status_code == 200


def test_a_submitted_bulletin_is_not_edited(login: Any, write: Any) -> None:
    bulletin = write(submit=True)
    response = login("officer").get(url("bulletin_update", bulletin.pk))
    assert response.status_code == 302
    assert response["Location"] == url("bulletin_detail", bulletin.pk)


def test_views_count_once_per_session_a_day(client: Client, publish: Any, city: Any) -> None:
    bulletin = publish()
    with time_machine.travel(datetime.datetime(2022, 5, 1, 23, 50, tzinfo=TZ)):
        client.force_login(city.user("officer"))
        assert client.get(url("bulletin_detail", bulletin.pk)).context["bulletin"].views == 1
        client.get(url("bulletin_detail", bulletin.pk))
        other = Client()
        other.force_login(city.user("leader"))
        other.get(url("bulletin_detail", bulletin.pk))
    assert Bulletin.objects.get(pk=bulletin.pk).views == 2
    with time_machine.travel(datetime.datetime(2022, 5, 2, 0, 10, tzinfo=TZ)):  # same session
        client.get(url("bulletin_detail", bulletin.pk))
        client.get(url("bulletin_detail", bulletin.pk))
    assert Bulletin.objects.get(pk=bulletin.pk).views == 3
    assert dict(bulletin.daily_views.values_list("day", "count")) == {
        datetime.date(2022, 5, 1): 2,
        datetime.date(2022, 5, 2): 1,
    }


def test_drafts_count_no_views(login: Any, write: Any) -> None:
    draft = write()
    login("officer").get(url("bulletin_detail", draft.pk))
    assert Bulletin.objects.get(pk=draft.pk).views == 0


def test_files_are_served_to_readers_only(login: Any, write: Any, city: Any) -> None:
    bulletin = write(
        unit=city.station_b,
        actor=city.user("officer_b"),
        images=[upload("a.png", png_bytes())],
        attachments=[upload("汇总 表.docx", docx_bytes())],
    )
    image, attachment = BulletinImage.objects.get(), BulletinAttachment.objects.get()
    image_url = url("bulletin_image", bulletin.pk, image.pk)
    attachment_url = url("bulletin_attachment", bulletin.pk, attachment.pk)
    assert login("officer").get(image_url).status_code == 404  # another county's draft
    client = login("city_admin")
    response = client.get(image_url)
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    download = client.get(attachment_url)
    assert "attachment;" in download["Content-Disposition"]
    assert "docx" in download["Content-Disposition"]
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(url("bulletin_image", bulletin.pk, image.pk + 99)).status_code == 404


def test_manage_lists_the_scope_in_every_state(
    login: Any, write: Any, publish: Any, city: Any
) -> None:
    draft = write("草稿")
    submitted = write("已报送", submit=True)
    published = publish("已采用")
    write("二分局", unit=city.station_b, actor=city.user("officer_b"))
    response = login("officer").get(url("bulletin_manage"))
    assert {b.pk for b in response.context["page"]} == {draft.pk, submitted.pk, published.pk}
    counts = {value: n for value, _label, n in response.context["statuses"]}
    assert counts == {"draft": 1, "submitted": 1, "adopted": 1, "returned": 0}
    admin = login("city_admin")
    assert [b.pk for b in admin.get(url("bulletin_manage")).context["page"]] == [submitted.pk]
    assert len(admin.get(url("bulletin_manage"), {"status": ""}).context["page"]) == 4


def _column_queries(client: Client, **params: Any) -> CaptureQueriesContext:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url("bulletin_list"), params).status_code == 200
    return queries


@pytest.mark.parametrize("params", [{}, {"tab": "week"}, {"q": "走访企业"}, {"unit": "JZ01"}])
def test_column_query_count_is_constant(
    login: Any, publish: Any, city: Any, params: dict[str, str]
) -> None:
    client = login("officer")
    first = publish("走访企业一")
    bulletin_view_record(bulletin_id=first.pk)
    _column_queries(client, **params)
    few = _column_queries(client, **params)
    units = (city.station_a, city.station_b, city.county_a, city.branch)
    for i in range(24):
        unit = units[i % len(units)]
        b = publish(f"走访企业{i}", unit=unit, actor=city.user("city_admin"))
        bulletin_view_record(bulletin_id=b.pk)
    many = _column_queries(client, **params)
    assert len(many) == len(few), "\n".join(q["sql"] for q in many.captured_queries)


def test_the_admin_shows_bulletins_read_only(login: Any, write: Any) -> None:
    bulletin = write(images=[upload("a.png", png_bytes())])
    client = login("city_admin")
    assert client.get("/admin/bulletins/bulletin/").status_code == 200
    change = client.get(f"/admin/bulletins/bulletin/{bulletin.pk}/change/")
    assert change.status_code == 200
    assert bulletin.title in change.content.decode()
    assert client.get("/admin/bulletins/bulletin/add/").status_code == 403
    officer = login("officer").get("/admin/bulletins/bulletin/")
    assert officer.status_code == 302 and "/admin/login/" in officer["Location"]


def test_a_returned_bulletin_is_edited_and_resubmitted_in_one_go(
    login: Any, write: Any, city: Any
) -> None:
    from zoufang.bulletins.services import bulletin_transition

    bulletin = write(submit=True)
    bulletin = bulletin_transition(
        actor=city.user("city_admin"),
        bulletin_id=bulletin.pk,
        action="return",
        comment="请补充数据",
    )
    client = login("officer")
    page = client.get(url("bulletin_update", bulletin.pk))
    assert "请补充数据" in page.content.decode()
    response = client.post(
        url("bulletin_update", bulletin.pk),
        {
            "campaign": bulletin.campaign.slug,
            "unit": "JZ0101",
            "kind": bulletin.kind,
            "title": bulletin.title,
            "body": bulletin.body + "\n共走访企业30家。",
            "version": bulletin.version,
            "submit_now": "1",
        },
    )
    assert response.status_code == 302
    bulletin.refresh_from_db()
    assert bulletin.status == "submitted" and bulletin.body.endswith("共走访企业30家。")
