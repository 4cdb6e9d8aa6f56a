"""Working days across the 2022 Spring Festival, with its 调休 Saturday and Sunday."""

from __future__ import annotations

import datetime

from zoufang.core.workdays import WorkCalendar

D = datetime.date


def test_spring_festival_2022() -> None:
    calendar = WorkCalendar()
    # 2022-01-29 (Sat) and 01-30 (Sun) were make-up working days; 01-31 to 02-06 holidays.
    assert calendar.is_working_day(D(2022, 1, 29))
    assert calendar.is_working_day(D(2022, 1, 30))
    assert not calendar.is_working_day(D(2022, 2, 1))
    # Accept within 1 working day of Friday 01-28: the make-up Saturday.
    assert calendar.add_working_days(D(2022, 1, 28), 1) == D(2022, 1, 29)
    # Reply within 5 working days of Saturday 01-29: 01-30, then 02-07 … 02-10.
    assert calendar.add_working_days(D(2022, 1, 29), 5) == D(2022, 2, 10)
    assert calendar.working_days_between(D(2022, 1, 28), D(2022, 2, 8)) == 4


def test_overrides_win() -> None:
    calendar = WorkCalendar({D(2022, 3, 7): False, D(2022, 3, 5): True})
    assert calendar.add_working_days(D(2022, 3, 4), 1) == D(2022, 3, 5)
    assert calendar.add_working_days(D(2022, 3, 5), 1) == D(2022, 3, 8)


def test_years_the_schedule_does_not_know_count_weekdays() -> None:
    calendar = WorkCalendar()
    assert calendar.add_working_days(D(2030, 1, 4), 1) == D(2030, 1, 7)  # Fri → Mon
