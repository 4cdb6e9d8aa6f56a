"""Writes to campaigns and phases."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zoufang.core.audit import AuditAction, audit_record, snapshot

from .models import Campaign, Phase


@transaction.atomic
def campaign_create(
    *,
    actor: Any,
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
    actor: Any,
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
