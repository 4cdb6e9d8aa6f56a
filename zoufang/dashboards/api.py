"""API: the figure registry's values for the caller's scope."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from zoufang.api.auth import request_user
from zoufang.api.schemas import ERRORS
from zoufang.figures.selectors import figure_values, figures_json
from zoufang.org.models import Unit
from zoufang.org.permissions import Perm, require

router = Router(tags=["stats"])


class SummaryQuery(Schema):
    since: datetime.date | None = None
    until: datetime.date | None = None
    unit: str | None = None


@router.get("/summary", response={200: dict[str, Any], **ERRORS}, summary="Figures for a notice")
def summary(request: HttpRequest, query: Query[SummaryQuery]) -> dict[str, Any]:
    """The figure registry's values (code → label, value, counting unit; see /figures/) for
    the caller's scope, or a unit's subtree within it, between two days: the records the
    caller may see, counted as the visit and opinion lists count them."""
    user = request_user(request)
    require(user, Perm.DASHBOARD_VIEW)
    unit = get_object_or_404(Unit.objects.visible_to(user), code=query.unit) if query.unit else None
    values = figure_values(user=user, since=query.since, until=query.until, unit=unit)
    return figures_json(values, unit=unit, since=query.since, until=query.until)
