"""Working days: the State Council's holiday schedule with its 调休 make-up days
(the chinese-calendar package), overridden by the city office's own entries.

Outside the years the package knows, Monday to Friday are working days unless overridden.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

import chinese_calendar

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkCalendar:
    """A working-day calendar; `overrides` maps a day to whether it is a working day."""

    overrides: dict[datetime.date, bool] = field(default_factory=dict)

    def is_working_day(self, day: datetime.date) -> bool:
        """Whether people work on `day`."""
        if day in self.overrides:
            return self.overrides[day]
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            logger.warning("no holiday schedule for %s; counting Monday to Friday", day.year)
            return day.weekday() < 5

    def add_working_days(self, start: datetime.date, days: int) -> datetime.date:
        """The `days`-th working day after `start` (`start` itself does not count)."""
        day = start
        remaining = days
        while remaining > 0:
            day += datetime.timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after `start` up to and including `end` (0 if end ≤ start)."""
        count, day = 0, start
        while day < end:
            day += datetime.timedelta(days=1)
            count += self.is_working_day(day)
        return count


def work_calendar() -> WorkCalendar:
    """The calendar with the city office's overrides (one query)."""
    from .models import WorkdayOverride

    return WorkCalendar(dict(WorkdayOverride.objects.values_list("day", "is_working_day")))
