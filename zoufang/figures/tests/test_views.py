"""The 指标说明 page, the records behind each figure (their count or sum is the figure, for
every role), the refusals that say why, and the `figures` command's exit codes."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from zoufang.assessment.services import service_record_save
from zoufang.figures.links import records_url
from zoufang.figures.registry import FIGURES, REGISTRY
from zoufang.figures.selectors import figure_values
from zoufang.ledger.models import TargetType
from zoufang.ledger.tests.factories import make_visit
from zoufang.opinions.models import Opinion, OpinionSource, OpinionStatus
from zoufang.opinions.services import opinion_register

pytestmark = pytest.mark.django_db
SINCE, UNTIL = datetime.date(2022, 1, 1), datetime.date(2022, 2, 28)
DAY = datetime.date(2022, 1, 10)
ROLES = ("city_admin", "leader", "inspector", "unit_admin", "officer")
ID = "330102199001011237"


@pytest.fixture
def data(city: Any, campaign: Any) -> None:
    """Visits of every kind in both counties, repeated places and persons, opinions and
    便民服务 records inside and across the period's bounds."""
    for officer in (city.officer, city.officer_b):
        make_visit(officer, visit_date=DAY, is_return_visit=True, households_helped=2)
        make_visit(officer, visit_date=DAY, target_type=TargetType.VENUE, target_name="红星网吧")
        make_visit(
            officer,
            visit_date=DAY + datetime.timedelta(days=3),
            target_type=TargetType.VENUE,
            target_name="红星网吧",
            hazards_found=3,
        )
        for day in (DAY, DAY + datetime.timedelta(days=7)):
            make_visit(
                officer,
                visit_date=day,
                target_type=TargetType.KEY_PERSON,
                id_number=ID,
                disputes_mediated=1,
                donation_amount=Decimal("2500.50"),
            )
        make_visit(officer, visit_date=datetime.date(2022, 3, 2))  # outside the period
    admin = city.user("city_admin")
    noon = timezone.make_aware(datetime.datetime.combine(DAY, datetime.time(12)))
    for unit in (city.station_a, city.station_b):
        for text in ("希望增设路灯", "建议加强巡逻"):
            opinion = opinion_register(
                actor=admin, content=text, source=OpinionSource.HOTLINE, origin_unit=unit
            )
            Opinion.objects.filter(pk=opinion.pk).update(created_at=noon)
        Opinion.objects.filter(pk=opinion.pk).update(
            status=OpinionStatus.CLOSED, closed_at=noon + datetime.timedelta(days=5)
        )
    opinion_register(
        actor=admin, content="今天登记的意见", source="form", origin_unit=city.station_a
    )
    for unit, start, end, n in (
        (city.station_a, SINCE, datetime.date(2022, 1, 31), 30),
        (city.station_b, datetime.date(2022, 2, 1), UNTIL, 40),
        (city.station_a, datetime.date(2022, 2, 1), datetime.date(2022, 3, 31), 500),  # spans
    ):
        service_record_save(
            actor=admin,
            unit=unit,
            kind="household_registration",
            period_start=start,
            period_end=end,
            items_delegated=0,
            certificates_handled=n,
        )


def test_the_definitions_page_lists_every_figure(login: Any, city: Any) -> None:
    page = login("officer").get(reverse("figures:definitions"))
    body = page.content.decode()
    assert page.status_code == 200 and "指标说明" in body
    for figure in FIGURES:
        assert f'id="{figure.code}"' in body and str(figure.label) in body
    assert "走访企事业单位、场所" in body and "家" in body and "累计" in body


@pytest.mark.parametrize("role", ROLES)
def test_every_figures_records_give_the_figure(
    city: Any, data: None, login: Any, role: str
) -> None:
    client = login(role)
    user = city.user(role)
    for unit in (None, city.station_a):
        if unit is not None and role == "inspector":
            continue  # no inspection of station A1 in these fixtures: 404, tested below
        values = figure_values(user=user, since=SINCE, until=UNTIL, unit=unit)
        for value in values:
            page = client.get(records_url(value.code, since=SINCE, until=UNTIL, unit=unit))
            if value.value is None:
                assert page.status_code == 403, value.code
                continue
            assert page.status_code == 200, value.code
            total = page.context["total"]
            assert total == value.value, (role, unit, value.code)
            if not page.context["summed"]:
                assert page.context["page"].paginator.count == value.value


def test_the_figures_for_the_city(city: Any, data: None) -> None:
    values = {
        v.code: v.value
        for v in figure_values(user=city.user("city_admin"), since=SINCE, until=UNTIL)
    }
    assert values["visits_people"] == 6 and values["return_visits"] == 2
    assert values["places_visited"] == 2  # one 红星网吧 in each station, visited twice each
    assert values["key_persons"] == 1  # one ID number, whichever unit visited
    assert values["hardship_households"] == 4 and values["hazards"] == 6
    assert values["donations_wan"] == Decimal("1.00") and values["disputes"] == 4
    assert values["certificates"] == 70  # the record spanning March is left out
    assert values["opinions_collected"] == 4 and values["opinions_closed"] == 2


def test_refusals_say_why(city: Any, data: None, login: Any) -> None:
    officer = login("officer")
    other = officer.get(records_url("visits_people", since=SINCE, until=UNTIL, unit="JZ0201"))
    assert other.status_code == 404
    assert "不在您的查看范围内" in other.content.decode()
    assert "figure-records" not in other.content.decode()  # no list of anything else
    hidden = officer.get(records_url("key_persons", since=SINCE, until=UNTIL))
    assert hidden.status_code == 403 and "无权查看重点人员" in hidden.content.decode()
    bad = officer.get(reverse("figures:records", args=["hazards"]), {"since": "2022-13-01"})
    assert bad.status_code == 400 and "有效的日期" in bad.content.decode()
    backwards = officer.get(
        reverse("figures:records", args=["hazards"]),
        {"since": "2022-03-01", "until": "2022-01-01"},
    )
    assert backwards.status_code == 400 and "截止日期早于起始日期" in backwards.content.decode()
    assert officer.get(reverse("figures:records", args=["nope"])).status_code == 404


def test_the_places_list_names_each_place_once(city: Any, data: None, login: Any) -> None:
    page = login("unit_admin").get(
        records_url("places_visited", since=SINCE, until=UNTIL, unit=city.station_a)
    )
    assert [(row["name"], row["visits"]) for row in page.context["rows"]] == [("红星网吧", 2)]
    persons = login("leader").get(records_url("key_persons", since=SINCE, until=UNTIL))
    (person,) = persons.context["rows"]
    assert person["visits"] == 4 and person["id_number"].startswith("330102")
    assert "*" in person["id_number"]  # masked


def test_the_command_refuses_unknown_names(city: Any, campaign: Any) -> None:
    for args in (
        ["--campaign", "nope", "--phase", "phase-1"],
        ["--campaign", campaign.slug, "--phase", "nope"],
        ["--campaign", campaign.slug, "--phase", "phase-1", "--unit", "NOPE"],
    ):
        with pytest.raises(CommandError) as caught:
            call_command("figures", *args, "--json", stdout=io.StringIO())
        assert caught.value.returncode == 2
    out = io.StringIO()
    call_command("figures", "--campaign", campaign.slug, "--phase", "phase-1", stdout=out)
    assert "visits_people" in out.getvalue() and "人次" in out.getvalue()


def test_the_registry_has_the_codes_design_fixes() -> None:
    assert {
        "visits_people",
        "return_visits",
        "places_visited",
        "key_persons",
        "hardship_households",
        "donations_wan",
        "disputes",
        "hazards",
        "opinions_collected",
        "opinions_closed",
        "certificates",
    } <= set(REGISTRY)
    measures = {"人次", "家", "人", "户", "起", "处", "条", "件", "万元", "%"}
    assert {str(f.measure.label) for f in FIGURES} <= measures
