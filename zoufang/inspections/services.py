"""Writes to inspections and findings: plan an inspection, record findings with deductions,
rectify, verify — and turn a copied plan into a finding in one step."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zoufang.campaigns.models import Campaign, Phase, PlanVersion
from zoufang.core.actors import Actor
from zoufang.core.audit import AuditAction, audit_record, snapshot
from zoufang.core.errors import ConflictError
from zoufang.core.workdays import work_calendar
from zoufang.org.models import Officer, Role, Unit
from zoufang.org.permissions import Perm, account_of, officer_of, require

from .models import Finding, FindingKind, FindingStatus, Inspection, InspectionKind

FINDING_FIELDS = ("inspection", "unit", "kind", "deduction", "rectify_by", "status")
MAX_DEDUCTION = Decimal("100")


def _is_inspector_of(actor: Actor, inspection: Inspection) -> bool:
    officer = officer_of(actor)
    return officer is not None and inspection.inspectors.filter(pk=officer.pk).exists()


def _require_inspector_of(actor: Actor, inspection: Inspection, message: str | None = None) -> None:
    """One of the inspection's inspectors, or whoever manages inspections (the city office)."""
    if not _is_inspector_of(actor, inspection):
        require(actor, Perm.INSPECTION_MANAGE, message)


@transaction.atomic
def inspection_create(
    *,
    actor: Actor,
    campaign: Campaign,
    title: str,
    kind: str,
    start_date: datetime.date,
    end_date: datetime.date,
    inspectors: Sequence[Officer],
    units: Sequence[Unit],
    phase: Phase | None = None,
    summary: str = "",
) -> Inspection:
    """Plan an inspection (or record an unannounced one) of some units by inspectors."""
    require(actor, Perm.INSPECTION_MANAGE)
    errors = {}
    if not units:
        errors["units"] = [_("Name at least one unit")]
    if any(o.role not in (Role.INSPECTOR, Role.CITY_ADMIN, Role.LEADER) for o in inspectors):
        errors["inspectors"] = [_("Inspectors must have the inspector role")]
    if not inspectors:
        errors["inspectors"] = [_("Name at least one inspector")]
    if end_date < start_date:
        errors["end_date"] = [_("The end date is before the start date")]
    if errors:
        raise ValidationError(errors)
    inspection = Inspection(
        campaign=campaign,
        phase=phase,
        title=title.strip(),
        kind=kind,
        start_date=start_date,
        end_date=end_date,
        summary=summary.strip(),
        created_by=account_of(actor),
    )
    inspection.full_clean(exclude=["created_by"])
    inspection.save(force_insert=True)
    inspection.inspectors.set(inspectors)
    inspection.units.set(units)
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        target=inspection,
        after={
            **snapshot(inspection, ("campaign", "title", "kind", "start_date", "end_date")),
            "units": sorted(u.code for u in units),
            "inspectors": sorted(o.badge_no for o in inspectors),
        },
    )
    return inspection


@transaction.atomic
def finding_record(
    *,
    actor: Actor,
    inspection: Inspection,
    unit: Unit,
    kind: str,
    description: str,
    deduction: Decimal,
    rectify_by: datetime.date | None = None,
    plan_version: PlanVersion | None = None,
) -> Finding:
    """Record a problem found in an inspected unit, with its deduction and deadline."""
    _require_inspector_of(
        actor, inspection, _("Only the inspection's inspectors record its findings")
    )
    errors = {}
    if not inspection.units.filter(pk=unit.pk).exists():
        errors["unit"] = [_("%(unit)s is not one of the units inspected") % {"unit": unit}]
    if not Decimal("0") <= deduction <= MAX_DEDUCTION:
        errors["deduction"] = [
            _("The deduction must be between 0 and %(max)s points") % {"max": MAX_DEDUCTION}
        ]
    if not description.strip():
        errors["description"] = [_("Required")]
    today = timezone.localdate()
    rectify_by = rectify_by or work_calendar().add_working_days(
        today, settings.ZOUFANG_RECTIFY_DAYS
    )
    if rectify_by < today:
        errors["rectify_by"] = [_("The deadline is in the past")]
    if errors:
        raise ValidationError(errors)
    finding = Finding(
        inspection=inspection,
        unit=unit,
        kind=kind,
        description=description.strip(),
        deduction=deduction,
        rectify_by=rectify_by,
        plan_version=plan_version,
        found_on=today,
        created_by=account_of(actor),
    )
    finding.full_clean(exclude=["created_by", "plan_version"])
    finding.save(force_insert=True)
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        target=finding,
        after={**snapshot(finding, FINDING_FIELDS), "description": finding.description},
    )
    return finding


@transaction.atomic
def finding_rectify(*, actor: Actor, finding: Finding, rectification: str) -> Finding:
    """The unit reports how it rectified the problem."""
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    officer = officer_of(actor)
    if officer is None or not finding.unit.path.startswith(officer.unit.path):
        raise PermissionDenied(_("Only the unit concerned reports its rectification"))
    if finding.status != FindingStatus.OPEN:
        raise ConflictError(_("This finding is not waiting for rectification"))
    if not rectification.strip():
        raise ValidationError({"rectification": [_("Required")]})
    finding.status, finding.rectification, finding.rectified_at = (
        FindingStatus.RECTIFIED,
        rectification.strip(),
        timezone.now(),
    )
    finding.save()
    audit_record(
        action=AuditAction.TRANSITION,
        actor=actor,
        target=finding,
        before={"status": "open"},
        after={"status": finding.status, "rectification": finding.rectification[:200]},
    )
    return finding


@transaction.atomic
def finding_verify(*, actor: Actor, finding: Finding, accepted: bool, note: str = "") -> Finding:
    """An inspector (or the city office) accepts the rectification, or sends it back."""
    finding = Finding.objects.select_for_update().select_related("inspection").get(pk=finding.pk)
    _require_inspector_of(actor, finding.inspection)
    if finding.status != FindingStatus.RECTIFIED:
        raise ConflictError(_("Nothing to verify yet"))
    finding.status = FindingStatus.VERIFIED if accepted else FindingStatus.OPEN
    finding.verified_at = timezone.now() if accepted else None
    finding.save()
    audit_record(
        action=AuditAction.TRANSITION,
        actor=actor,
        target=finding,
        before={"status": "rectified"},
        after={"status": finding.status},
        note=note,
    )
    return finding


@transaction.atomic
def finding_from_copied_plan(
    *, actor: Actor, version: PlanVersion, deduction: Decimal | None = None
) -> Finding:
    """One click: a plan judged `copied` becomes a 方案照搬照抄 finding in the campaign's plan
    review (an inspection created for it on first use)."""
    require(actor, Perm.FINDING_RECORD)
    plan = version.plan
    if version.verdict != "copied" and not version.matches.filter(verdict="copied").exists():
        raise ConflictError(_("This plan is not judged copied"))
    if Finding.objects.filter(plan_version=version).exists():
        raise ConflictError(_("A finding was already recorded for this plan version"))
    today = timezone.localdate()
    review, _created = Inspection.objects.get_or_create(
        campaign=plan.campaign,
        title=_("Plan review: %(campaign)s") % {"campaign": plan.campaign.name},
        kind=InspectionKind.PLANNED,
        defaults={"start_date": today, "end_date": today, "created_by": actor},
    )
    review.units.add(plan.unit)
    officer = officer_of(actor)
    if officer is not None:
        review.inspectors.add(officer)
    similarity = version.similarity or max(
        version.matches.values_list("similarity", flat=True), default=0
    )
    return finding_record(
        actor=actor,
        inspection=review,
        unit=plan.unit,
        kind=FindingKind.PLAN_COPIED,
        description=_(
            "The work plan (version %(n)s) is copied: %(share)s%% of it is the same text "
            "as the city plan or another unit's plan."
        )
        % {"n": version.number, "share": round(similarity * 100)},
        deduction=deduction if deduction is not None else settings.ZOUFANG_COPIED_PLAN_DEDUCTION,
        plan_version=version,
    )
