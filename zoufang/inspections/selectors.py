"""Reads of inspections and findings, and the inspector's scope."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from zoufang.core.actors import Actor
from zoufang.org.models import Unit
from zoufang.org.permissions import officer_of

from .models import Finding, Inspection


def inspector_units(user: Actor) -> QuerySet[Unit]:
    """The units of the inspections the user is an inspector on (org.scope's provider)."""
    officer = officer_of(user)
    if officer is None:
        return Unit.objects.none()
    return Unit.objects.filter(inspections__inspectors=officer).distinct()


def inspection_list(*, user: Actor) -> QuerySet[Inspection]:
    """Inspections the user may see, newest first, with counts."""
    return (
        Inspection.objects.visible_to(user)
        .select_related("campaign", "phase")
        .annotate(
            finding_count=Count("findings", distinct=True), unit_count=Count("units", distinct=True)
        )
        .order_by("-start_date", "-id")
    )


def inspection_get(*, user: Actor, pk: int) -> Inspection:
    """One inspection the user may see (DoesNotExist otherwise)."""
    return Inspection.objects.visible_to(user).select_related("campaign", "phase").get(pk=pk)


def finding_list(*, user: Actor, inspection: Inspection | None = None) -> QuerySet[Finding]:
    """Findings about units the user may see."""
    findings = Finding.objects.visible_to(user).select_related("unit", "inspection", "plan_version")
    if inspection is not None:
        findings = findings.filter(inspection=inspection)
    return findings.order_by("unit__path", "-found_on")


def finding_get(*, user: Actor, pk: int) -> Finding:
    """One finding the user may see."""
    return Finding.objects.visible_to(user).select_related("unit", "inspection").get(pk=pk)


def deductions_by_unit(*, since: datetime.date, until: datetime.date) -> dict[int, Decimal]:
    """Sum of deductions per unit for findings made between two days (for assessment)."""
    rows = (
        Finding.objects.citywide()
        .filter(found_on__gte=since, found_on__lte=until)
        .values("unit_id")
        .annotate(total=Sum("deduction"))
    )
    return {row["unit_id"]: row["total"] or Decimal("0") for row in rows}


def findings_by_unit(*, since: datetime.date, until: datetime.date) -> dict[int, list[Finding]]:
    """Findings per unit between two days, for the notice."""
    grouped: dict[int, list[Finding]] = defaultdict(list)
    for finding in (
        Finding.objects.citywide()
        .filter(found_on__gte=since, found_on__lte=until)
        .select_related("unit", "inspection")
        .order_by("unit__path", "found_on")
    ):
        grouped[finding.unit_id].append(finding)
    return dict(grouped)
