"""Dashboards: the overview of the user's scope, a unit's page, a leader's page, and the small
JSON views their charts read."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import Http404, HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import urlencode
from django.views import View
from django.views.generic import TemplateView

from zoufang.campaigns.models import Phase
from zoufang.campaigns.selectors import current_phase, phase_by_id, phase_choices
from zoufang.figures.links import definition_url, records_url
from zoufang.figures.selectors import FigureValue, figure_values, figures_json, phase_period
from zoufang.ledger.selectors import visit_trend
from zoufang.org.models import Officer, Role
from zoufang.org.permissions import Perm, PermRequiredMixin, officer_of
from zoufang.org.selectors import unit_by_code

from . import selectors


def chosen_phase(request: HttpRequest) -> Phase | None:
    """The phase in ?phase=, else the current one."""
    value = request.GET.get("phase", "")
    return (phase_by_id(int(value)) if value.isdigit() else None) or current_phase()


def period_of(
    request: HttpRequest, phase: Phase | None
) -> tuple[bool, datetime.date | None, datetime.date | None]:
    """Whether ?cumulative=1 asks for 累计, and the days: the phase's, or from the campaign's
    first day to the phase's last."""
    cumulative = request.GET.get("cumulative") == "1" and phase is not None
    if phase is None:
        return False, None, None
    since, until = phase_period(phase, cumulative=cumulative)
    return cumulative, since, until


def figure_cards(
    values: list[FigureValue], since: Any, until: Any, unit: Any = None
) -> list[dict[str, Any]]:
    """The registry's figures as cards, each opening to its records and its definition (a
    figure the user may not see says so instead)."""
    return [
        {
            "key": value.code,
            "label": value.figure.label,
            "measure": value.figure.measure.label,
            "value": value.value,
            "url": records_url(value.code, since=since, until=until, unit=unit),
            "definition_url": definition_url(value.code),
        }
        for value in values
    ]


class HomeView(PermRequiredMixin, TemplateView):
    """The overview of the user's scope for a phase: the notice's figures, the weekly trend,
    target types, 面对面 vs 键对键, opinions by state, the leaderboard."""

    required_perm = Perm.DASHBOARD_VIEW
    template_name = "dashboards/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        phase = chosen_phase(self.request)
        cumulative, since, until = period_of(self.request, phase)
        values, overview = selectors.dashboard_figures(user=user, since=since, until=until)
        query = f"?phase={phase.pk}" if phase else ""
        return {
            **super().get_context_data(**kwargs),
            "phase": phase,
            "phases": phase_choices(),
            "cumulative": cumulative,
            "since": since,
            "until": until,
            "cards": figure_cards(values, since, until),
            "overview": overview,
            "states": selectors.opinion_states(user=user),
            "chart_data": {
                "target_types": overview.by_target_type,
                "channels": overview.by_channel,
            },
            "trend_url": reverse("dashboards:trend_data") + query,
            "leaderboard_url": reverse("dashboards:leaderboard_data") + query,
        }


class UnitView(PermRequiredMixin, TemplateView):
    """One unit's page (its subtree): figures, trend, its place in the ranking."""

    required_perm = Perm.DASHBOARD_VIEW
    template_name = "dashboards/unit.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        unit = unit_by_code(user=user, code=kwargs["code"])
        if unit is None:
            raise Http404
        phase = chosen_phase(self.request)
        cumulative, since, until = period_of(self.request, phase)
        values = figure_values(user=user, since=since, until=until, unit=unit)
        ranking = selectors.leaderboard(phase=phase) if phase else {"groups": []}
        row = next(
            (r for g in ranking["groups"] for r in g["ranking"] if r["unit"] == unit.code), None
        )
        query: dict[str, str] = {"unit": unit.code, **({"phase": str(phase.pk)} if phase else {})}
        return {
            **super().get_context_data(**kwargs),
            "unit": unit,
            "phase": phase,
            "phases": phase_choices(),
            "row": row,
            "cumulative": cumulative,
            "since": since,
            "until": until,
            "cards": figure_cards(values, since, until, unit),
            "trend_url": reverse("dashboards:trend_data") + "?" + urlencode(query),
        }


class LeaderView(PermRequiredMixin, TemplateView):
    """A leader's page: the units he or she answers for (分包), each with its figures and rank."""

    required_perm = Perm.DASHBOARD_VIEW
    template_name = "dashboards/leader.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        badge = kwargs.get("badge_no") or getattr(officer_of(self.request.user), "badge_no", "")
        leader = get_object_or_404(
            Officer.objects.select_related("user"), badge_no=badge, role=Role.LEADER
        )
        phase = chosen_phase(self.request)
        cumulative, since, until = period_of(self.request, phase)
        ranking = selectors.leaderboard(phase=phase) if phase else {"groups": []}
        ranks = {r["unit"]: r for g in ranking["groups"] for r in g["ranking"]}
        units = selectors.assigned_units(leader=leader, phase=phase)
        rows = [
            {
                "unit": unit,
                "cards": figure_cards(
                    figure_values(user=self.request.user, since=since, until=until, unit=unit),
                    since,
                    until,
                    unit,
                ),
                "rank": ranks.get(unit.code),
            }
            for unit in units
        ]
        return {
            **super().get_context_data(**kwargs),
            "leader": leader,
            "phase": phase,
            "cumulative": cumulative,
            "since": since,
            "until": until,
            "phases": phase_choices(),
            "rows": rows,
        }


class TrendDataView(PermRequiredMixin, View):
    """JSON: visits per week of the scope (or a unit) in the phase."""

    required_perm = Perm.DASHBOARD_VIEW

    def get(self, request: HttpRequest) -> JsonResponse:
        phase = chosen_phase(request)
        if phase is None:
            return JsonResponse({"weeks": []})
        unit = None
        if request.GET.get("unit"):
            unit = unit_by_code(user=request.user, code=request.GET["unit"])
            if unit is None:
                raise Http404
        weeks = visit_trend(
            user=request.user, since=phase.start_date, until=phase.end_date, unit=unit
        )
        return JsonResponse({"phase": phase.slug, "weeks": weeks})


class SummaryDataView(PermRequiredMixin, View):
    """JSON: the notice's figures, target types, channels and opinion states for the scope."""

    required_perm = Perm.DASHBOARD_VIEW

    def get(self, request: HttpRequest) -> JsonResponse:
        phase = chosen_phase(request)
        _cumulative, since, until = period_of(request, phase)
        values, overview = selectors.dashboard_figures(user=request.user, since=since, until=until)
        return JsonResponse(
            {
                "summary": figures_json(values, unit=None, since=since, until=until),
                "target_types": overview.by_target_type,
                "channels": overview.by_channel,
                "opinions": selectors.opinion_states(user=request.user),
            }
        )


class LeaderboardDataView(PermRequiredMixin, View):
    """JSON: the phase's ranking by unit kind with flags."""

    required_perm = Perm.DASHBOARD_VIEW

    def get(self, request: HttpRequest) -> JsonResponse:
        phase = chosen_phase(request)
        if phase is None:
            return JsonResponse({"groups": []})
        return JsonResponse(selectors.leaderboard(phase=phase))
