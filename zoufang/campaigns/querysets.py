"""Querysets of campaigns and phases."""

from __future__ import annotations

import datetime
from typing import Self

from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, Q

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
        """Tasks not done and past their deadline: the one rule of an overdue task
        (`Task.is_overdue` is the same rule for a task in hand)."""
        return self.filter(_overdue(today))

    def with_overdue(self, today: datetime.date) -> Self:
        """The tasks with `overdue_now`: whether each is overdue today (as `overdue`)."""
        return self.annotate(overdue_now=ExpressionWrapper(_overdue(today), BooleanField()))


def _overdue(today: datetime.date) -> Q:
    from .models import TaskStatus

    return Q(deadline__lt=today) & ~Q(status=TaskStatus.DONE)
