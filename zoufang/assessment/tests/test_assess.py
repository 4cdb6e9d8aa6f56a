"""`zoufang assess`, the assessment page, publishing and the API on real data."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zoufang.assessment.models import Assessment
from zoufang.assessment.services import assess, assessment_publish, schemes_ensure_defaults
from zoufang.core.actors import SYSTEM
from zoufang.inspections.services import finding_record, inspection_create
from zoufang.ledger.models import TargetType
from zoufang.ledger.tests.factories import make_visit
from zoufang.org.tests.factories import OfficerFactory, UnitFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2022, 1, 10)


@pytest.fixture
def phase(campaign: Any) -> Any:
    return campaign.phases.get(slug="phase-1")


def run_assess(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command(
        "assess",
        "--campaign",
        "2022-dazoufang",
        "--phase",
        "phase-1",
        "--json",
        *args,
        stdout=out,
        stderr=io.StringIO(),
    )
    return json.loads(out.getvalue())


def test_the_json_follows_the_contract(city: Any, phase: Any) -> None:
    for _ in range(3):
        make_visit(city.officer, visit_date=DAY)
    make_visit(city.officer_b, visit_date=DAY, target_type=TargetType.KEY_PERSON)
    result = run_assess()
    assert set(result) == {"campaign", "phase", "groups", "imbalance"}
    assert (result["campaign"], result["phase"]) == ("2022-dazoufang", "phase-1")
    stations = next(g for g in result["groups"] if g["kind"] == "station")
    assert [row["unit"] for row in stations["ranking"]] == ["JZ0101", "JZ0201"]
    for group in result["groups"]:
        for row in group["ranking"]:
            assert set(row) == {"unit", "name", "score", "rank", "breakdown", "flags"}
            assert round(sum(row["breakdown"].values()), 2) == row["score"]
    counties = next(g for g in result["groups"] if g["kind"] == "county_bureau")
    # A county bureau answers for its stations' visits.
    assert counties["ranking"][0]["breakdown"]["visits_per_officer"] > 0
    assert {
        "agencies_per_officer",
        "grassroots_per_officer",
        "ratio",
        "imbalanced",
        "trend",
    } <= set(result["imbalance"])


def test_zero_results_and_deductions(city: Any, campaign: Any, phase: Any) -> None:
    make_visit(city.officer, visit_date=DAY)
    brand_new = UnitFactory(code="JZ0202", name="新建派出所", parent=city.county_b)
    OfficerFactory(unit=brand_new)
    stations = next(g for g in run_assess()["groups"] if g["kind"] == "station")["ranking"]
    last = stations[-1]
    assert last["flags"][:2] == ["zero_result", "zero_visits"] and last["score"] == 0
    assert stations[0]["unit"] == "JZ0101"
    inspection = inspection_create(
        actor=city.user("city_admin"),
        campaign=campaign,
        title="督导",
        kind="planned",
        start_date=datetime.date.today(),
        end_date=datetime.date.today(),
        inspectors=[city.inspector],
        units=[city.station_a],
    )
    finding = finding_record(
        actor=city.user("city_admin"),
        inspection=inspection,
        unit=city.station_a,
        kind="ledger_irregular",
        description="台账不规范",
        deduction=Decimal("3"),
    )
    type(finding).objects.filter(pk=finding.pk).update(found_on=DAY)
    row = next(
        r
        for g in run_assess()["groups"]
        if g["kind"] == "station"
        for r in g["ranking"]
        if r["unit"] == "JZ0101"
    )
    assert row["breakdown"]["inspection_deductions"] == -3.0


def test_publishing_freezes_a_snapshot(city: Any, campaign: Any, phase: Any, client: Any) -> None:
    make_visit(city.officer, visit_date=DAY)
    first = assessment_publish(actor=city.user("city_admin"), campaign=campaign, phase=phase)
    frozen = first.result
    for _ in range(5):
        make_visit(city.officer_b, visit_date=DAY)
    first.refresh_from_db()
    assert first.result == frozen  # later data does not alter a published assessment
    assert run_assess() != {k: frozen[k] for k in ("campaign", "phase", "groups", "imbalance")}
    client.force_login(city.user("officer"))
    answer = client.get("/api/v1/assessments/2022-dazoufang/phase-1").json()
    assert answer["version"] == 1 and answer["groups"] == frozen["groups"]
    second = assessment_publish(actor=city.user("city_admin"), campaign=campaign, phase=phase)
    assert second.version == 2
    assert client.get("/api/v1/assessments/2022-dazoufang/phase-1").json()["version"] == 2
    assert client.get("/api/v1/assessments/2022-dazoufang/phase-2").status_code == 404
    assert Assessment.objects.count() == 2


def test_the_page_agrees_with_the_command(city: Any, campaign: Any, phase: Any, login: Any) -> None:
    for day in range(1, 6):
        make_visit(city.officer, visit_date=DAY + datetime.timedelta(days=day))
    make_visit(city.officer_b, visit_date=DAY)
    expected = {r["unit"]: r["score"] for g in run_assess()["groups"] for r in g["ranking"]}
    page = login("leader").get(reverse("assessment:assessment", args=["2022-dazoufang", "phase-1"]))
    shown = {row["unit"]: row["score"] for g in page.context["groups"] for row in g["rows"]}
    assert shown == expected
    body = page.content.decode()
    assert "/ledger/visits/?unit=JZ0101&amp;since=2022-01-01&amp;until=2022-02-28" in body


def test_schemes_as_data_change_the_scores(city: Any, campaign: Any, phase: Any) -> None:
    make_visit(city.officer, visit_date=DAY)
    schemes_ensure_defaults(actor=SYSTEM, campaign=campaign)
    scheme = campaign.schemes.get(unit_kind="station")
    scheme.indicators.filter(code="visits_per_officer").update(weight=Decimal("60"))
    row = next(
        r
        for g in run_assess()["groups"]
        if g["kind"] == "station"
        for r in g["ranking"]
        if r["unit"] == "JZ0101"
    )
    assert row["breakdown"]["visits_per_officer"] == 60.0


def test_assessment_takes_a_bounded_number_of_queries(city: Any, campaign: Any, phase: Any) -> None:
    make_visit(city.officer, visit_date=DAY)
    with CaptureQueriesContext(connection) as few:
        assess(campaign=campaign, phase=phase)
    for n in range(10):
        unit = UnitFactory(code=f"JZ02{n + 10}", parent=city.county_b)
        make_visit(OfficerFactory(unit=unit), visit_date=DAY)  # type: ignore[arg-type]
    with CaptureQueriesContext(connection) as many:
        assess(campaign=campaign, phase=phase)
    assert len(many) == len(few) <= 40


def test_stats_summary(city: Any, client: Any) -> None:
    make_visit(
        city.officer,
        visit_date=DAY,
        target_type=TargetType.ENTERPRISE,
        donation_amount=Decimal("15000"),
        disputes_mediated=2,
    )
    make_visit(
        city.officer,
        visit_date=DAY,
        target_type=TargetType.KEY_PERSON,
        is_return_visit=True,
        opinions=("一条意见",),
    )
    make_visit(city.officer_b, visit_date=DAY)
    client.force_login(city.user("unit_admin"))
    summary = client.get(
        "/api/v1/stats/summary", {"since": "2022-01-01", "until": "2022-01-31"}
    ).json()
    assert summary["period"] == {"from": "2022-01-01", "to": "2022-01-31"}
    values = {code: figure["value"] for code, figure in summary["figures"].items()}
    assert (values["visits_people"], values["return_visits"]) == (1, 1)
    assert (values["places_visited"], values["key_persons"]) == (1, 1)
    assert (values["donations_wan"], values["disputes"]) == (1.5, 2)
    # the visit's opinion was registered today, with the visit's record
    today = client.get("/api/v1/stats/summary").json()["figures"]["opinions_collected"]
    assert today["value"] == 1
    assert summary["figures"]["places_visited"]["unit"] == "家"
    assert client.get("/api/v1/stats/summary", {"unit": "JZ0201"}).status_code == 404


def test_the_imbalance_trend_reads_only_visits_and_officers_of_earlier_phases(
    city: Any, campaign: Any, phase: Any
) -> None:
    from zoufang.assessment.figures import (
        AGENCIES,
        GRASSROOTS,
        activity_figures,
        kind_totals,
        phase_figures,
    )
    from zoufang.campaigns.services import phase_create

    later = phase_create(
        actor=SYSTEM,
        campaign=campaign,
        slug="phase-2",
        name="3–6月 集中走访",
        start_date=datetime.date(2022, 3, 1),
        end_date=datetime.date(2022, 6, 30),
        order=2,
    )
    make_visit(city.officer, visit_date=DAY)
    make_visit(city.officer_b, visit_date=DAY)
    branch_officer: Any = OfficerFactory(unit=city.branch)
    make_visit(branch_officer, visit_date=DAY)
    full, light = phase_figures(campaign=campaign, phase=phase), activity_figures(phase=phase)
    for kinds in (AGENCIES, GRASSROOTS):
        assert kind_totals(light, kinds) == kind_totals(full, kinds)
    trend = assess(campaign=campaign, phase=later)["imbalance"]["trend"]
    assert [point["phase"] for point in trend] == ["phase-1", "phase-2"]
    assert trend[0]["ratio"] == assess(campaign=campaign, phase=phase)["imbalance"]["ratio"]
