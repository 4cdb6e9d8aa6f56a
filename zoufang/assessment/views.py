"""The assessment page (scores and rankings, each opening to its records), publishing, and
the 便民服务 records."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from zoufang.campaigns.models import Campaign, Phase
from zoufang.core.errors import ConflictError
from zoufang.org.permissions import Perm, PermRequiredMixin, can
from zoufang.org.selectors import unit_list

from . import selectors, services
from .drilldown import records_url
from .forms import ServiceImportForm, ServiceRecordForm
from .models import Indicator, ServiceImportStatus
from .service_import import MAX_BYTES, template_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def phase_or_404(campaign_slug: str, phase_slug: str) -> tuple[Campaign, Phase]:
    """A campaign and one of its phases by slug."""
    campaign = get_object_or_404(Campaign, slug=campaign_slug)
    return campaign, get_object_or_404(Phase, campaign=campaign, slug=phase_slug)


def indicator_names(campaign: Campaign) -> dict[str, dict[str, tuple[str, str]]]:
    """Per unit kind: indicator code → (name, source), from the schemes or the defaults."""
    from .defaults import DEFAULT_SCHEMES

    names: dict[str, dict[str, tuple[str, str]]] = {
        kind: {row[0]: (row[1], str(row[2])) for row in rows}
        for kind, (_n, _t, rows) in DEFAULT_SCHEMES.items()
    }
    for indicator in Indicator.objects.filter(scheme__campaign=campaign).select_related("scheme"):
        names.setdefault(indicator.scheme.unit_kind, {})[indicator.code] = (
            indicator.name,
            indicator.source,
        )
    return names


class AssessmentView(PermRequiredMixin, TemplateView):
    """Scores and rankings of a phase by unit kind: live, or a published version."""

    required_perm = Perm.DASHBOARD_VIEW
    template_name = "assessment/assessment.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        campaign, phase = phase_or_404(kwargs["campaign"], kwargs["phase"])
        versions = selectors.published_versions(campaign_slug=campaign.slug, phase_slug=phase.slug)
        wanted = self.request.GET.get("version")
        snapshot = next((v for v in versions if str(v.version) == wanted), None)
        if wanted and snapshot is None:
            raise Http404
        result = snapshot.result if snapshot else services.assess(campaign=campaign, phase=phase)
        names = indicator_names(campaign)
        groups = []
        for group in result["groups"]:
            kind_names = names.get(group["kind"], {})
            codes = list(group["ranking"][0]["breakdown"]) if group["ranking"] else []
            rows = []
            for row in group["ranking"]:
                cells = [
                    {
                        "points": row["breakdown"][code],
                        "url": records_url(
                            kind_names.get(code, ("", ""))[1],
                            unit_code=row["unit"],
                            since=phase.start_date,
                            until=phase.end_date,
                            campaign_slug=campaign.slug,
                        ),
                    }
                    for code in codes
                ]
                rows.append({**row, "cells": cells})
            groups.append(
                {
                    "kind": group["kind"],
                    "columns": [kind_names.get(c, (c, ""))[0] for c in codes],
                    "rows": rows,
                }
            )
        return {
            **super().get_context_data(**kwargs),
            "campaign": campaign,
            "phase": phase,
            "phases": campaign.phases.order_by("order"),
            "groups": groups,
            "imbalance": result["imbalance"],
            "snapshot": snapshot,
            "versions": versions,
            "can_publish": can(self.request.user, Perm.ASSESSMENT_PUBLISH),
            "missing_sources": result.get("missing_sources", []),
            "trend_json": json.dumps(result["imbalance"].get("trend", [])),
        }


class PublishView(PermRequiredMixin, View):
    """The city office publishes (freezes) the phase's assessment."""

    required_perm = Perm.ASSESSMENT_PUBLISH

    def post(self, request: HttpRequest, campaign: str, phase: str) -> HttpResponse:
        found, stage = phase_or_404(campaign, phase)
        snapshot = services.assessment_publish(actor=request.user, campaign=found, phase=stage)
        messages.success(request, _("Published as version %(n)s") % {"n": snapshot.version})
        return redirect(f"{request.path.rsplit('publish/', 1)[0]}?version={snapshot.version}")


class ServiceRecordListView(PermRequiredMixin, TemplateView):
    """便民服务 records in scope; units record theirs here."""

    required_perm = Perm.DASHBOARD_VIEW
    template_name = "assessment/service_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        unit_code = self.request.GET.get("unit", "")
        form = kwargs.get("form") or (
            ServiceRecordForm(user=user) if can(user, Perm.SERVICE_RECORD) else None
        )
        return {
            **super().get_context_data(**kwargs),
            "records": selectors.service_records(user=user, unit_code=unit_code),
            "form": form,
            "unit_code": unit_code,
        }

    def post(self, request: HttpRequest) -> HttpResponse:
        if not can(request.user, Perm.SERVICE_RECORD):
            raise PermissionDenied
        form = ServiceRecordForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.service_record_save(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                for name, errors in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, _("Record saved"))
                return redirect("assessment:service_list")
        return self.render_to_response(self.get_context_data(form=form))


class ServiceImportView(PermRequiredMixin, View):
    """Upload a 便民服务 sheet; it is checked at once and previewed before anything is written."""

    required_perm = Perm.SERVICE_RECORD
    template_name = "assessment/service_import.html"

    def context(self, request: HttpRequest, form: ServiceImportForm) -> dict[str, Any]:
        return {"form": form, "recent": selectors.service_imports(user=request.user)}

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, self.context(request, ServiceImportForm()))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ServiceImportForm(request.POST, request.FILES)
        if form.is_valid() and form.cleaned_data["file"].size > MAX_BYTES:
            form.add_error("file", _("The file is larger than %(mb)s MB") % {"mb": MAX_BYTES >> 20})
        if not form.is_valid():
            return render(request, self.template_name, self.context(request, form), status=400)
        upload = form.cleaned_data["file"]
        job = services.service_import_check(
            actor=request.user, filename=upload.name, content=upload.read()
        )
        return redirect("assessment:service_import_detail", pk=job.pk)


class ServiceImportDetailView(PermRequiredMixin, View):
    """One's own import: the refusal, or the preview (every error, every change) and the
    confirmation that writes it."""

    required_perm = Perm.SERVICE_RECORD
    template_name = "assessment/service_import_detail.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = selectors.service_import_get(user=request.user, pk=pk)
        return render(request, self.template_name, {"job": job, "result": job.result})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = selectors.service_import_get(user=request.user, pk=pk)
        try:
            job = services.service_import_confirm(actor=request.user, job=job)
        except ConflictError as error:
            messages.error(request, error.message)
            return redirect("assessment:service_import_detail", pk=pk)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
            return redirect("assessment:service_import_detail", pk=pk)
        if job.status == ServiceImportStatus.DONE:
            result = job.result
            messages.success(
                request,
                _("Imported: %(c)s records added, %(u)s changed.")
                % {"c": result["created"], "u": result["updated"]},
            )
            return redirect("assessment:service_list")
        messages.error(request, _("The file has errors now; nothing was written"))
        return redirect("assessment:service_import_detail", pk=pk)


class ServiceTemplateView(PermRequiredMixin, View):
    """The blank 便民服务 template, with the units the user may record for."""

    required_perm = Perm.SERVICE_RECORD

    def get(self, request: HttpRequest) -> HttpResponse:
        content = template_workbook(units=unit_list(user=request.user))
        response = HttpResponse(content, content_type=XLSX)
        name = f"便民服务导入模板_{timezone.localdate():%Y%m%d}.xlsx"
        response["Content-Disposition"] = content_disposition_header(True, name) or ""
        return response
