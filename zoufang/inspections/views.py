"""Inspection pages: the list, one inspection with its findings, and the finding actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from zoufang.campaigns.models import PlanVersion
from zoufang.campaigns.selectors import plan_current_version
from zoufang.core.errors import ConflictError
from zoufang.org.permissions import Perm, PermRequiredMixin, can, officer_of
from zoufang.org.selectors import unit_by_code

from . import selectors, services
from .forms import FindingForm, InspectionForm, RectifyForm
from .models import Finding, Inspection


def inspection_or_404(request: HttpRequest, pk: int) -> Inspection:
    """An inspection in the user's scope, else 404."""
    try:
        return selectors.inspection_get(user=request.user, pk=pk)
    except Inspection.DoesNotExist as exc:
        raise Http404 from exc


def finding_or_404(request: HttpRequest, pk: int) -> Finding:
    """A finding in the user's scope, else 404."""
    try:
        return selectors.finding_get(user=request.user, pk=pk)
    except Finding.DoesNotExist as exc:
        raise Http404 from exc


def say_error(request: HttpRequest, error: Exception) -> None:
    """A service error as a flash message."""
    if isinstance(error, ValidationError):
        messages.error(request, "；".join(error.messages))
    else:
        messages.error(request, getattr(error, "message", "") or str(error))


class InspectionListView(PermRequiredMixin, TemplateView):
    """Inspections the user may see."""

    required_perm = Perm.CAMPAIGN_VIEW
    template_name = "inspections/inspection_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "inspections": selectors.inspection_list(user=self.request.user),
            "can_create": can(self.request.user, Perm.INSPECTION_MANAGE),
        }


class InspectionCreateView(PermRequiredMixin, FormView):
    """The city office plans an inspection."""

    required_perm = Perm.INSPECTION_MANAGE
    template_name = "inspections/inspection_form.html"
    form_class = InspectionForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form: InspectionForm) -> HttpResponse:
        try:
            inspection = services.inspection_create(actor=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, _("Inspection created"))
        return redirect("inspections:inspection_detail", pk=inspection.pk)


class InspectionDetailView(PermRequiredMixin, TemplateView):
    """An inspection, its findings and what the user may do about them."""

    required_perm = Perm.CAMPAIGN_VIEW
    template_name = "inspections/inspection_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        inspection = inspection_or_404(self.request, kwargs["pk"])
        officer = officer_of(user)
        is_inspector = officer is not None and inspection.inspectors.filter(pk=officer.pk).exists()
        may_record = can(user, Perm.FINDING_RECORD) and (
            is_inspector or can(user, Perm.INSPECTION_MANAGE)
        )
        return {
            **super().get_context_data(**kwargs),
            "inspection": inspection,
            "inspectors": inspection.inspectors.select_related("user"),
            "units": inspection.units.order_by("path"),
            "findings": selectors.finding_list(user=user, inspection=inspection),
            "finding_form": FindingForm(units=inspection.units.order_by("path"))
            if may_record
            else None,
            "may_verify": may_record,
            "rectify_form": RectifyForm() if can(user, Perm.FINDING_RECTIFY) else None,
            "my_unit_path": officer.unit.path if officer else None,
        }


class FindingCreateView(PermRequiredMixin, View):
    """An inspector records a finding."""

    required_perm = Perm.FINDING_RECORD

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspection = inspection_or_404(request, pk)
        form = FindingForm(request.POST, units=inspection.units.all())
        if not form.is_valid():
            problems = (str(e) for errors in form.errors.values() for e in errors)
            messages.error(request, "；".join(problems))
        else:
            try:
                services.finding_record(
                    actor=request.user, inspection=inspection, **form.cleaned_data
                )
                messages.success(request, _("Finding recorded"))
            except ValidationError as error:
                say_error(request, error)
        return redirect("inspections:inspection_detail", pk=pk)


class FindingRectifyView(PermRequiredMixin, View):
    """The unit reports its rectification."""

    required_perm = Perm.FINDING_RECTIFY

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        finding = finding_or_404(request, pk)
        form = RectifyForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(_("Say how it was rectified"))
            services.finding_rectify(
                actor=request.user,
                finding=finding,
                rectification=form.cleaned_data["rectification"],
            )
            messages.success(request, _("Rectification reported"))
        except (ValidationError, ConflictError) as error:
            say_error(request, error)
        return redirect("inspections:inspection_detail", pk=finding.inspection_id)


class FindingVerifyView(PermRequiredMixin, View):
    """An inspector accepts a rectification or sends it back."""

    required_perm = Perm.FINDING_RECORD

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        finding = finding_or_404(request, pk)
        try:
            services.finding_verify(
                actor=request.user, finding=finding, accepted=request.POST.get("accepted") == "1"
            )
            messages.success(request, _("Verification recorded"))
        except ConflictError as error:
            say_error(request, error)
        return redirect("inspections:inspection_detail", pk=finding.inspection_id)


class PlanFindingView(PermRequiredMixin, View):
    """One click on a plan page: a copied plan becomes a 方案照搬照抄 finding."""

    required_perm = Perm.FINDING_RECORD

    def post(self, request: HttpRequest, slug: str, unit_code: str) -> HttpResponse:
        if unit_by_code(user=request.user, code=unit_code) is None:
            raise Http404
        try:
            version = plan_current_version(campaign_slug=slug, unit_code=unit_code)
        except PlanVersion.DoesNotExist as exc:
            raise Http404 from exc
        try:
            finding = services.finding_from_copied_plan(actor=request.user, version=version)
        except ConflictError as error:
            messages.error(request, error.message)
            return redirect("campaigns:plan_detail", slug=slug, unit_code=unit_code)
        messages.success(
            request,
            _("Finding recorded with a deduction of %(points)s points")
            % {"points": finding.deduction},
        )
        return redirect("inspections:inspection_detail", pk=finding.inspection_id)
