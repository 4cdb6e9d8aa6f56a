"""API: the latest published assessment of a phase (the `assess --json` shape)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router

from zoufang.api.auth import request_user
from zoufang.api.schemas import ERRORS
from zoufang.org.permissions import Perm, require

from .selectors import latest_published

router = Router(tags=["assessment"])


@router.get(
    "/{campaign}/{phase}", response={200: dict[str, Any], **ERRORS}, summary="Published ranking"
)
def published_assessment(request: HttpRequest, campaign: str, phase: str) -> dict[str, Any]:
    """The latest published ranking of a phase (404 until one is published)."""
    require(request_user(request), Perm.DASHBOARD_VIEW)
    snapshot = latest_published(campaign_slug=campaign, phase_slug=phase)
    if snapshot is None:
        raise Http404
    result = {key: snapshot.result[key] for key in ("campaign", "phase", "groups", "imbalance")}
    return {
        **result,
        "version": snapshot.version,
        "published_at": snapshot.published_at.isoformat(),
    }
