"""The 指标说明 page (every figure's definition) and the page of the records behind a
figure, whose count or sum is the figure itself."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from zoufang.ledger.selectors import target_details
from zoufang.org.permissions import Perm, PermRequiredMixin
from zoufang.org.selectors import unit_by_code

from .forms import RecordsQueryForm
from .registry import FIGURES, REGISTRY, Figure, RecordKind, Records
from .selectors import figure_records

PAGE_SIZE = 50


class DefinitionsView(PermRequiredMixin, TemplateView):
    """指标说明: every figure with its counting unit, period and definition."""

    required_perm = Perm.DASHBOARD_VIEW
    template_name = "figures/definitions.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "figures": FIGURES}


class RecordsView(PermRequiredMixin, View):
    """The records behind a figure for a unit's subtree (or the user's scope) and days.

    A unit outside the user's scope is 404 and the records the user may not see (visits of
    key persons without the clearance) 403, each saying so, rather than another list."""

    required_perm = Perm.DASHBOARD_VIEW
    template_name = "figures/records.html"

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        figure = REGISTRY.get(code)
        if figure is None:
            raise Http404
        form = RecordsQueryForm(request.GET)
        context: dict[str, Any] = {"figure": figure, "form": form}
        if not form.is_valid():
            return render(request, self.template_name, context, status=400)
        data = form.cleaned_data
        unit = None
        if data["unit"]:
            unit = unit_by_code(user=request.user, code=data["unit"])
            if unit is None:
                context["refused"] = _(
                    "Unit %(code)s is not in your scope: its records are not shown to you."
                ) % {"code": data["unit"]}
                return render(request, self.template_name, context, status=404)
        records = figure_records(
            user=request.user, code=code, since=data["since"], until=data["until"], unit=unit
        )
        context.update(unit=unit, since=data["since"], until=data["until"], records=records)
        if records.hidden:
            context["refused"] = records.hidden
            return render(request, self.template_name, context, status=403)
        return render(request, self.template_name, {**context, **_page(request, figure, records)})


def _page(request: HttpRequest, figure: Figure, records: Records) -> dict[str, Any]:
    """A page of the records, the figure they give, and the rows' details for targets."""
    page = Paginator(records.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    if records.kind == RecordKind.TARGETS:
        details = target_details(
            user=request.user,
            targets=[row["target"] for row in rows],
            target_types=records.target_types,
        )
        rows = [{**row, **details.get(row["target"], {})} for row in rows]
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "page": page,
        "rows": rows,
        "total": records.total(),
        "query": query.urlencode(),
        "kind": str(records.kind),
        "summed": records.summed,
    }
