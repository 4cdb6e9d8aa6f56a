"""Reads of campaigns and phases."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from .models import Campaign, Phase


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
