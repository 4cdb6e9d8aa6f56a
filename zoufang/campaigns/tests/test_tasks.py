"""Tasks: lead leader, responsible units, deadline, progress reports, done, overdue; the
leader's page; meetings."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zoufang.campaigns.models import Assignment, Task, TaskReport
from zoufang.campaigns.selectors import task_figures
from zoufang.campaigns.services import meeting_record, task_create, task_mark_done, task_report
from zoufang.core.errors import ConflictError

pytestmark = pytest.mark.django_db


def make_task(city: Any, campaign: Any, **kw: Any) -> Task:
    values = {
        "title": "走访辖区重点企业",
        "lead_leader": city.leader,
        "responsible_units": [city.station_a, city.station_b],
        "deadline": datetime.date(2022, 2, 28),
    }
    values.update(kw)
    return task_create(actor=city.user("city_admin"), campaign=campaign, **values)


def test_task_rules(city: Any, campaign: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        task_create(
            actor=city.user("city_admin"),
            campaign=campaign,
            title="x",
            lead_leader=city.officer,
            responsible_units=[],
            deadline=datetime.date(2021, 1, 1),
        )
    assert set(caught.value.message_dict) == {"lead_leader", "responsible_units", "deadline"}


def test_reports_done_and_on_time(city: Any, campaign: Any) -> None:
    task = make_task(city, campaign)
    with pytest.raises(PermissionDenied):
        task_report(actor=city.user("officer_b"), task=task, unit=city.station_a, text="代报")
    with pytest.raises(ValidationError):
        task_report(actor=city.user("officer"), task=task, unit=city.county_b, text="不是责任单位")
    task_report(actor=city.user("officer"), task=task, unit=city.station_a, text="已走访企业12家")
    task.refresh_from_db()
    assert task.status == "in_progress"
    with pytest.raises(PermissionDenied):
        task_mark_done(actor=city.user("leader"), task=task)
    task_mark_done(actor=city.user("city_admin"), task=task)
    with pytest.raises(ConflictError):
        task_report(actor=city.user("officer"), task=task, unit=city.station_a, text="晚了")
    task.refresh_from_db()
    assert task.status == "done" and task.done_on_time is False  # done in 2026, due 2022
    figures = task_figures(
        campaign=campaign, since=datetime.date(2022, 1, 1), until=datetime.date(2022, 3, 31)
    )
    assert figures[city.station_a.pk] == {"due": 1, "done_on_time": 0}


def test_task_board_page_shows_overdue_and_scope(city: Any, campaign: Any, login: Any) -> None:
    make_task(city, campaign, responsible_units=[city.station_a])
    make_task(city, campaign, title="另一县的任务", responsible_units=[city.station_b])
    page = login("officer").get(reverse("campaigns:campaign_detail", args=[campaign.slug]))
    assert [t.title for t in page.context["tasks"]] == ["走访辖区重点企业"]
    assert "逾期" in page.content.decode()
    assert (
        len(
            login("leader")
            .get(reverse("campaigns:campaign_detail", args=[campaign.slug]))
            .context["tasks"]
        )
        == 2
    )


def test_report_with_an_attachment_through_the_page(city: Any, campaign: Any, login: Any) -> None:
    task = make_task(city, campaign)
    url = reverse("campaigns:task_report", args=[campaign.slug, task.pk])
    response = login("officer").post(
        url,
        {
            "unit": "JZ0101",
            "text": "已完成一半",
            "attachment": SimpleUploadedFile("进展.pdf", b"%PDF-1.4\n%%EOF\n"),
        },
    )
    assert response.status_code == 302
    report = TaskReport.objects.get()
    assert report.attachment.name.endswith(".pdf") and report.submitted_by == city.user("officer")


def test_a_text_file_is_not_an_attachment(city: Any, campaign: Any, login: Any) -> None:
    task = make_task(city, campaign)
    url = reverse("campaigns:task_report", args=[campaign.slug, task.pk])
    attachment = SimpleUploadedFile("进展.txt", "走访记录".encode())
    response = login("officer").post(
        url, {"unit": "JZ0101", "text": "已完成一半", "attachment": attachment}, follow=True
    )
    assert not TaskReport.objects.exists()
    assert "附件只能是 PDF" in response.content.decode()


def test_leader_page(city: Any, campaign: Any, login: Any) -> None:
    make_task(city, campaign)
    Assignment.objects.create(campaign=campaign, leader=city.leader, unit=city.county_a)
    page = login("leader").get(
        reverse("campaigns:leader", args=[campaign.slug, city.leader.badge_no])
    )
    assert [t.title for t in page.context["tasks"]] == ["走访辖区重点企业"]
    assert [u.code for u in page.context["units"]] == ["JZ01"]


def test_meetings(city: Any, campaign: Any, login: Any) -> None:
    meeting_record(
        actor=city.user("unit_admin"),
        campaign=campaign,
        unit=city.county_a,
        date=datetime.date(2022, 1, 5),
        kind="leading_group",
        level="county",
        title="成立大走访活动领导小组",
        attendees=15,
    )
    with pytest.raises(ValidationError):
        meeting_record(
            actor=city.user("unit_admin"),
            campaign=campaign,
            unit=city.county_a,
            date=datetime.date(2099, 1, 5),
            kind="meeting",
            level="county",
            title="未来的会",
        )
    url = reverse("campaigns:meeting_list", args=[campaign.slug])
    response = login("unit_admin").post(
        url,
        {
            "unit": "JZ0101",
            "date": "2022-01-08",
            "kind": "meeting",
            "level": "unit",
            "title": "动员部署会",
            "attendees": "20",
        },
    )
    assert response.status_code == 302
    assert [m.title for m in login("officer").get(url).context["meetings"]] == ["动员部署会"]
