"""Querysets of opinions, reminders and survey answers; reads go through `visible_to(user)`."""

from __future__ import annotations

import datetime
from typing import Self

from django.utils import timezone

from zoufang.core.days import on_days
from zoufang.org.querysets import ScopedQuerySet

OPEN_FOR_UNIT = ("assigned", "in_progress", "reopened")


class OpinionQuerySet(ScopedQuerySet):
    """Opinions, visible to the scope of the unit that collected them and of the unit
    responsible for them."""

    unit_lookups = ("unit", "origin_unit")

    def overdue(self, today: datetime.date | None = None) -> Self:
        """Opinions the responsible unit has not accepted or replied to by the deadline."""
        today = today or timezone.localdate()
        return self.filter(status__in=OPEN_FOR_UNIT, deadline__lt=today)

    def open(self) -> Self:
        """Opinions not closed."""
        return self.exclude(status="closed")


class ReminderQuerySet(ScopedQuerySet):
    """Reminders, visible through their unit."""


class SurveyResponseQuerySet(ScopedQuerySet):
    """Survey answers, visible through their unit."""

    def between(self, since: datetime.date | None, until: datetime.date | None) -> Self:
        """Answers submitted on days from `since` to `until`."""
        return self.filter(on_days("submitted_at", since, until))
