"""Days as ranges of time: a filter for "on days from `since` to `until`" on a datetime column.

Filtering with `created_at__date__gte=` makes the database convert every row's timestamp to a
local date before comparing, so no index on the column can be used (and SQLite does it in
Python). The same days as bounds in the current time zone (Asia/Shanghai) compare the stored
values directly: `[start of since, start of the day after until)`.
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in the current time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def on_days(field: str, since: datetime.date | None, until: datetime.date | None) -> Q:
    """Rows whose `field` (a datetime) falls on a day from `since` to `until`, both included;
    a missing end is open."""
    condition = Q()
    if since:
        condition &= Q(**{f"{field}__gte": day_start(since)})
    if until:
        condition &= Q(**{f"{field}__lt": day_start(until + datetime.timedelta(days=1))})
    return condition
