"""Querysets of campaigns and phases."""

from __future__ import annotations

import datetime
from typing import Self

from django.db import models


class PhaseQuerySet(models.QuerySet):
    """Phases of campaigns."""

    def covering(self, day: datetime.date) -> Self:
        """Phases whose dates include the day."""
        return self.filter(start_date__lte=day, end_date__gte=day)
