"""The workflow through the services: who may do what, in which state, and the audit trail."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from zoufang.bulletins.models import Bulletin
from zoufang.bulletins.selectors import bulletin_get
from zoufang.bulletins.services import bulletin_create, bulletin_transition, bulletin_update
from zoufang.core.errors import ConflictError
from zoufang.core.models import AuditAction, AuditLog

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def act(city: Any, role: str, bulletin: Any, action: str, **kw: Any) -> Bulletin:
    return bulletin_transition(actor=city.user(role), bulletin_id=bulletin.pk, action=action, **kw)


def test_submit_adopt_publish(city: Any, write: Any) -> None:
    with time_machine.travel(datetime.datetime(2022, 3, 1, 9, tzinfo=TZ), tick=False):
        bulletin = write()
        assert bulletin.status == "draft" and bulletin.created_by == city.user("officer")
        bulletin = act(city, "officer", bulletin, "submit")
    with time_machine.travel(datetime.datetime(2022, 3, 2, 15, tzinfo=TZ), tick=False):
        bulletin = act(city, "city_admin", bulletin, "adopt")
    assert bulletin.status == "adopted"
    assert bulletin.submitted_at == datetime.datetime(2022, 3, 1, 9, tzinfo=TZ)
    assert (
        bulletin.published_at
        == bulletin.reviewed_at
        == datetime.datetime(2022, 3, 2, 15, tzinfo=TZ)
    )
    assert bulletin.reviewed_by == city.user("city_admin")
    trail = AuditLog.objects.filter(object_type="bulletins.bulletin", object_id=str(bulletin.pk))
    created, submitted, adopted = trail.order_by("id")
    assert (created.action, created.before) == (AuditAction.CREATE, None)
    assert created.after and created.after["unit"] == "JZ0101"
    assert created.after["title"] == "城关派出所走访辖区企业"
    assert (submitted.action, submitted.before, submitted.after) == (
        AuditAction.TRANSITION,
        {"status": "draft"},
        {"status": "submitted"},
    )
    assert (adopted.before, adopted.after) == ({"status": "submitted"}, {"status": "adopted"})


def test_return_needs_a_comment_then_the_unit_edits_and_resubmits(city: Any, write: Any) -> None:
    bulletin = write(submit=True)
    with pytest.raises(ValidationError) as error:
        act(city, "city_admin", bulletin, "return", comment="  ")
    assert "comment" in error.value.message_dict
    bulletin = act(city, "city_admin", bulletin, "return", comment="请补充走访数据")
    assert (bulletin.status, bulletin.review_comment) == ("returned", "请补充走访数据")
    bulletin = bulletin_update(
        actor=city.user("officer"),
        bulletin_id=bulletin.pk,
        kind="work_brief",
        title=bulletin.title,
        body=bulletin.body + "\n共走访企业30家。",
        expected_version=bulletin.version,
    )
    assert bulletin.status == "returned"
    bulletin = act(city, "officer", bulletin, "submit")
    assert bulletin.status == "submitted"
    audit = AuditLog.objects.filter(action=AuditAction.UPDATE).get()
    assert audit.before == {"kind": "activity_report", "body": bulletin.body.rsplit("\n", 1)[0]}
    assert audit.after and audit.after["kind"] == "work_brief"


@pytest.mark.parametrize("role", ["leader", "inspector", "unit_admin", "officer"])
@pytest.mark.parametrize("action", ["adopt", "return"])
def test_only_the_city_office_reviews(city: Any, write: Any, role: str, action: str) -> None:
    bulletin = write(submit=True)
    with pytest.raises(PermissionDenied):
        act(city, role, bulletin, action, comment="不行")
    assert Bulletin.objects.get(pk=bulletin.pk).status == "submitted"


@pytest.mark.parametrize(
    ("status", "action"),
    [("draft", "adopt"), ("draft", "return"), ("adopted", "return"), ("adopted", "submit")],
)
def test_disallowed_transitions_conflict(city: Any, write: Any, status: str, action: str) -> None:
    bulletin = write(submit=status != "draft")
    if status == "adopted":
        bulletin = act(city, "city_admin", bulletin, "adopt")
    with pytest.raises(ConflictError):
        act(city, "city_admin", bulletin, action, comment="x")


def test_submitting_twice_conflicts(city: Any, write: Any) -> None:
    bulletin = write(submit=True)
    with pytest.raises(ConflictError):
        act(city, "officer", bulletin, "submit")


def test_the_role_is_checked_before_the_state(city: Any, write: Any) -> None:
    bulletin = write()  # a draft: adopting it is a conflict, but not the officer's to try
    with pytest.raises(PermissionDenied):
        act(city, "officer", bulletin, "adopt")


def test_a_stale_version_conflicts(city: Any, write: Any) -> None:
    bulletin = write(submit=True)
    act(city, "city_admin", bulletin, "return", comment="请补充图片")
    with pytest.raises(ConflictError):
        act(city, "city_admin", bulletin, "adopt", expected_version=bulletin.version)


def test_writers_and_their_scope(city: Any, campaign: Any) -> None:
    def create(role: str, unit: Any) -> Bulletin:
        return bulletin_create(
            actor=city.user(role),
            campaign=campaign,
            unit=unit,
            kind="news",
            title="动态信息",
            body="正文",
        )

    assert create("unit_admin", city.station_a).unit == city.station_a  # a unit below
    assert create("city_admin", city.station_b).unit == city.station_b
    for role in ("leader", "inspector"):
        with pytest.raises(PermissionDenied):
            create(role, city.station_a)
    with pytest.raises(ValidationError) as error:
        create("officer", city.station_b)  # another county
    assert "unit" in error.value.message_dict
    with pytest.raises(ValidationError):
        create("unit_admin", city.county_b)


def test_an_officer_edits_only_their_own(city: Any, write: Any) -> None:
    theirs = write(actor=city.user("unit_admin"))
    with pytest.raises(PermissionDenied):
        bulletin_update(
            actor=city.user("officer"), bulletin_id=theirs.pk, kind="news", title="改", body="改"
        )
    with pytest.raises(PermissionDenied):
        act(city, "officer", theirs, "submit")
    mine = write()
    bulletin_update(
        actor=city.user("unit_admin"), bulletin_id=mine.pk, kind="news", title="改", body="改"
    )  # the unit's lead may edit what its officers wrote


def test_submitted_and_adopted_bulletins_cannot_change(city: Any, write: Any) -> None:
    bulletin = write(submit=True)
    with pytest.raises(ConflictError):
        bulletin_update(
            actor=city.user("officer"), bulletin_id=bulletin.pk, kind="news", title="改", body="改"
        )


def test_bad_text_is_refused(write: Any) -> None:
    with pytest.raises(ValidationError) as error:
        write(title="标" * 101, body="  ")
    assert set(error.value.message_dict) == {"title"}
    with pytest.raises(ValidationError) as error:
        write(body=" \n ")
    assert set(error.value.message_dict) == {"body"}
    with pytest.raises(ValidationError) as error:
        write(kind="poem")
    assert set(error.value.message_dict) == {"kind"}


def test_body_line_endings_are_normalised(write: Any) -> None:
    bulletin = write(body="第一段。\r\n\r\n第二段。  \r\n")
    assert bulletin.body == "第一段。\n\n第二段。"
    assert bulletin.paragraphs == ["第一段。", "第二段。"]


def test_reading_scope(city: Any, write: Any, publish: Any) -> None:
    draft = write()
    published = publish("已采用的快报")
    other_draft = write(unit=city.station_b, actor=city.user("officer_b"))
    for role in ("officer", "unit_admin", "city_admin", "leader"):
        assert bulletin_get(user=city.user(role), pk=draft.pk)
    for role in ("officer_b", "inspector"):
        with pytest.raises(Bulletin.DoesNotExist):
            bulletin_get(user=city.user(role), pk=draft.pk)
        assert bulletin_get(user=city.user(role), pk=published.pk)  # the column is city-wide
    with pytest.raises(Bulletin.DoesNotExist):
        bulletin_get(user=city.user("officer"), pk=other_draft.pk)
