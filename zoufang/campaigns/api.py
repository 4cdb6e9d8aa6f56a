"""API: a campaign's tasks and plan verdicts."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema

from zoufang.api.auth import request_user
from zoufang.api.schemas import ERRORS
from zoufang.org.permissions import Perm, require

from . import selectors
from .models import Campaign, Task

router = Router(tags=["campaigns"])


class TaskOut(Schema):
    """A work task: lead leader, responsible units, deadline, status, overdue."""

    id: int
    title: str
    description: str
    phase: str | None
    lead_leader: str
    lead_leader_badge: str
    responsible_units: list[str]
    deadline: datetime.date
    status: str
    overdue: bool
    done_at: datetime.datetime | None
    reports: int

    @staticmethod
    def resolve_phase(obj: Task) -> str | None:
        return obj.phase.slug if obj.phase else None

    @staticmethod
    def resolve_lead_leader(obj: Task) -> str:
        return str(obj.lead_leader.user)

    @staticmethod
    def resolve_lead_leader_badge(obj: Task) -> str:
        return obj.lead_leader.badge_no

    @staticmethod
    def resolve_responsible_units(obj: Task) -> list[str]:
        return [unit.code for unit in obj.responsible_units.all()]

    @staticmethod
    def resolve_overdue(obj: Task) -> bool:
        return obj.is_overdue(timezone.localdate())

    @staticmethod
    def resolve_reports(obj: Any) -> int:
        return obj.report_count


class PlanVerdictOut(Schema):
    """A unit plan's verdict against the city plan and the closest other unit's plan."""

    unit: str
    version: int
    similarity: float | None
    verdict: str
    closest_unit: str | None
    closest_similarity: float | None
    closest_verdict: str | None


@router.get("/{slug}/tasks", response={200: list[TaskOut], **ERRORS}, summary="A campaign's tasks")
def list_tasks(request: HttpRequest, slug: str) -> list[Task]:
    """The campaign's tasks the caller may see (by responsible unit)."""
    user = request_user(request)
    require(user, Perm.CAMPAIGN_VIEW)
    campaign = get_object_or_404(Campaign, slug=slug)
    return list(selectors.task_board(user=user, campaign=campaign))


@router.get("/{slug}/tasks/{task_id}", response={200: TaskOut, **ERRORS}, summary="One task")
def get_task(request: HttpRequest, slug: str, task_id: int) -> Task:
    """One task in scope (404 otherwise)."""
    user = request_user(request)
    require(user, Perm.CAMPAIGN_VIEW)
    campaign = get_object_or_404(Campaign, slug=slug)
    return selectors.task_get(user=user, campaign=campaign, pk=task_id)


@router.get(
    "/{slug}/plans", response={200: list[PlanVerdictOut], **ERRORS}, summary="Plan verdicts"
)
def plan_verdicts(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    """Every unit plan in scope with its verdict (copied ≥ 0.8, partial ≥ 0.3, original)."""
    user = request_user(request)
    require(user, Perm.CAMPAIGN_VIEW)
    campaign = get_object_or_404(Campaign, slug=slug)
    rows = []
    for row in selectors.plan_verdicts(user=user, campaign=campaign):
        closest = row["closest"]
        rows.append(
            {
                "unit": row["plan"].unit.code,
                "version": row["version"].number,
                "similarity": row["version"].similarity,
                "verdict": row["version"].verdict,
                "closest_unit": closest.other.plan.unit.code if closest else None,
                "closest_similarity": closest.similarity if closest else None,
                "closest_verdict": closest.verdict if closest else None,
            }
        )
    return rows
