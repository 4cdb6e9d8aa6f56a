"""Reads of campaigns and phases."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from zoufang.core.actors import Actor
from zoufang.org.models import Officer, Role, Unit

from .models import (
    Assignment,
    Campaign,
    Meeting,
    Phase,
    Plan,
    PlanMatch,
    PlanVerdict,
    PlanVersion,
    Task,
    TaskReport,
)


def campaign_list() -> QuerySet[Campaign]:
    """Campaigns, newest first."""
    return Campaign.objects.order_by("-start_date")


def current_phase(*, today: datetime.date | None = None) -> Phase | None:
    """The phase running today, else the latest phase that has started, else the first one."""
    today = today or timezone.localdate()
    phases = Phase.objects.select_related("campaign")
    return (
        phases.covering(today).order_by("-start_date").first()
        or phases.filter(start_date__lte=today).order_by("-end_date").first()
        or phases.order_by("start_date").first()
    )


def phase_list(*, campaign: Campaign) -> QuerySet[Phase]:
    """A campaign's phases in order."""
    return campaign.phases.order_by("order", "start_date")


def phase_choices() -> QuerySet[Phase]:
    """Every phase of every campaign, newest campaign first, for phase pickers."""
    return Phase.objects.select_related("campaign").order_by("-campaign__start_date", "order")


def phase_by_id(pk: int) -> Phase | None:
    """A phase by id, or None."""
    return Phase.objects.select_related("campaign").filter(pk=pk).first()


# --- tasks, leaders, meetings ---------------------------------------------------------------


def task_board(*, user: Actor, campaign: Campaign) -> QuerySet[Task]:
    """The campaign's tasks the user may see, with leader, units, report counts and whether
    each is overdue today (`overdue_now`)."""
    return (
        Task.objects.visible_to(user)
        .filter(campaign=campaign)
        .with_overdue(timezone.localdate())
        .select_related("lead_leader__user", "phase")
        .prefetch_related("responsible_units")
        .annotate(report_count=Count("reports"))
        .order_by("deadline", "id")
    )


def task_get(*, user: Actor, campaign: Campaign, pk: int) -> Task:
    """One task of the campaign the user may see (DoesNotExist otherwise)."""
    return task_board(user=user, campaign=campaign).get(pk=pk)


def task_reports(*, task: Task) -> QuerySet[TaskReport]:
    """A task's progress reports, newest first."""
    return task.reports.select_related("unit", "submitted_by").order_by("-submitted_at")


def leader_overview(*, campaign: Campaign, leader: Officer) -> dict[str, Any]:
    """A leader's page: the tasks he leads and the units he answers for (分包)."""
    return {
        "tasks": Task.objects.citywide()
        .filter(campaign=campaign, lead_leader=leader)
        .prefetch_related("responsible_units")
        .order_by("deadline"),
        "units": Unit.objects.filter(
            pk__in=Assignment.objects.filter(campaign=campaign, leader=leader).values("unit")
        ).order_by("path"),
    }


def leaders(*, campaign: Campaign) -> QuerySet[Officer]:
    """The bureau leaders, with how many tasks each leads in the campaign."""
    return (
        Officer.objects.filter(role=Role.LEADER, user__is_active=True)
        .select_related("user")
        .annotate(task_count=Count("led_tasks", filter=Q(led_tasks__campaign=campaign)))
        .order_by("badge_no")
    )


def meeting_list(*, user: Actor, campaign: Campaign) -> QuerySet[Meeting]:
    """The campaign's meetings the user may see, newest first."""
    return (
        Meeting.objects.visible_to(user)
        .filter(campaign=campaign)
        .select_related("unit")
        .order_by("-date", "-id")
    )


def task_figures(
    *, campaign: Campaign, since: datetime.date, until: datetime.date
) -> dict[int, dict[str, int]]:
    """Per responsible unit: tasks due in the period, and how many were done by the deadline."""
    figures: dict[int, dict[str, int]] = {}
    tasks = (
        Task.objects.citywide()
        .filter(campaign=campaign, deadline__gte=since, deadline__lte=until)
        .prefetch_related("responsible_units")
    )
    for task in tasks:
        on_time = bool(task.done_on_time)
        for unit in task.responsible_units.all():
            row = figures.setdefault(unit.pk, {"due": 0, "done_on_time": 0})
            row["due"] += 1
            row["done_on_time"] += on_time
    return figures


def overdue_task_counts(*, campaign: Campaign, as_of: datetime.date) -> dict[int, int]:
    """Per responsible unit, the campaign's tasks overdue on a day (every unit: for the
    assessment's figures)."""
    counts: dict[int, int] = {}
    overdue = Task.objects.citywide().filter(campaign=campaign).overdue(as_of)
    for unit_id in overdue.values_list("responsible_units", flat=True):
        if unit_id:
            counts[unit_id] = counts.get(unit_id, 0) + 1
    return counts


def copied_plan_units(*, campaign: Campaign) -> list[str]:
    """Names of the units whose current plan is judged copied, in tree order (every unit:
    for the stage notice)."""
    return list(
        Plan.objects.citywide()
        .filter(campaign=campaign, is_city_plan=False, current__verdict=PlanVerdict.COPIED)
        .order_by("unit__path")
        .values_list("unit__name", flat=True)
    )


def meeting_counts(
    *, campaign: Campaign, since: datetime.date, until: datetime.date
) -> dict[int, int]:
    """Meetings and mobilisations per unit between two days."""
    rows = (
        Meeting.objects.filter(campaign=campaign, date__gte=since, date__lte=until)
        .values("unit_id")
        .annotate(n=Count("id"))
    )
    return {row["unit_id"]: row["n"] for row in rows}


def verdict_counts(*, campaign: Campaign) -> dict[str, int]:
    """How many current unit plans are copied, partial, original."""
    rows = (
        Plan.objects.citywide()
        .filter(campaign=campaign, is_city_plan=False, current__isnull=False)
        .values("current__verdict")
        .annotate(n=Count("id"))
    )
    counts = {"copied": 0, "partial": 0, "original": 0}
    for row in rows:
        if row["current__verdict"] in counts:
            counts[row["current__verdict"]] += row["n"]
    return counts


def plan_verdicts(*, user: Actor, campaign: Campaign) -> list[dict[str, Any]]:
    """Per unit plan in scope: the current version, its verdict against the city plan, and the
    closest other unit's plan."""
    plans = list(
        Plan.objects.visible_to(user)
        .filter(campaign=campaign, is_city_plan=False, current__isnull=False)
        .select_related("unit", "current")
        .order_by("-current__similarity", "unit__path")
    )
    best: dict[int, PlanMatch] = {}
    for match in (
        PlanMatch.objects.filter(version__in=[p.current_id for p in plans])
        .select_related("other__plan__unit")
        .order_by("-similarity")
    ):
        best.setdefault(match.version_id, match)
    return [
        {"plan": p, "version": p.current, "closest": best.get(p.current_id or 0)} for p in plans
    ]


def plan_current_version(*, campaign_slug: str, unit_code: str) -> PlanVersion:
    """The current version of a unit's plan in a campaign (PlanVersion.DoesNotExist if none);
    the caller checks the unit is in the user's scope."""
    return PlanVersion.objects.get(
        plan__campaign__slug=campaign_slug, plan__unit__code=unit_code, plan__current=F("pk")
    )
