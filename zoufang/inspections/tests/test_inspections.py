"""Inspections: findings with deductions, rectification, verification, the inspector's scope,
and a copied plan becoming a finding in one click."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from zoufang.campaigns.plans import plan_submit
from zoufang.campaigns.tests.conftest import CITY_PLAN
from zoufang.core.errors import ConflictError
from zoufang.inspections.models import Finding
from zoufang.inspections.selectors import deductions_by_unit
from zoufang.inspections.services import (
    finding_from_copied_plan,
    finding_record,
    finding_rectify,
    finding_verify,
    inspection_create,
)
from zoufang.ledger.models import Visit
from zoufang.ledger.tests.factories import make_visit
from zoufang.org.models import Unit

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


@pytest.fixture
def inspection(city: Any, campaign: Any) -> Any:
    return inspection_create(
        actor=city.user("city_admin"),
        campaign=campaign,
        title="第一阶段明察暗访",
        kind="unannounced",
        start_date=TODAY,
        end_date=TODAY,
        inspectors=[city.inspector],
        units=[city.station_a],
    )


def test_the_inspector_sees_only_the_units_inspected(city: Any, inspection: Any) -> None:
    make_visit(city.officer)
    make_visit(city.officer_b)
    inspector = city.user("inspector")
    assert list(Unit.objects.visible_to(inspector).values_list("code", flat=True)) == ["JZ0101"]
    assert Visit.objects.visible_to(inspector).get().unit == city.station_a


def test_findings_rectification_and_verification(city: Any, inspection: Any) -> None:
    with pytest.raises(PermissionDenied):
        finding_record(
            actor=city.user("officer"),
            inspection=inspection,
            unit=city.station_a,
            kind="no_visit",
            description="x",
            deduction=Decimal("1"),
        )
    with pytest.raises(ValidationError) as caught:
        finding_record(
            actor=city.user("inspector"),
            inspection=inspection,
            unit=city.station_b,
            kind="no_visit",
            description="",
            deduction=Decimal("200"),
        )
    assert set(caught.value.message_dict) == {"unit", "description", "deduction"}
    finding = finding_record(
        actor=city.user("inspector"),
        inspection=inspection,
        unit=city.station_a,
        kind="no_feedback",
        description="群众意见未反馈",
        deduction=Decimal("2.5"),
    )
    assert finding.rectify_by > TODAY  # 10 working days by default
    with pytest.raises(PermissionDenied):
        finding_rectify(actor=city.user("officer_b"), finding=finding, rectification="不是我们")
    finding_rectify(actor=city.user("unit_admin"), finding=finding, rectification="已逐一回访反馈")
    with pytest.raises(ConflictError):
        finding_rectify(actor=city.user("unit_admin"), finding=finding, rectification="again")
    finding_verify(actor=city.user("inspector"), finding=finding, accepted=True)
    finding.refresh_from_db()
    assert finding.status == "verified"
    assert deductions_by_unit(since=TODAY, until=TODAY) == {city.station_a.pk: Decimal("2.50")}


def test_a_copied_plan_becomes_a_finding_in_one_click(city: Any, campaign: Any, login: Any) -> None:
    plan_submit(actor=city.user("city_admin"), campaign=campaign, unit=city.city, text=CITY_PLAN)
    version = plan_submit(
        actor=city.user("unit_admin"),
        campaign=campaign,
        unit=city.station_a,
        text=CITY_PLAN.replace("江州市公安局", "城关派出所"),
    )
    assert version.verdict == "copied"
    response = login("city_admin").post(
        reverse("inspections:plan_finding", args=[campaign.slug, "JZ0101"])
    )
    finding = Finding.objects.get()
    assert response["Location"] == reverse(
        "inspections:inspection_detail", args=[finding.inspection_id]
    )
    assert (finding.kind, finding.unit, finding.plan_version, finding.deduction) == (
        "plan_copied",
        city.station_a,
        version,
        Decimal("2.00"),
    )
    with pytest.raises(ConflictError):
        finding_from_copied_plan(actor=city.user("city_admin"), version=version)


def test_an_original_plan_is_not_a_finding(city: Any, campaign: Any) -> None:
    plan_submit(actor=city.user("city_admin"), campaign=campaign, unit=city.city, text=CITY_PLAN)
    from zoufang.campaigns.tests.conftest import OWN_PLAN

    version = plan_submit(
        actor=city.user("unit_admin"), campaign=campaign, unit=city.station_a, text=OWN_PLAN
    )
    with pytest.raises(ConflictError):
        finding_from_copied_plan(actor=city.user("city_admin"), version=version)
