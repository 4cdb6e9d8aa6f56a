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
from zoufang.ledger.selectors import visit_trend
from zoufang.org.models import Officer, Role
from zoufang.org.permissions import Perm, PermRequiredMixin, officer_of
from zoufang.org.selectors import unit_by_code

from . import selectors


def chosen_phase(request: HttpRequest) -> Phase | None:
    """The phase in ?phase=, else the current one."""
    value = request.GET.get("phase", "")
    return (phase_by_id(int(value)) if value.isdigit() else None) or current_phase()


def dates(phase: Phase | None) -> tuple[datetime.date | None, datetime.date | None]:
    return (phase.start_date, phase.end_date) if phase else (None, None)


def ledger_link(since: Any, until: Any, unit: Any = None, **filters: str) -> str:
    """The ledger list filtered like a figure."""
    query = {
        k: v
        for k, v in {
            "since": since,
            "until": until,
            "unit": unit.code if unit else "",
            **filters,
        }.items()
        if v
    }
    return reverse("ledger:visit_list") + "?" + urlencode({k: str(v) for k, v in query.items()})


def figure_cards(
    summary: dict[str, Any], since: Any, until: Any, unit: Any = None
) -> list[dict[str, Any]]:
    """The notice's figures as cards, each opening to its records (a figure the user may not
    see, None in the summary, has no card)."""
    opinions = reverse("opinions:opinion_list") + (f"?unit={unit.code}" if unit else "")
    cards = [
        {"key": "visits", "value": summary["visits"], "url": ledger_link(since, until, unit)},
        {
            "key": "return_visits",
            "value": summary["return_visits"],
            "url": ledger_link(since, until, unit, is_return_visit="1"),
        },
        {
            "key": "enterprises_and_venues",
            "value": summary["enterprises_and_venues"],
            "url": ledger_link(since, until, unit, target_type="enterprise"),
        },
        {
            "key": "key_persons",
            "value": summary["key_persons"],
            "url": ledger_link(since, until, unit, target_type="key_person"),
        },
        {
            "key": "households_helped",
            "value": summary["households_helped"],
            "url": ledger_link(since, until, unit, target_type="hardship_household"),
        },
        {
            "key": "donations_wan_yuan",
            "value": summary["donations_wan_yuan"],
            "url": ledger_link(since, until, unit, target_type="hardship_household"),
        },
        {
            "key": "disputes_mediated",
            "value": summary["disputes_mediated"],
            "url": ledger_link(since, until, unit),
        },
        {
            "key": "hazards_found",
            "value": summary["hazards_found"],
            "url": ledger_link(since, until, unit),
        },
        {"key": "opinions_collected", "value": summary["opinions_collected"], "url": opinions},
        {
            "key": "opinions_closed",
            "value": summary["opinions_closed"],
            "url": opinions + ("&" if unit else "?") + "status=closed",
        },
        {
            "key": "certificates_handled",
            "value": summary["certificates_handled"],
            "url": reverse("assessment:service_list"),
        },
    ]
    return [card for card in cards if card["value"] is not None]


class HomeView(PermRequiredMixin, TemplateView):
    """The overview of the user's scope for a phase: the notice's figures, the weekly trend,
    target types, 面对面 vs 键对键, opinions by state, the leaderboard."""

    required_perm = Perm.DASHBOARD_VIEW
    template_name = "dashboards/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        phase = chosen_phase(self.request)
        since, until = dates(phase)
        summary, overview = selectors.dashboard_figures(user=user, since=since, until=until)
        query = f"?phase={phase.pk}" if phase else ""
        return {
            **super().get_context_data(**kwargs),
            "phase": phase,
            "phases": phase_choices(),
            "cards": figure_cards(summary, since, until),
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
        since, until = dates(phase)
        summary = selectors.stats_summary(user=user, since=since, until=until, unit=unit)
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
            "cards": figure_cards(summary, since, until, unit),
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
        since, until = dates(phase)
        ranking = selectors.leaderboard(phase=phase) if phase else {"groups": []}
        ranks = {r["unit"]: r for g in ranking["groups"] for r in g["ranking"]}
        units = selectors.assigned_units(leader=leader, phase=phase)
        rows = [
            {
                "unit": unit,
                "summary": selectors.stats_summary(
                    user=self.request.user, since=since, until=until, unit=unit
                ),
                "rank": ranks.get(unit.code),
            }
            for unit in units
        ]
        return {
            **super().get_context_data(**kwargs),
            "leader": leader,
            "phase": phase,
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
        since, until = dates(phase)
        summary, overview = selectors.dashboard_figures(user=request.user, since=since, until=until)
        return JsonResponse(
            {
                "summary": summary,
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
