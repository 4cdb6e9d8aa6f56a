"""API: inspections and their findings."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema

from zoufang.api.auth import request_user
from zoufang.api.schemas import ERRORS
from zoufang.core.actors import Actor
from zoufang.org.permissions import Perm, require

from . import selectors
from .models import Finding, Inspection

router = Router(tags=["inspections"])


class FindingOut(Schema):
    """A finding with its deduction and rectification."""

    id: int
    unit: str
    kind: str
    description: str
    deduction: Decimal
    rectify_by: datetime.date
    status: str
    rectification: str
    plan_version: int | None
    found_on: datetime.date

    @staticmethod
    def resolve_unit(obj: Finding) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_plan_version(obj: Finding) -> int | None:
        return obj.plan_version_id


class InspectionOut(Schema):
    """An inspection, the units inspected, the inspectors and the findings in scope."""

    id: int
    campaign: str
    title: str
    kind: str
    start_date: datetime.date
    end_date: datetime.date
    units: list[str]
    inspectors: list[str]

    @staticmethod
    def resolve_campaign(obj: Inspection) -> str:
        return obj.campaign.slug

    @staticmethod
    def resolve_units(obj: Inspection) -> list[str]:
        return [unit.code for unit in obj.units.all()]

    @staticmethod
    def resolve_inspectors(obj: Inspection) -> list[str]:
        return [officer.badge_no for officer in obj.inspectors.all()]


def _with_findings(user: Actor, inspection: Inspection) -> Inspection:
    inspection.findings_in_scope = list(selectors.finding_list(user=user, inspection=inspection))  # type: ignore[attr-defined]
    return inspection


class InspectionDetailOut(InspectionOut):
    """An inspection with the findings about units in the caller's scope."""

    findings: list[FindingOut]

    @staticmethod
    def resolve_findings(obj: Inspection) -> list[Finding]:
        return obj.findings_in_scope  # type: ignore[attr-defined]


@router.get("", response={200: list[InspectionDetailOut], **ERRORS}, summary="Inspections in scope")
def list_inspections(request: HttpRequest) -> list[Inspection]:
    """Inspections of units the caller may see, with their findings in scope."""
    user = request_user(request)
    require(user, Perm.CAMPAIGN_VIEW)
    inspections = selectors.inspection_list(user=user).prefetch_related("units", "inspectors")
    return [_with_findings(user, inspection) for inspection in inspections]


@router.get(
    "/{inspection_id}", response={200: InspectionDetailOut, **ERRORS}, summary="One inspection"
)
def get_inspection(request: HttpRequest, inspection_id: int) -> Inspection:
    """One inspection in scope with its findings (404 otherwise)."""
    user = request_user(request)
    require(user, Perm.CAMPAIGN_VIEW)
    return _with_findings(user, selectors.inspection_get(user=user, pk=inspection_id))
