"""Reads of published assessments."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet

from zoufang.core.actors import Actor
from zoufang.org.models import Unit

from .models import Assessment, ServiceImport, ServiceRecord


def latest_published(*, campaign_slug: str, phase_slug: str) -> Assessment | None:
    """The newest published version of a phase's assessment, or None."""
    return (
        Assessment.objects.filter(campaign__slug=campaign_slug, phase__slug=phase_slug)
        .order_by("-version")
        .first()
    )


def published_versions(*, campaign_slug: str, phase_slug: str) -> list[Assessment]:
    """Every published version of a phase, newest first."""
    return list(
        Assessment.objects.filter(campaign__slug=campaign_slug, phase__slug=phase_slug)
        .select_related("published_by")
        .order_by("-version")
    )


def service_records_within(
    *,
    user: Actor,
    since: datetime.date | None,
    until: datetime.date | None,
    unit: Unit | None = None,
) -> QuerySet[ServiceRecord]:
    """便民服务 records in the user's scope (or the unit's subtree) whose period lies wholly
    between two days (the figure registry's `certificates`): a record spanning a period's
    first or last day is in no figure of that period, only in one that holds it whole."""
    records = ServiceRecord.objects.visible_to(user).select_related("unit")
    if unit is not None:
        records = records.filter(unit__in=Unit.objects.subtree(unit).values("pk"))
    if since:
        records = records.filter(period_start__gte=since)
    if until:
        records = records.filter(period_end__lte=until)
    return records.order_by("-period_start", "unit__path", "kind")


def service_records(*, user: Actor, unit_code: str = "") -> Any:
    """便民服务 records in scope, newest period first (optionally of a unit's subtree)."""
    records = ServiceRecord.objects.visible_to(user).select_related("unit")
    if unit_code:
        unit = Unit.objects.visible_to(user).filter(code=unit_code).first()
        records = (
            records.filter(unit__in=Unit.objects.subtree(unit).values("pk"))
            if unit
            else records.none()
        )
    return records.order_by("-period_start", "unit__path")[:500]


def service_imports(*, user: Actor, limit: int = 10) -> list[ServiceImport]:
    """The user's own recent 便民服务 imports, newest first (without the files)."""
    return list(
        ServiceImport.objects.filter(created_by_id=user.pk)
        .defer("content", "result")
        .order_by("-created_at", "-id")[:limit]
    )


def service_import_get(*, user: Actor, pk: int) -> ServiceImport:
    """One of the user's own imports (404 for anybody else's)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(ServiceImport.objects.defer("content"), pk=pk, created_by_id=user.pk)
