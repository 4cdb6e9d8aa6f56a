"""Assessing a phase (a read of the figures, scored by `scoring.py`) and publishing it as a
frozen snapshot; schemes are created from the defaults."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from zoufang.campaigns.models import Campaign, Phase
from zoufang.core.actors import Actor
from zoufang.core.audit import AuditAction, audit_record
from zoufang.core.errors import ConflictError
from zoufang.figures.selectors import CITY_KEY, city_figures
from zoufang.ledger.sheets import SheetError
from zoufang.org.permissions import Perm, account_of, require

from . import scoring
from .defaults import DEFAULT_SCHEMES, RANKED_KINDS
from .figures import (
    AGENCIES,
    GRASSROOTS,
    PhaseFigures,
    activity_figures,
    as_jsonable,
    kind_totals,
    phase_figures,
)
from .models import (
    Assessment,
    Indicator,
    Scheme,
    ServiceImport,
    ServiceImportStatus,
    ServiceRecord,
)
from .service_import import service_records_import


@transaction.atomic
def schemes_ensure_defaults(*, actor: Actor, campaign: Campaign) -> list[Scheme]:
    """Create the default scheme of every ranked unit kind the campaign lacks."""
    created = []
    for kind, (name, total, rows) in DEFAULT_SCHEMES.items():
        scheme, made = Scheme.objects.get_or_create(
            campaign=campaign, unit_kind=kind, defaults={"name": name, "total": total}
        )
        if not made:
            continue
        Indicator.objects.bulk_create(
            Indicator(
                scheme=scheme,
                code=code,
                name=label,
                source=source,
                method=method,
                weight=weight,
                target=target,
                per_unit=per_unit,
                cap=cap,
                no_data=no_data,
                order=order,
            )
            for order, (
                code,
                label,
                source,
                method,
                weight,
                target,
                per_unit,
                cap,
                no_data,
            ) in enumerate(rows)
        )
        created.append(scheme)
        audit_record(
            action=AuditAction.CREATE,
            actor=actor,
            target=scheme,
            after={"kind": kind, "indicators": len(rows)},
        )
    return created


def _rules(campaign: Campaign) -> dict[str, tuple[list[scoring.Rule], int]]:
    """The rules per unit kind: the campaign's schemes, else the defaults."""
    rules: dict[str, tuple[list[scoring.Rule], int]] = {}
    for scheme in Scheme.objects.filter(campaign=campaign).prefetch_related("indicators"):
        rules[scheme.unit_kind] = (scheme.rules(), scheme.bottom_count)
    for kind, (_name, _total, rows) in DEFAULT_SCHEMES.items():
        if kind not in rules:
            rules[kind] = (
                [
                    scoring.Rule(
                        code=r[0],
                        source=r[2],
                        method=r[3],
                        weight=r[4],
                        target=r[5],
                        per_unit=r[6],
                        cap=r[7],
                        no_data=r[8],
                    )
                    for r in rows
                ],
                3,
            )
    return rules


def _activity(figures: PhaseFigures, pk: int) -> dict[str, int]:
    counts = figures.counts[pk]
    return {
        "visits": int(counts["visits"]),
        "opinions": int(counts["accepted"] + counts["replied"]),
        "bulletins": int(counts["bulletins_submitted"]),
    }


def assess(
    *, campaign: Campaign, phase: Phase, today: datetime.date | None = None
) -> dict[str, Any]:
    """Scores and rankings of a phase in the `assess --json` shape (../shared/DESIGN.md), plus the
    figures behind them under `figures` (by unit code)."""
    figures = phase_figures(campaign=campaign, phase=phase, today=today)
    rules = _rules(campaign)
    groups = []
    for kind in RANKED_KINDS:
        members = {pk: u for pk, u in figures.units.items() if u.kind == kind}
        if not members:
            continue
        kind_rules, bottom = rules[kind]
        scored = scoring.score_group(
            kind_rules, {u.code: figures.sources[pk] for pk, u in members.items()}
        )
        by_code = {u.code: pk for pk, u in members.items()}
        scoring.flags_for(
            scored,
            activity={code: _activity(figures, pk) for code, pk in by_code.items()},
            overdue={
                code: int(figures.counts[pk]["overdue_now"] + figures.counts[pk]["tasks_overdue"])
                for code, pk in by_code.items()
            },
            bottom=bottom,
        )
        groups.append(
            {
                "kind": kind,
                "ranking": [
                    {
                        "unit": item.unit,
                        "name": figures.units[by_code[item.unit]].name,
                        "score": float(item.score),
                        "rank": item.rank,
                        "breakdown": {
                            code: float(points) for code, points in item.breakdown.items()
                        },
                        "flags": item.flags,
                    }
                    for item in scored
                ],
                "notes": {item.unit: item.notes for item in scored if item.notes},
            }
        )
    return {
        "campaign": campaign.slug,
        "phase": phase.slug,
        "groups": groups,
        "imbalance": imbalance_of(campaign=campaign, phase=phase, figures=figures, today=today),
        "missing_sources": sorted(figures.missing_sources),
        # per unit code the scored figures; under CITY_KEY the registry's figures of the city
        "figures": {**as_jsonable(figures), CITY_KEY: city_figures(phase)},
    }


def imbalance_of(
    *, campaign: Campaign, phase: Phase, figures: PhaseFigures, today: datetime.date | None
) -> dict[str, Any]:
    """上冷下热 for the phase, with its trend over the campaign's phases so far."""

    def one(f: PhaseFigures) -> scoring.Imbalance:
        agencies, grassroots = kind_totals(f, AGENCIES), kind_totals(f, GRASSROOTS)
        return scoring.imbalance(
            agency_visits=int(agencies["visits"]),
            agency_officers=int(agencies["officers"]),
            grassroots_visits=int(grassroots["visits"]),
            grassroots_officers=int(grassroots["officers"]),
        )

    now = one(figures)
    trend = []
    for other in campaign.phases.filter(start_date__lte=phase.start_date).order_by("start_date"):
        result = now if other.pk == phase.pk else one(activity_figures(phase=other))
        trend.append({"phase": other.slug, "ratio": result.ratio})
    return {
        "agencies_per_officer": now.agencies_per_officer,
        "grassroots_per_officer": now.grassroots_per_officer,
        "ratio": now.ratio,
        "imbalanced": now.imbalanced,
        "trend": trend,
    }


def contract_shape(result: dict[str, Any]) -> dict[str, Any]:
    """The result as `assess --json` prints it (without the figures and notes)."""
    return {
        "campaign": result["campaign"],
        "phase": result["phase"],
        "groups": [{"kind": g["kind"], "ranking": g["ranking"]} for g in result["groups"]],
        "imbalance": result["imbalance"],
    }


@transaction.atomic
def assessment_publish(*, actor: Actor, campaign: Campaign, phase: Phase) -> Assessment:
    """Freeze the phase's scores, breakdowns and source figures as a new published version."""
    require(actor, Perm.ASSESSMENT_PUBLISH)
    result = assess(campaign=campaign, phase=phase)
    version = (Assessment.objects.filter(phase=phase).aggregate(v=Max("version"))["v"] or 0) + 1
    snapshot = Assessment.objects.create(
        campaign=campaign,
        phase=phase,
        version=version,
        published_by=account_of(actor),
        result={
            **contract_shape(result),
            "notes": {g["kind"]: g["notes"] for g in result["groups"]},
            "missing_sources": result["missing_sources"],
        },
        figures=result["figures"],
    )
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        target=snapshot,
        after={"phase": phase.slug, "version": version},
    )
    return snapshot


@transaction.atomic
def service_record_save(
    *,
    actor: Actor,
    unit: Any,
    kind: str,
    period_start: datetime.date,
    period_end: datetime.date,
    items_delegated: int,
    certificates_handled: int,
) -> ServiceRecord:
    """Record (or correct) a unit's 便民服务 figures for a period."""
    from django.core.exceptions import ValidationError

    from zoufang.org.models import Unit

    if not Unit.objects.visible_to(actor).filter(pk=unit.pk).exists():
        raise PermissionDenied
    if period_end < period_start:
        raise ValidationError({"period_end": [_("The end date is before the start date")]})
    record, created = ServiceRecord.objects.update_or_create(
        unit=unit,
        kind=kind,
        period_start=period_start,
        period_end=period_end,
        defaults={
            "items_delegated": items_delegated,
            "certificates_handled": certificates_handled,
            "created_by": account_of(actor),
        },
    )
    audit_record(
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        actor=actor,
        target=record,
        after={
            "unit": unit.code,
            "kind": kind,
            "from": period_start.isoformat(),
            "to": period_end.isoformat(),
            "items_delegated": items_delegated,
            "certificates_handled": certificates_handled,
        },
    )
    return record


def service_import_check(*, actor: Actor, filename: str, content: bytes) -> ServiceImport:
    """Keep an uploaded 便民服务 sheet and check it (nothing written yet): its preview, or the
    reason the file is refused."""
    job = ServiceImport(created_by=account_of(actor), filename=filename[:200], content=content)
    try:
        result = service_records_import(actor=actor, source=content, filename=filename, write=False)
    except SheetError as error:
        job.status, job.result = ServiceImportStatus.REFUSED, {"error": error.message}
    else:
        job.status, job.result = ServiceImportStatus.CHECKED, result.as_stored()
    job.save()
    return job


@transaction.atomic
def service_import_confirm(*, actor: Actor, job: ServiceImport) -> ServiceImport:
    """Write a checked import, checking the file again (so nothing that changed since the
    preview slips through): all its rows, or none when a row has become wrong."""
    job = ServiceImport.objects.select_for_update().get(pk=job.pk, created_by=account_of(actor))
    if job.status != ServiceImportStatus.CHECKED:
        raise ConflictError(_("This import is not waiting for confirmation"))
    result = service_records_import(
        actor=actor, source=bytes(job.content), filename=job.filename, write=True
    )
    job.result = result.as_stored()
    if result.written:
        job.status = ServiceImportStatus.DONE
    job.save(update_fields=["result", "status"])
    return job
