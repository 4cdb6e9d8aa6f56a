"""Querysets of inspections and findings."""

from __future__ import annotations

import datetime
from typing import Self

from zoufang.org.querysets import ScopedQuerySet


class InspectionQuerySet(ScopedQuerySet):
    """Inspections, visible when one of the inspected units is in scope."""

    unit_lookups = ("units",)
    scope_through_many = True


class FindingQuerySet(ScopedQuerySet):
    """Findings, visible through the unit they are about."""

    def overdue(self, today: datetime.date) -> Self:
        """Findings not rectified by their deadline."""
        return self.filter(status="open", rectify_by__lt=today)
