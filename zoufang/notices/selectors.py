"""Reads for notices: the data a notice states, gathered from a frozen assessment and from
the other apps' selectors; and the notices list."""

from __future__ import annotations

import datetime
from dataclasses import asdict
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from zoufang.assessment.models import Assessment
from zoufang.campaigns.models import Campaign, Phase
from zoufang.campaigns.selectors import copied_plan_units
from zoufang.core.actors import Actor
from zoufang.figures.selectors import CITY_KEY, city_figures
from zoufang.inspections.selectors import findings_by_unit
from zoufang.opinions.selectors import overdue_by_unit_name

from .composer import NoticeData
from .models import Notice, NoticeStatus


def notice_figures(snapshot_figures: dict[str, Any], phase: Phase) -> dict[str, Any]:
    """The city's figures of the registry as the assessment kept them (its snapshot when
    published): the phase's and the cumulative (累计) values by code, with their days. An
    older snapshot without them is read again from the registry now."""
    kept = snapshot_figures.get(CITY_KEY) or city_figures(phase)
    return {key: kept[key] for key in ("phase", "cumulative")}


def notice_data(
    *,
    campaign: Campaign,
    phase: Phase,
    result: dict[str, Any],
    figures: dict[str, Any],
    today: datetime.date | None = None,
) -> NoticeData:
    """What the notice of a phase states, from an assessment result and its figures."""
    today = today or timezone.localdate()
    zero, bottom, top = [], {}, {}
    for group in result["groups"]:
        ranking = group["ranking"]
        zero += [row["name"] for row in ranking if "zero_result" in row["flags"]]
        bottom[group["kind"]] = [
            row["name"]
            for row in ranking
            if "bottom" in row["flags"] and "zero_result" not in row["flags"]
        ]
        top[group["kind"]] = [
            row["name"] for row in ranking if row["rank"] <= 3 and row["score"] > 0
        ][:3]
    as_of = min(today, phase.end_date)
    overdue = overdue_by_unit_name(as_of=as_of)
    findings = [
        {
            "unit": f.unit.name,
            "kind": f.kind,
            "kind_label": str(f.get_kind_display()),
            "description": f.description,
            "deduction": float(f.deduction),
        }
        for unit_findings in findings_by_unit(since=phase.start_date, until=phase.end_date).values()
        for f in unit_findings
    ]
    copied = copied_plan_units(campaign=campaign)
    return NoticeData(
        campaign_name=campaign.name,
        phase_name=phase.name,
        year=phase.end_date.year,
        phase_order=phase.order,
        figures=notice_figures(figures, phase),
        groups=result["groups"],
        zero_result=zero,
        bottom=bottom,
        overdue_opinions=sum(overdue.values()),
        overdue_units=overdue.most_common(),
        findings=findings,
        copied_plans=copied,
        imbalance=result["imbalance"],
        top=top,
        adopted_bulletins=_adopted_bulletins(campaign, phase),
    )


def _adopted_bulletins(campaign: Campaign, phase: Phase) -> list[tuple[str, str]]:
    try:
        from zoufang.bulletins.selectors import adopted_between
    except ImportError:
        return []
    return [
        (b.unit.name, b.title)
        for b in adopted_between(campaign=campaign, since=phase.start_date, until=phase.end_date)[
            :10
        ]
    ]


def data_as_json(data: NoticeData) -> dict[str, Any]:
    """NoticeData as stored in a Notice."""
    return asdict(data)


def notice_list(*, user: Actor, drafts: bool) -> QuerySet[Notice]:
    """Issued notices (and drafts for those who may see them), newest first."""
    notices = Notice.objects.select_related("campaign", "phase")
    if not drafts:
        notices = notices.filter(status=NoticeStatus.ISSUED)
    return notices.order_by("-created_at", "-id")


def latest_snapshot(phase: Phase) -> Assessment | None:
    """The phase's latest published assessment."""
    return Assessment.objects.filter(phase=phase).order_by("-version").first()
