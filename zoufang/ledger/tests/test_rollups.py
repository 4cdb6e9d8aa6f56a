"""The two roll-up grains: the city-wide one is read only by users who see the whole city,
gives them the same figures as the unit roll-ups would, and hides sensitive target types
from the uncleared as the unit roll-ups do."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from zoufang.ledger import querysets
from zoufang.ledger.models import TargetType, VisitDaily, VisitDailyCity
from zoufang.ledger.selectors import visit_totals, visit_trend
from zoufang.ledger.tests.factories import make_visit

pytestmark = pytest.mark.django_db

SINCE, UNTIL = datetime.date(2022, 3, 1), datetime.date(2022, 3, 31)


@pytest.fixture
def visits(city: Any) -> None:
    for day in (3, 15, 15, 28):
        make_visit(city.officer, visit_date=datetime.date(2022, 3, day))
    make_visit(city.officer_b, visit_date=datetime.date(2022, 3, 15))
    make_visit(
        city.officer, visit_date=datetime.date(2022, 3, 15), target_type=TargetType.KEY_PERSON
    )


def total(user: Any, **kwargs: Any) -> int:
    return visit_totals(user=user, since=SINCE, until=UNTIL, **kwargs)[0]["visits"]


def test_only_city_wide_users_read_the_city_rollup(city: Any, visits: None) -> None:
    assert VisitDailyCity.objects.visible_to(city.user("city_admin")).exists()
    assert not VisitDailyCity.objects.visible_to(city.user("unit_admin")).exists()
    assert not VisitDailyCity.objects.visible_to(city.user("officer")).exists()


def test_city_wide_figures_equal_the_sum_of_the_units(city: Any, visits: None) -> None:
    admin = city.user("city_admin")
    by_unit = sum(
        row["visits"] for row in visit_totals(user=admin, since=SINCE, until=UNTIL, unit=city.city)
    )

    assert total(admin) == by_unit == 6
    by_type = visit_totals(user=admin, since=SINCE, until=UNTIL, group_by=("target_type",))
    assert {row["target_type"]: row["visits"] for row in by_type} == {
        TargetType.RESIDENT: 5,
        TargetType.KEY_PERSON: 1,
    }
    weeks = visit_trend(user=admin, since=SINCE, until=UNTIL)
    assert sum(week["visits"] for week in weeks) == 6


def test_an_uncleared_city_wide_user_does_not_count_sensitive_visits(
    city: Any, visits: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    leader = city.user("leader")
    assert total(leader) == 6  # cleared
    # No city-wide role is uncleared today; the rule holds if one ever is.
    monkeypatch.setattr(querysets, "sees_sensitive", lambda user: False)

    assert total(leader) == 5
    assert sum(week["visits"] for week in visit_trend(user=leader, since=SINCE, until=UNTIL)) == 5


def test_a_county_reads_its_own_units(city: Any, visits: None) -> None:
    assert total(city.user("unit_admin")) == 5  # county A: four visits and the key person
    assert VisitDaily.objects.filter(unit=city.station_b).exists()
