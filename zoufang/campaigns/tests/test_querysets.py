"""One rule per question: an overdue task, and city-wide reads."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from zoufang.campaigns.models import Task
from zoufang.campaigns.selectors import overdue_task_counts, task_board
from zoufang.campaigns.services import task_mark_done

from .test_tasks import make_task

pytestmark = pytest.mark.django_db


def test_an_overdue_task_is_the_same_in_sql_and_in_hand(city: Any, campaign: Any) -> None:
    deadline = datetime.date(2022, 3, 31)
    open_task = make_task(city, campaign, deadline=deadline)
    done_task = make_task(city, campaign, title="已办结", deadline=deadline)
    task_mark_done(actor=city.user("city_admin"), task=done_task)
    for today in (deadline, deadline + datetime.timedelta(days=1)):
        in_sql = set(Task.objects.overdue(today).values_list("pk", flat=True))
        annotated = {t.pk for t in Task.objects.with_overdue(today) if t.overdue_now}
        in_hand = {t.pk for t in Task.objects.all() if t.is_overdue(today)}
        assert in_sql == annotated == in_hand
    assert in_sql == {open_task.pk}
    assert not Task.objects.overdue(deadline).exists()  # due that day: not yet overdue


def test_overdue_counts_per_responsible_unit(city: Any, campaign: Any) -> None:
    make_task(city, campaign, deadline=datetime.date(2022, 3, 31))
    counts = overdue_task_counts(campaign=campaign, as_of=datetime.date(2022, 4, 1))
    assert counts == {city.station_a.pk: 1, city.station_b.pk: 1}
    assert overdue_task_counts(campaign=campaign, as_of=datetime.date(2022, 3, 31)) == {}


def test_citywide_reads_every_record_whoever_asks(city: Any, campaign: Any) -> None:
    make_task(city, campaign, responsible_units=[city.station_a])
    assert not task_board(user=city.user("officer_b"), campaign=campaign).exists()
    assert Task.objects.citywide().filter(campaign=campaign).count() == 1
