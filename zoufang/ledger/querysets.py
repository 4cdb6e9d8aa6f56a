"""Querysets of visits and roll-ups; every read goes through `visible_to(user)`."""

from __future__ import annotations

import datetime
from typing import Self

from zoufang.org.querysets import ScopedQuerySet


class VisitQuerySet(ScopedQuerySet):
    """Visits, visible through their unit."""

    def between(self, since: datetime.date | None, until: datetime.date | None) -> Self:
        """Visits on or after `since` and on or before `until` (either may be None)."""
        qs = self
        if since:
            qs = qs.filter(visit_date__gte=since)
        if until:
            qs = qs.filter(visit_date__lte=until)
        return qs


class VisitDailyQuerySet(ScopedQuerySet):
    """Daily roll-ups, visible through their unit."""

    def between(self, since: datetime.date | None, until: datetime.date | None) -> Self:
        """Roll-ups of days from `since` to `until` (either may be None)."""
        qs = self
        if since:
            qs = qs.filter(day__gte=since)
        if until:
            qs = qs.filter(day__lte=until)
        return qs
