"""API: tasks, plan verdicts, inspections — scope as on the pages."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from zoufang.campaigns.plans import plan_submit
from zoufang.campaigns.services import task_create
from zoufang.campaigns.tests.conftest import CITY_PLAN, OWN_PLAN
from zoufang.inspections.services import finding_record, inspection_create

pytestmark = pytest.mark.django_db


def test_tasks_plans_and_inspections(city: Any, campaign: Any, client: Any) -> None:
    admin = city.user("city_admin")
    task_create(
        actor=admin,
        campaign=campaign,
        title="走访企业",
        lead_leader=city.leader,
        responsible_units=[city.station_a],
        deadline=datetime.date(2022, 3, 1),
    )
    task_create(
        actor=admin,
        campaign=campaign,
        title="另一县",
        lead_leader=city.leader,
        responsible_units=[city.station_b],
        deadline=datetime.date(2022, 3, 1),
    )
    plan_submit(actor=admin, campaign=campaign, unit=city.city, text=CITY_PLAN)
    plan_submit(
        actor=admin,
        campaign=campaign,
        unit=city.station_a,
        text=CITY_PLAN.replace("江州市公安局", "城关派出所"),
    )
    plan_submit(actor=admin, campaign=campaign, unit=city.station_b, text=OWN_PLAN)
    today = datetime.date.today()
    inspection = inspection_create(
        actor=admin,
        campaign=campaign,
        title="督导",
        kind="planned",
        start_date=today,
        end_date=today,
        inspectors=[city.inspector],
        units=[city.station_a, city.station_b],
    )
    finding_record(
        actor=admin,
        inspection=inspection,
        unit=city.station_a,
        kind="plan_copied",
        description="照搬",
        deduction=Decimal("2"),
    )
    finding_record(
        actor=admin,
        inspection=inspection,
        unit=city.station_b,
        kind="no_visit",
        description="未走访",
        deduction=Decimal("1"),
    )

    client.force_login(city.user("officer"))
    tasks = client.get(f"/api/v1/campaigns/{campaign.slug}/tasks").json()
    assert [
        (t["title"], t["responsible_units"], t["overdue"], t["lead_leader_badge"]) for t in tasks
    ] == [("走访企业", ["JZ0101"], True, city.leader.badge_no)]
    assert (
        client.get(f"/api/v1/campaigns/{campaign.slug}/tasks/{tasks[0]['id'] + 1}").status_code
        == 404
    )
    plans = client.get(f"/api/v1/campaigns/{campaign.slug}/plans").json()
    assert [(p["unit"], p["verdict"]) for p in plans] == [("JZ0101", "copied")]
    inspections = client.get("/api/v1/inspections").json()
    assert [f["unit"] for f in inspections[0]["findings"]] == ["JZ0101"]  # only findings in scope
    assert client.get("/api/v1/campaigns/none/tasks").status_code == 404

    client.force_login(city.user("leader"))
    everything = client.get(f"/api/v1/inspections/{inspection.pk}").json()
    assert sorted(f["unit"] for f in everything["findings"]) == ["JZ0101", "JZ0201"]
    assert everything["units"] == ["JZ0101", "JZ0201"] or sorted(everything["units"]) == [
        "JZ0101",
        "JZ0201",
    ]
