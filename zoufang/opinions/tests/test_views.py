"""Staff pages: list with overdue flags and bulk assignment, registration with merging,
the detail page's actions, the visit card, survey results."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zoufang.opinions.models import Category, Opinion
from zoufang.opinions.services import opinion_transition, survey_submit

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def test_list_flags_overdue_and_counts(city: Any, login: Any, register: Any) -> None:
    with time_machine.travel(datetime.datetime(2022, 3, 7, 9, tzinfo=TZ), tick=False):
        late = register("逾期的意见")
        opinion_transition(
            actor=city.user("city_admin"), opinion_id=late.pk, action="assign", unit=city.station_a
        )
        register("新的意见")
    with time_machine.travel(datetime.datetime(2022, 3, 10, 9, tzinfo=TZ), tick=False):
        client = login("officer")
        response = client.get(reverse("opinions:opinion_list"))
        body = response.content.decode()
        assert response.context["counts"]["overdue"] == 1
        assert body.count(">逾期<") >= 1
        only_late = client.get(reverse("opinions:opinion_list"), {"overdue": "1"})
        assert [o.pk for o in only_late.context["page"]] == [late.pk]
        assert "本单位待办提醒" in body


def test_list_query_count_is_constant(city: Any, login: Any, register: Any) -> None:
    client = login("city_admin")
    register()
    client.get(reverse("opinions:opinion_list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("opinions:opinion_list"))
    for i in range(20):
        o = register(f"意见{i}", unit=city.station_b, actor=city.user("officer_b"))
        opinion_transition(
            actor=city.user("city_admin"), opinion_id=o.pk, action="assign", unit=city.station_b
        )
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("opinions:opinion_list"))
    assert len(many) == len(few), "\n".join(q["sql"] for q in many.captured_queries)


def test_bulk_assignment(city: Any, login: Any, register: Any) -> None:
    first, second = register("一"), register("二")
    assigned = register("已交办")
    opinion_transition(
        actor=city.user("city_admin"), opinion_id=assigned.pk, action="assign", unit=city.station_a
    )
    response = login("city_admin").post(
        reverse("opinions:opinion_bulk_assign"),
        {"opinions": [first.pk, second.pk, assigned.pk], "unit": "JZ0201"},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert "已将2件意见建议交办给解放路派出所" in messages
    assert any(f"第{assigned.pk}号意见建议未能交办" in m for m in messages)
    assert set(Opinion.objects.filter(unit=city.station_b).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }


def test_register_with_a_suggestion_and_merge(city: Any, login: Any, register: Any) -> None:
    existing = register("小区路灯太暗，希望加强夜间巡逻")
    client = login("officer")
    similar = client.post(
        reverse("opinions:opinion_similar"), {"content": "路灯太暗了，晚上希望多巡逻"}
    )
    assert [o.pk for o, _ in similar.context["similar"]] == [existing.pk]
    assert similar.context["suggestion"].code == "public_order"
    response = client.post(
        reverse("opinions:opinion_create"),
        {
            "origin_unit": "JZ0101",
            "content": "路灯太暗了，晚上希望多巡逻",
            "source": "visit",
            "merge_into": existing.pk,
        },
    )
    new = Opinion.objects.latest("id")
    assert response["Location"] == reverse("opinions:opinion_detail", args=[new.pk])
    assert new.merged_into == existing
    assert new.category is not None and new.category.code == "public_order"


def test_detail_offers_only_the_allowed_actions(city: Any, login: Any, register: Any) -> None:
    opinion = register()
    url = reverse("opinions:opinion_detail", args=[opinion.pk])
    assert login("city_admin").get(url).context["actions"] == ["assign", "close"]
    assert login("officer").get(url).context["actions"] == []
    login("city_admin").post(
        reverse("opinions:opinion_act", args=[opinion.pk]),
        {"action": "assign", "unit": "JZ0101", "version": 1},
    )
    assert login("officer").get(url).context["actions"] == ["accept", "return"]


def test_a_refused_action_says_why(city: Any, login: Any, register: Any) -> None:
    opinion = register()
    client = login("city_admin")
    act = reverse("opinions:opinion_act", args=[opinion.pk])
    response = client.post(act, {"action": "assign", "version": 1}, follow=True)
    assert "请选择责任单位" in [str(m) for m in response.context["messages"]]
    client.post(act, {"action": "assign", "unit": "JZ0101", "version": 1})
    stale = client.post(act, {"action": "close", "reason": "重复", "version": 1}, follow=True)
    assert "您打开后意见建议已有变化，请刷新后再操作" in [str(m) for m in stale.context["messages"]]
    assert Opinion.objects.get().status == "assigned"


def test_visit_card_and_survey_results(city: Any, login: Any) -> None:
    card = login("officer").get(reverse("opinions:visit_card", args=["JZ0101"]))
    body = card.content.decode()
    assert body.count("<svg") == 8  # two codes on each of four cards
    assert "/p/JZ0101/" in body and "/p/JZ0101/survey/" in body
    survey_submit(unit=city.station_a, security="safe", satisfaction="satisfied", visited=True)
    survey_submit(
        unit=city.station_a, security="unsafe", satisfaction="dissatisfied", visited=False
    )
    rows = login("unit_admin").get(reverse("opinions:survey_results")).context["rows"]
    assert [
        (r["unit"].code, r["answers"], r["security_rate"], r["satisfaction_rate"]) for r in rows
    ] == [("JZ0101", 2, 0.5, 0.5)]


def test_the_city_office_maintains_categories_in_the_admin(city: Any, login: Any) -> None:
    client = login("city_admin")
    assert client.get("/admin/opinions/category/").status_code == 200
    response = client.post(
        "/admin/opinions/category/add/",
        {
            "code": "fire",
            "name": "消防",
            "keywords": "消防,火灾",
            "accept_days": 1,
            "reply_days": 3,
            "urgent_reply_days": 1,
            "sort_order": 20,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert Category.objects.get(code="fire").reply_days == 3
    officer = login("officer").get("/admin/opinions/category/")
    assert officer.status_code == 302 and "/admin/login/" in officer["Location"]
