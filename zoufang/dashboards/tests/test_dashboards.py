"""Dashboards: every figure drills down to its records; every endpoint keeps its query count
whatever the data; scope as everywhere."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zoufang.campaigns.models import Assignment
from zoufang.ledger.models import Channel, TargetType
from zoufang.ledger.tests.factories import make_visit

pytestmark = pytest.mark.django_db
DAY = datetime.date(2022, 1, 10)


@pytest.fixture
def phase(campaign: Any) -> Any:
    return campaign.phases.get(slug="phase-1")


ENDPOINTS = [
    "dashboards:summary_data",
    "dashboards:trend_data",
    "dashboards:leaderboard_data",
    "dashboards:home",
]


@pytest.mark.parametrize("name", ENDPOINTS)
def test_query_count_does_not_grow_with_the_data(
    name: str, city: Any, phase: Any, login: Any
) -> None:
    client = login("city_admin")
    url = reverse(name) + f"?phase={phase.pk}"
    make_visit(city.officer, visit_date=DAY)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for day in range(25):
        make_visit(
            city.officer_b, visit_date=DAY + datetime.timedelta(days=day), channel=Channel.WECHAT
        )
    from django.core.cache import cache

    cache.clear()
    client.get(url)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few), "\n".join(q["sql"] for q in many.captured_queries)
    assert not any('FROM "ledger_visit"' in q["sql"] for q in many.captured_queries)


def test_trend_and_summary(city: Any, phase: Any, login: Any) -> None:
    make_visit(city.officer, visit_date=datetime.date(2022, 1, 3), channel=Channel.PHONE)  # Monday
    make_visit(city.officer, visit_date=datetime.date(2022, 1, 9))  # Sunday, same week
    make_visit(city.officer, visit_date=datetime.date(2022, 1, 10))
    client = login("unit_admin")
    weeks = client.get(reverse("dashboards:trend_data"), {"phase": phase.pk}).json()["weeks"]
    by_week = {w["week"]: (w["visits"], w["online"]) for w in weeks}
    assert by_week["2022-01-03"] == (2, 1) and by_week["2022-01-10"] == (1, 0)
    assert weeks[0]["week"] == "2021-12-27"  # the week holding the phase's first day
    summary = client.get(reverse("dashboards:summary_data"), {"phase": phase.pk}).json()
    assert summary["summary"]["figures"]["visits_people"]["value"] == 3
    assert summary["summary"]["period"] == {"from": "2022-01-01", "to": "2022-02-28"}
    assert (
        client.get(
            reverse("dashboards:trend_data"), {"phase": phase.pk, "unit": "JZ0201"}
        ).status_code
        == 404
    )


@pytest.mark.parametrize("role", ["city_admin", "leader", "unit_admin", "officer", "inspector"])
def test_every_figure_opens_to_its_records(city: Any, phase: Any, login: Any, role: str) -> None:
    make_visit(city.officer, visit_date=DAY, target_type=TargetType.KEY_PERSON)
    make_visit(city.officer, visit_date=DAY, target_type=TargetType.VENUE, hazards_found=2)
    make_visit(city.officer_b, visit_date=DAY, is_return_visit=True, disputes_mediated=1)
    client = login(role)
    page = client.get(reverse("dashboards:home"), {"phase": phase.pk})
    cards = {card["key"]: card for card in page.context["cards"]}
    for card in cards.values():
        listed = client.get(card["url"])
        if card["value"] is None:  # the figure is hidden, and its records say why
            assert listed.status_code == 403 and "records-refused" in listed.content.decode()
        else:
            assert listed.context["total"] == card["value"], card["key"]
    if role in ("city_admin", "leader"):
        assert cards["key_persons"]["value"] == 1 and cards["hazards"]["value"] == 2
    assert cards["visits_people"]["url"] == (
        "/figures/visits_people/?since=2022-01-01&until=2022-02-28"
    )


def test_leaderboard_and_pages(city: Any, campaign: Any, phase: Any, login: Any) -> None:
    make_visit(city.officer, visit_date=DAY)
    board = login("officer").get(reverse("dashboards:leaderboard_data"), {"phase": phase.pk}).json()
    stations = next(g for g in board["groups"] if g["kind"] == "station")["ranking"]
    assert stations[0]["unit"] == "JZ0101" and "zero_result" in stations[-1]["flags"]
    unit_page = login("unit_admin").get(
        reverse("dashboards:unit", args=["JZ0101"]), {"phase": phase.pk}
    )
    assert unit_page.context["row"]["rank"] == 1
    assert login("unit_admin").get(reverse("dashboards:unit", args=["JZ0201"])).status_code == 404
    Assignment.objects.create(campaign=campaign, leader=city.leader, unit=city.county_a)
    leader_page = login("leader").get(reverse("dashboards:leader_self"), {"phase": phase.pk})
    assert [row["unit"].code for row in leader_page.context["rows"]] == ["JZ01"]
    cards = {card["key"]: card for card in leader_page.context["rows"][0]["cards"]}
    assert cards["visits_people"]["value"] == 1
