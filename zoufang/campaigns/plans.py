"""Plans and their comparison: every plan against the city plan and against the other units'
plans (units copy each other too). The text matching itself is `comparison.py`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from zoufang.core.actors import Actor
from zoufang.core.audit import AuditAction, audit_record
from zoufang.org.models import Unit, UnitKind
from zoufang.org.permissions import Perm, account_of, require

from . import comparison
from .models import Campaign, Plan, PlanMatch, PlanVersion

MAX_PLAN_CHARS = 200_000
MIN_OWN_CHARS = 4 * comparison.MIN_LEN  # less of its own than this: nothing to compare


def unit_names() -> list[str]:
    """Every unit's name and short name, to be replaced by the placeholder before comparing."""
    names: set[str] = set()
    for name, short in Unit.objects.values_list("name", "short_name"):
        names.update(filter(None, (name, short)))
    return sorted(names)


def _normalized(version: PlanVersion, names: list[str]) -> comparison.Normalized:
    return comparison.normalize(version.text, names=names)


def residual_text(version: PlanVersion) -> str:
    """The plan without the passages it shares with the city plan.

    Units are compared with each other on what they add beyond the city plan: two plans that
    both copied the city plan resemble each other only through it, which is already its own
    verdict; two that share their own text copied from each other.
    """
    pieces, position = [], 0
    for start, end in sorted(tuple(p["other"]) for p in version.passages or []):
        if start > position:
            pieces.append(version.text[position:start])
        pieces.append("\n")
        position = max(position, end)
    pieces.append(version.text[position:])
    return "".join(pieces)


def _residual(version: PlanVersion, names: list[str]) -> comparison.Normalized | None:
    """The normalised residual, or None when too little of the plan is its own."""
    normalized = comparison.normalize(residual_text(version), names=names)
    return normalized if len(normalized) >= MIN_OWN_CHARS else None


def current_versions(campaign: Campaign) -> list[PlanVersion]:
    """The current version of every plan of the campaign."""
    return list(
        PlanVersion.objects.filter(plan__campaign=campaign, plan__current=F("pk"))
        .select_related("plan__unit")
        .order_by("plan__unit__path")
    )


def city_version(campaign: Campaign) -> PlanVersion | None:
    """The city plan's current version."""
    plan = (
        Plan.objects.filter(campaign=campaign, is_city_plan=True).select_related("current").first()
    )
    return plan.current if plan else None


@transaction.atomic
def plan_submit(
    *,
    actor: Actor,
    campaign: Campaign,
    unit: Unit,
    text: str,
    filename: str = "",
    document: Any = None,
) -> PlanVersion:
    """Add a version of a unit's plan (uploaded or pasted) and compare it at once."""
    require(actor, Perm.PLAN_UPLOAD)
    if not Unit.objects.visible_to(actor).filter(pk=unit.pk).exists():
        raise PermissionDenied
    text = text.strip()
    if len(text) < comparison.MIN_LEN:
        raise ValidationError({"text": [_("The plan is empty or too short to be a plan")]})
    if len(text) > MAX_PLAN_CHARS:
        raise ValidationError(
            {"text": [_("The plan is longer than %(max)s characters") % {"max": MAX_PLAN_CHARS}]}
        )
    plan, _created = Plan.objects.get_or_create(
        campaign=campaign, unit=unit, defaults={"is_city_plan": unit.kind == UnitKind.CITY_OFFICE}
    )
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    number = (plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = PlanVersion(
        plan=plan,
        number=number,
        text=text,
        filename=filename[:200],
        uploaded_by=account_of(actor),
    )
    if document is not None:
        version.document = document
    version.save(force_insert=True)
    plan.current = version
    plan.save(update_fields=["current"])
    if plan.is_city_plan:
        plans_compare_all(campaign=campaign)
    else:
        plan_compare(version=version)
    version.refresh_from_db()
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        target=version,
        after={
            "unit": unit.code,
            "campaign": campaign.slug,
            "number": number,
            "file": filename,
            "similarity": version.similarity,
            "verdict": version.verdict,
        },
    )
    return version


def plan_compare(*, version: PlanVersion, names: list[str] | None = None) -> None:
    """Compare one version with the city plan and with the other units' current plans."""
    names = names if names is not None else unit_names()
    campaign = version.plan.campaign
    city = city_version(campaign)
    if city is not None and city.pk != version.pk:
        result = comparison.compare(
            base=_normalized(city, names), other=_normalized(version, names)
        )
        version.similarity, version.verdict = result.similarity, str(result.verdict)
        version.passages = result.as_dict()["passages"]
    else:
        version.similarity, version.verdict, version.passages = None, "", []
    version.save(update_fields=["similarity", "verdict", "passages"])
    PlanMatch.objects.filter(version=version).delete()
    PlanMatch.objects.filter(other=version).delete()
    own = _residual(version, names)
    if own is None:
        return
    others = [
        v for v in current_versions(campaign) if v.pk != version.pk and not v.plan.is_city_plan
    ]
    residuals = ((v.pk, _residual(v, names)) for v in others)
    index: comparison.PlanIndex[int] = comparison.PlanIndex(
        items=((pk, text) for pk, text in residuals if text is not None)
    )
    matches = []
    for hit in index.query(own):
        if hit.similarity >= comparison.PARTIAL_AT:
            matches.append(
                PlanMatch(
                    version=version,
                    other_id=hit.key,
                    similarity=hit.similarity,
                    verdict=str(comparison.verdict_for(similarity=hit.similarity)),
                )
            )
        if hit.reverse >= comparison.PARTIAL_AT:
            matches.append(
                PlanMatch(
                    version_id=hit.key,
                    other=version,
                    similarity=hit.reverse,
                    verdict=str(comparison.verdict_for(similarity=hit.reverse)),
                )
            )
    PlanMatch.objects.bulk_create(matches)


@transaction.atomic
def plans_compare_all(*, campaign: Campaign) -> int:
    """Recompute every verdict of a campaign (after the city plan changes); returns the plans."""
    names = unit_names()
    versions = current_versions(campaign)
    city = city_version(campaign)
    city_text = _normalized(city, names) if city else None
    units = [v for v in versions if not v.plan.is_city_plan]
    normalized = {v.pk: _normalized(v, names) for v in units}
    for version in units:
        if city_text is not None:
            result = comparison.compare(base=city_text, other=normalized[version.pk])
            version.similarity, version.verdict = result.similarity, str(result.verdict)
            version.passages = result.as_dict()["passages"]
        else:
            version.similarity, version.verdict, version.passages = None, "", []
    PlanVersion.objects.bulk_update(units, ["similarity", "verdict", "passages"])
    PlanMatch.objects.filter(version__plan__campaign=campaign).delete()
    residuals = ((v.pk, _residual(v, names)) for v in units)
    index: comparison.PlanIndex[int] = comparison.PlanIndex(
        items=((pk, text) for pk, text in residuals if text is not None)
    )
    matches = []
    for pair in index.pairs():
        for version_id, other_id, share in (
            (pair.a, pair.b, pair.a_in_b),
            (pair.b, pair.a, pair.b_in_a),
        ):
            if share >= comparison.PARTIAL_AT:
                matches.append(
                    PlanMatch(
                        version_id=version_id,
                        other_id=other_id,
                        similarity=share,
                        verdict=str(comparison.verdict_for(similarity=share)),
                    )
                )
    PlanMatch.objects.bulk_create(matches)
    return len(units)


def highlight(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """The text cut into (piece, highlighted) for showing copied passages."""
    pieces: list[tuple[str, bool]] = []
    position = 0
    for start, end in sorted(spans):
        start = max(start, position)
        if start >= end:
            continue
        if start > position:
            pieces.append((text[position:start], False))
        pieces.append((text[start:end], True))
        position = end
    if position < len(text):
        pieces.append((text[position:], False))
    return pieces
