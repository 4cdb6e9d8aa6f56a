"""The overview dashboard of the user's scope."""

from __future__ import annotations

from typing import Any

from django.views.generic import TemplateView

from zoufang.campaigns.selectors import current_phase, phase_by_id, phase_choices
from zoufang.org.permissions import Perm, PermRequiredMixin

from . import selectors


class HomeView(PermRequiredMixin, TemplateView):
    """Counts by target type and channel for the current phase (or the phase chosen)."""

    required_perm = Perm.DASHBOARD_VIEW
    template_name = "dashboards/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        phase = None
        if self.request.GET.get("phase", "").isdigit():
            phase = phase_by_id(int(self.request.GET["phase"]))
        phase = phase or current_phase()
        since, until = (phase.start_date, phase.end_date) if phase else (None, None)
        overview = selectors.overview(user=self.request.user, since=since, until=until)
        return {
            **super().get_context_data(**kwargs),
            "phase": phase,
            "phases": phase_choices(),
            "overview": overview,
            "chart_data": {
                "target_types": overview.by_target_type,
                "channels": overview.by_channel,
            },
        }
