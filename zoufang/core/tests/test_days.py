"""`on_days`: a day range on a datetime column is the same rows as the `__date` lookups,
with the day boundaries of Asia/Shanghai (not UTC)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.sessions.models import Session

from zoufang.core.days import day_start, on_days

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = datetime.UTC


def test_day_start_is_local_midnight() -> None:
    start = day_start(datetime.date(2026, 4, 1))

    assert start == datetime.datetime(2026, 4, 1, tzinfo=SHANGHAI)
    assert start.astimezone(UTC) == datetime.datetime(2026, 3, 31, 16, 0, tzinfo=UTC)


def test_open_ends_filter_nothing() -> None:
    assert not on_days("expire_date", None, None)


@pytest.mark.django_db
def test_same_rows_as_the_date_lookup() -> None:
    moments = [
        datetime.datetime(2026, 3, 31, 15, 59, 59, tzinfo=UTC),  # 3-31 23:59:59 local
        datetime.datetime(2026, 3, 31, 16, 0, 0, tzinfo=UTC),  # 4-01 00:00 local
        datetime.datetime(2026, 4, 2, 15, 59, 59, 999999, tzinfo=UTC),  # 4-02 last instant
        datetime.datetime(2026, 4, 2, 16, 0, 0, tzinfo=UTC),  # 4-03 00:00 local
    ]
    logs = [
        Session.objects.create(session_key=f"days{i}", session_data="", expire_date=at)
        for i, at in enumerate(moments)
    ]
    since, until = datetime.date(2026, 4, 1), datetime.date(2026, 4, 2)
    ids = {log.pk for log in logs}
    rows = Session.objects.filter(pk__in=ids)

    by_range = set(rows.filter(on_days("expire_date", since, until)).values_list("pk", flat=True))
    by_date = set(
        rows.filter(expire_date__date__gte=since, expire_date__date__lte=until).values_list(
            "pk", flat=True
        )
    )

    assert by_range == by_date == {logs[1].pk, logs[2].pk}
    only_since = set(rows.filter(on_days("expire_date", since, None)).values_list("pk", flat=True))
    assert only_since == {logs[1].pk, logs[2].pk, logs[3].pk}
