"""The demo bulletins: a spread across the units, planted gaps, all of it in 2022."""

from __future__ import annotations

import datetime
import random
from typing import Any

import pytest
from django.db.models import Count, Max, Min

from zoufang.bulletins.demo import ZERO_RESULT_UNITS, build_demo_bulletins
from zoufang.bulletins.models import Bulletin, BulletinView
from zoufang.bulletins.selectors import ColumnFilters, Tab, column_list, hot_window
from zoufang.demo.services import build_campaign, build_officers, build_units
from zoufang.org.models import UnitKind, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_city() -> Any:
    rng = random.Random(1)
    units = build_units(rng)
    build_officers(rng, units, 0.0)
    return build_campaign()


def test_demo_bulletins(demo_city: Any) -> None:
    admin = User.objects.get(username="admin")
    made = build_demo_bulletins(rng=random.Random(5), campaign=demo_city, admin_user=admin)
    assert made == Bulletin.objects.count() > 100
    assert not Bulletin.objects.filter(unit__code__in=ZERO_RESULT_UNITS).exists()

    per_kind = dict(Bulletin.objects.values_list("unit__kind").annotate(n=Count("id")).order_by())
    assert 20 <= per_kind[UnitKind.COUNTY_BUREAU] <= 40
    assert per_kind[UnitKind.STATION] > 5 * (
        per_kind.get(UnitKind.POLICE_BRANCH, 0) + per_kind.get(UnitKind.AGENCY_DEPT, 0)
    )
    statuses = dict(Bulletin.objects.values_list("status").annotate(n=Count("id")).order_by())
    assert statuses["adopted"] > made * 0.6
    assert statuses["returned"] > 0 and statuses["submitted"] > 0

    span = Bulletin.objects.aggregate(
        first=Min("created_at"), last=Max("updated_at"), last_pub=Max("published_at")
    )
    assert all(moment.year == 2022 for moment in span.values())
    days = BulletinView.objects.aggregate(first=Min("day"), last=Max("day"))
    assert days["first"].year == days["last"].year == 2022
    assert Bulletin.objects.exclude(status="adopted").filter(views__gt=0).count() == 0

    # Read today, the hot tabs show the campaign's last busy weeks.
    week: list[Any] = list(column_list(filters=ColumnFilters(tab=Tab.WEEK)))
    assert week and week[0].hot >= week[-1].hot
    assert hot_window(Tab.WEEK)[1] <= datetime.date(2022, 12, 31)

    # The same seed writes the same bulletins.
    first = list(Bulletin.objects.order_by("id").values_list("unit__code", "title", "status"))
    Bulletin.objects.all().delete()
    build_demo_bulletins(rng=random.Random(5), campaign=demo_city, admin_user=admin)
    again = Bulletin.objects.order_by("id").values_list("unit__code", "title", "status")
    assert list(again) == first
