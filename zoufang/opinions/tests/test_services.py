"""Merging, categories, reminders, closing unrated replies, concurrency, the visit hook."""

from __future__ import annotations

import datetime
import threading
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import close_old_connections, connection

from zoufang.core.errors import ConflictError
from zoufang.ledger.services import visit_delete
from zoufang.ledger.tests.factories import make_visit
from zoufang.opinions.models import Category, Opinion, OpinionEvent, Reminder
from zoufang.opinions.services import (
    category_suggest,
    opinion_merge,
    opinion_rate_by_token,
    opinion_set_category,
    opinion_transition,
    opinions_close_unrated,
    reminders_generate,
)

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def assign_accept(city: Any, opinion: Opinion, unit: Any = None) -> Opinion:
    opinion_transition(
        actor=city.user("city_admin"),
        opinion_id=opinion.pk,
        action="assign",
        unit=unit or city.station_a,
    )
    return opinion_transition(actor=city.user("officer"), opinion_id=opinion.pk, action="accept")


def test_merged_opinions_are_handled_once_and_rated_each(city: Any, register: Any) -> None:
    primary = register("希望加强夜间巡逻，小区路灯暗")
    twin = register("小区路灯暗，晚上希望多巡逻", source="form")
    with pytest.raises(PermissionDenied):
        opinion_merge(actor=city.user("leader"), opinion_id=twin.pk, into_id=primary.pk)
    opinion_merge(actor=city.user("officer"), opinion_id=twin.pk, into_id=primary.pk)
    assign_accept(city, primary)
    opinion_transition(
        actor=city.user("officer"),
        opinion_id=primary.pk,
        action="reply",
        reply="已安排夜巡",
        measures="增加夜间巡逻频次",
    )
    twin.refresh_from_db()
    assert (twin.status, twin.reply, twin.unit) == ("replied", "已安排夜巡", city.station_a)
    # Acting on the merged one directly is refused, except rating.
    with pytest.raises(ConflictError):
        opinion_transition(
            actor=city.user("city_admin"), opinion_id=twin.pk, action="close", reason="x"
        )
    opinion_rate_by_token(token=twin.token, rating="satisfied")
    opinion_rate_by_token(token=primary.token, rating="dissatisfied")
    twin.refresh_from_db()
    primary.refresh_from_db()
    assert (twin.status, primary.status) == ("closed", "reopened")
    assert twin.events.filter(action="reply").get().note.startswith(f"随第{primary.pk}号")


def test_merge_needs_a_fresh_opinion(city: Any, register: Any) -> None:
    first, second = register("一"), register("二")
    assign_accept(city, second)
    with pytest.raises(ConflictError):
        opinion_merge(actor=city.user("officer"), opinion_id=second.pk, into_id=first.pk)


def test_confirmed_categories_train_the_suggestion(city: Any, register: Any) -> None:
    service = Category.objects.get(code="service_window")
    assert category_suggest("窗口排队太久") == service
    # No keyword matches these; after people confirm enough examples, the classifier learns.
    assert category_suggest("警车鸣笛") is None
    traffic = Category.objects.get(code="traffic")
    for i in range(30):
        o = register(f"警车鸣笛太吵{i}")
        opinion_set_category(actor=city.user("officer"), opinion_id=o.pk, category=traffic)
        o = register(f"办证大厅空调不凉{i}")
        opinion_set_category(actor=city.user("officer"), opinion_id=o.pk, category=service)
    assert category_suggest("警车鸣笛") == traffic
    assert category_suggest("大厅空调") == service


def test_reminders_before_and_at_the_deadline(city: Any, register: Any) -> None:
    with time_machine.travel(datetime.datetime(2022, 3, 7, 9, tzinfo=TZ), tick=False):  # Monday
        opinion = register()
        assign_accept(city, opinion)  # reply due 2022-03-14
    assert Reminder.objects.filter(opinion=opinion, kind="assigned", done=True).exists()
    for day, kind in ((11, "due_soon"), (14, "due_today"), (15, "overdue")):
        with time_machine.travel(datetime.datetime(2022, 3, day, 8, tzinfo=TZ), tick=False):
            assert reminders_generate() == 1
            assert reminders_generate() == 0  # once per deadline
        assert Reminder.objects.filter(opinion=opinion, kind=kind, unit=city.station_a).exists()


def test_replies_close_unrated_after_seven_days(city: Any, register: Any) -> None:
    with time_machine.travel(datetime.datetime(2022, 3, 7, 9, tzinfo=TZ), tick=False):
        opinion = register()
        assign_accept(city, opinion)
        opinion_transition(
            actor=city.user("officer"),
            opinion_id=opinion.pk,
            action="reply",
            reply="答复",
            measures="措施",
        )
    with time_machine.travel(datetime.datetime(2022, 3, 14, 9, tzinfo=TZ), tick=False):
        assert opinions_close_unrated() == 0
    with time_machine.travel(datetime.datetime(2022, 3, 15, 9, tzinfo=TZ), tick=False):
        assert opinions_close_unrated() == 1
    opinion.refresh_from_db()
    assert (opinion.status, opinion.close_reason, opinion.rating) == ("closed", "unrated", "")
    assert OpinionEvent.objects.filter(opinion=opinion, action="close").get().actor is None


def test_a_visit_with_opinions_cannot_be_deleted(city: Any) -> None:
    visit = make_visit(city.officer, opinions=("希望多宣传",))
    with pytest.raises(ConflictError):
        visit_delete(actor=city.user("unit_admin"), visit_id=visit.pk, expected_version=1)
    assert Opinion.objects.get().visit == visit


def test_submitter_phone_is_sealed(city: Any, register: Any) -> None:
    opinion = register(submitter_phone="139 1234 5678")
    assert opinion.submitter_phone_masked == "139****5678"
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM opinions_opinion")
        assert "13912345678" not in repr(cursor.fetchall())


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="needs a server database for real concurrency"
)
def test_two_concurrent_accepts_cannot_both_succeed(city: Any, register: Any) -> None:
    opinion = register()
    opinion_transition(
        actor=city.user("city_admin"), opinion_id=opinion.pk, action="assign", unit=city.station_a
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept() -> None:
        try:
            barrier.wait()
            opinion_transition(actor=city.user("officer"), opinion_id=opinion.pk, action="accept")
            outcomes.append("ok")
        except ConflictError:
            outcomes.append("conflict")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert OpinionEvent.objects.filter(opinion=opinion, action="accept").count() == 1
