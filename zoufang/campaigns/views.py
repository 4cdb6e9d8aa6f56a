"""The campaign page."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from zoufang.org.permissions import Perm, PermRequiredMixin

from . import selectors
from .models import Campaign


class CampaignDetailView(PermRequiredMixin, TemplateView):
    """A campaign with its phases."""

    required_perm = Perm.CAMPAIGN_VIEW
    template_name = "campaigns/campaign_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        campaign = get_object_or_404(Campaign, slug=kwargs["slug"])
        return {
            **super().get_context_data(**kwargs),
            "campaign": campaign,
            "phases": selectors.phase_list(campaign=campaign),
        }
