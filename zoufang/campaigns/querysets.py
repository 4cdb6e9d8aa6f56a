"""Querysets of campaigns and phases."""

from __future__ import annotations

import datetime
from typing import Self

from django.db import models

from zoufang.org.querysets import ScopedQuerySet


class PhaseQuerySet(models.QuerySet):
    """Phases of campaigns."""

    def covering(self, day: datetime.date) -> Self:
        """Phases whose dates include the day."""
        return self.filter(start_date__lte=day, end_date__gte=day)


class TaskQuerySet(ScopedQuerySet):
    """Tasks, visible when one of their responsible units is in scope."""

    unit_lookups = ("responsible_units",)
    scope_through_many = True

    def overdue(self, today: datetime.date) -> Self:
        """Tasks not done by their deadline."""
        return self.exclude(status="done").filter(deadline__lt=today)
