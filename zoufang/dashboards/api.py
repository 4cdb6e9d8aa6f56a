"""API: the figures a notice states, for the caller's scope."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from zoufang.api.auth import request_user
from zoufang.api.schemas import ERRORS
from zoufang.org.models import Unit
from zoufang.org.permissions import Perm, require

from .selectors import stats_summary

router = Router(tags=["stats"])


class SummaryQuery(Schema):
    since: datetime.date | None = None
    until: datetime.date | None = None
    unit: str | None = None


@router.get("/summary", response={200: dict[str, Any], **ERRORS}, summary="Figures for a notice")
def summary(request: HttpRequest, query: Query[SummaryQuery]) -> dict[str, Any]:
    """People visited (回访 included), enterprises and venues, key persons, households helped,
    donations (万元), disputes, hazards, opinions collected and closed, certificates handled."""
    user = request_user(request)
    require(user, Perm.DASHBOARD_VIEW)
    unit = get_object_or_404(Unit.objects.visible_to(user), code=query.unit) if query.unit else None
    return stats_summary(user=user, since=query.since, until=query.until, unit=unit)
