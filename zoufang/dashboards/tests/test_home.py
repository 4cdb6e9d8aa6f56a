"""The overview dashboard reads the roll-ups of the user's scope."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zoufang.campaigns.services import campaign_create, phase_create
from zoufang.core.actors import SYSTEM
from zoufang.ledger.models import Channel, TargetType
from zoufang.ledger.tests.factories import make_visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def phase(city: Any) -> Any:
    campaign = campaign_create(
        actor=SYSTEM,
        slug="c",
        name="2022年大走访开门评",
        start_date=datetime.date(2022, 1, 1),
        end_date=datetime.date(2022, 12, 31),
    )
    return phase_create(
        actor=SYSTEM,
        campaign=campaign,
        slug="p1",
        name="1–2月 双节两会",
        start_date=datetime.date(2022, 1, 1),
        end_date=datetime.date(2022, 2, 28),
    )


def test_counts_by_type_and_channel_for_the_phase(city: Any, login: Any, phase: Any) -> None:
    day = datetime.date(2022, 1, 10)
    make_visit(
        city.officer, visit_date=day, target_type=TargetType.KEY_PERSON, is_return_visit=True
    )
    make_visit(city.officer, visit_date=day, channel=Channel.WECHAT, opinions_collected=2)
    make_visit(city.officer, visit_date=datetime.date(2022, 3, 1))  # another phase
    make_visit(city.officer_b, visit_date=day)  # another county
    response = login("unit_admin").get(reverse("dashboards:home"), {"phase": phase.pk})
    overview = response.context["overview"]
    assert overview.totals["visits"] == 2
    assert overview.totals["return_visits"] == 1
    assert overview.totals["opinions_collected"] == 2
    by_type = {row["code"]: row["visits"] for row in overview.by_target_type}
    assert by_type["key_person"] == 1 and by_type["resident"] == 1
    assert overview.online_share == 0.5
    body = response.content.decode()
    assert "重点人员" in body
    assert {card["key"]: card["value"] for card in response.context["cards"]}["visits_people"] == 2


def test_query_count_is_constant(city: Any, login: Any, phase: Any) -> None:
    client = login("city_admin")
    url = reverse("dashboards:home")
    make_visit(city.officer, visit_date=datetime.date(2022, 1, 3))
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(20):
        make_visit(city.officer_b, visit_date=datetime.date(2022, 1, 3 + n % 20))
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few) <= 20
    assert not any(
        'ledger_visit"' in q["sql"] and "FROM" in q["sql"] for q in many.captured_queries
    )
