"""Writes to campaigns and phases."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zoufang.core.actors import Actor
from zoufang.core.audit import AuditAction, audit_record, snapshot
from zoufang.core.errors import ConflictError
from zoufang.org.models import Officer, Role, Unit
from zoufang.org.permissions import Perm, account_of, officer_of, require

from .models import Assignment, Campaign, Meeting, Phase, Task, TaskReport, TaskStatus


@transaction.atomic
def campaign_create(
    *,
    actor: Actor,
    slug: str,
    name: str,
    start_date: datetime.date,
    end_date: datetime.date,
    description: str = "",
) -> Campaign:
    """Create a campaign."""
    campaign = Campaign(
        slug=slug, name=name, start_date=start_date, end_date=end_date, description=description
    )
    campaign.full_clean()
    campaign.save(force_insert=True)
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        target=campaign,
        after=snapshot(campaign, ("slug", "name", "start_date", "end_date")),
    )
    return campaign


@transaction.atomic
def phase_create(
    *,
    actor: Actor,
    campaign: Campaign,
    slug: str,
    name: str,
    start_date: datetime.date,
    end_date: datetime.date,
    theme: str = "",
    order: int = 0,
) -> Phase:
    """Add a phase to a campaign, inside the campaign's dates."""
    if start_date < campaign.start_date or end_date > campaign.end_date:
        raise ValidationError(_("A phase must lie within its campaign's dates"))
    phase = Phase(
        campaign=campaign,
        slug=slug,
        name=name,
        theme=theme,
        start_date=start_date,
        end_date=end_date,
        order=order,
    )
    phase.full_clean()
    phase.save(force_insert=True)
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        target=phase,
        after=snapshot(phase, ("campaign", "slug", "name", "start_date", "end_date")),
    )
    return phase


# --- tasks, leaders' units, meetings ------------------------------------------------------


def _unit_member(actor: Actor, unit: Unit) -> bool:
    """The actor works in that unit or in a unit above it."""
    officer = officer_of(actor)
    return officer is not None and unit.path.startswith(officer.unit.path)


@transaction.atomic
def task_create(
    *,
    actor: Actor,
    campaign: Campaign,
    title: str,
    lead_leader: Officer,
    responsible_units: Sequence[Unit],
    deadline: datetime.date,
    description: str = "",
    phase: Phase | None = None,
) -> Task:
    """Create a work task with its lead leader, responsible units and deadline."""
    errors: dict[str, str] = {}
    if lead_leader.role != Role.LEADER:
        errors["lead_leader"] = _("The lead leader must be a bureau leader")
    if not responsible_units:
        errors["responsible_units"] = _("Name at least one responsible unit")
    if deadline < campaign.start_date:
        errors["deadline"] = _("The deadline is before the campaign starts")
    if phase is not None and phase.campaign_id != campaign.pk:
        errors["phase"] = _("The phase belongs to another campaign")
    if errors:
        raise ValidationError({name: [message] for name, message in errors.items()})
    task = Task(
        campaign=campaign,
        phase=phase,
        title=title.strip(),
        description=description.strip(),
        lead_leader=lead_leader,
        deadline=deadline,
        created_by=account_of(actor),
    )
    task.full_clean(exclude=["created_by"])
    task.save(force_insert=True)
    task.responsible_units.set(responsible_units)
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        target=task,
        after={
            **snapshot(task, ("campaign", "phase", "title", "lead_leader", "deadline")),
            "responsible_units": sorted(u.code for u in responsible_units),
        },
    )
    return task


@transaction.atomic
def task_report(
    *, actor: Actor, task: Task, unit: Unit, text: str, attachment: Any = None
) -> TaskReport:
    """A responsible unit reports progress; the task is then in progress."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    if not task.responsible_units.filter(pk=unit.pk).exists():
        raise ValidationError(
            {"unit": _("%(unit)s is not responsible for this task") % {"unit": unit}}
        )
    if not _unit_member(actor, unit):
        require(actor, Perm.TASK_MANAGE, _("Only the responsible unit reports on its task"))
    if task.status == TaskStatus.DONE:
        raise ConflictError(_("The task is done"))
    if not text.strip():
        raise ValidationError({"text": [_("Required")]})
    report = TaskReport(task=task, unit=unit, text=text.strip(), submitted_by=account_of(actor))
    if attachment is not None:
        report.attachment = attachment
    report.save(force_insert=True)
    if task.status == TaskStatus.OPEN:
        task.status = TaskStatus.IN_PROGRESS
        task.save(update_fields=["status"])
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        target=report,
        after={
            "task": task.pk,
            "unit": unit.code,
            "text": report.text[:200],
            "attachment": report.attachment.name or None,
        },
    )
    return report


@transaction.atomic
def task_mark_done(*, actor: Actor, task: Task) -> Task:
    """The city office marks a task done."""
    require(actor, Perm.TASK_MANAGE)
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.status == TaskStatus.DONE:
        raise ConflictError(_("The task is done"))
    before = task.status
    task.status, task.done_at = TaskStatus.DONE, timezone.now()
    task.save(update_fields=["status", "done_at"])
    audit_record(
        action=AuditAction.TRANSITION,
        actor=actor,
        target=task,
        before={"status": before},
        after={"status": task.status},
    )
    return task


@transaction.atomic
def assignments_set(
    *, actor: Actor, campaign: Campaign, leader: Officer, units: Sequence[Unit]
) -> None:
    """Set the units a leader answers for (分包责任) in a campaign."""
    if leader.role != Role.LEADER:
        raise ValidationError({"leader": [_("The lead leader must be a bureau leader")]})
    before = sorted(
        Assignment.objects.filter(campaign=campaign, leader=leader).values_list(
            "unit__code", flat=True
        )
    )
    Assignment.objects.filter(campaign=campaign, leader=leader).exclude(unit__in=units).delete()
    existing = set(
        Assignment.objects.filter(campaign=campaign, leader=leader).values_list(
            "unit_id", flat=True
        )
    )
    Assignment.objects.bulk_create(
        [
            Assignment(campaign=campaign, leader=leader, unit=u)
            for u in units
            if u.pk not in existing
        ]
    )
    audit_record(
        action=AuditAction.UPDATE,
        actor=actor,
        target=leader,
        before={"units": before},
        after={"units": sorted(u.code for u in units)},
        note=campaign.slug,
    )


@transaction.atomic
def meeting_record(
    *,
    actor: Actor,
    campaign: Campaign,
    unit: Unit,
    date: datetime.date,
    kind: str,
    level: str,
    title: str,
    attendees: int = 0,
    minutes: str = "",
) -> Meeting:
    """Record a meeting or mobilisation of a unit in the campaign."""
    meeting = Meeting(
        campaign=campaign,
        unit=unit,
        date=date,
        kind=kind,
        level=level,
        title=title.strip(),
        attendees=attendees,
        minutes=minutes.strip(),
        created_by=account_of(actor),
    )
    meeting.full_clean(exclude=["created_by"])
    if date > timezone.localdate():
        raise ValidationError({"date": [_("The date is in the future")]})
    meeting.save(force_insert=True)
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        target=meeting,
        after=snapshot(
            meeting, ("campaign", "unit", "date", "kind", "level", "title", "attendees")
        ),
    )
    return meeting
