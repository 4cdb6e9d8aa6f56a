"""The import page (upload → background check with progress → preview of every bad row →
confirm), the blank template, exports (with approval for large ones)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from zoufang.core.audit import AuditAction, audit_record
from zoufang.core.forms import StyledForm
from zoufang.org.models import User
from zoufang.org.permissions import Perm, PermRequiredMixin, can

from . import jobs
from .exports import ledger_export
from .forms import VisitFilterForm
from .models import ExportRequest, ExportStatus, ImportJob, ImportStatus
from .selectors import VisitFilters, visit_list
from .workbooks import annotated_copy, template_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """An .xlsx download."""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


class UploadForm(StyledForm):
    """A ledger file to import."""

    file = forms.FileField(label=gettext_lazy("Ledger file (.xlsx, .xls or .csv)"))


def own_job(request: HttpRequest, pk: int) -> ImportJob:
    """An import job of the user's own (404 for anybody else's)."""
    return get_object_or_404(ImportJob, pk=pk, created_by_id=request.user.pk)


class ImportView(PermRequiredMixin, View):
    """Upload a ledger file; it is checked in the background."""

    required_perm = Perm.LEDGER_IMPORT

    def get(self, request: HttpRequest) -> HttpResponse:
        recent = ImportJob.objects.filter(created_by_id=request.user.pk)[:10]
        return render(request, "ledger/import.html", {"form": UploadForm(), "recent": recent})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, "ledger/import.html", {"form": form, "recent": []}, status=400)
        upload = form.cleaned_data["file"]
        if upload.size > settings.ZOUFANG_UPLOAD_MAX_BYTES:
            form.add_error(
                "file",
                _("The file is larger than %(mb)s MB")
                % {"mb": settings.ZOUFANG_UPLOAD_MAX_BYTES // 2**20},
            )
            return render(request, "ledger/import.html", {"form": form, "recent": []}, status=400)
        job = jobs.job_start(actor=request.user, upload=upload)
        return redirect("ledger:import_job", pk=job.pk)


ERRORS_PER_PAGE = 500


class ImportJobView(PermRequiredMixin, View):
    """Progress, then the preview of every bad row, then the result; confirm writes."""

    required_perm = Perm.LEDGER_IMPORT

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = own_job(request, pk)
        template = (
            "ledger/_import_status.html"
            if request.headers.get("HX-Request")
            else "ledger/import_job.html"
        )
        result = job.result or {}
        errors = Paginator(result.get("errors", []), ERRORS_PER_PAGE)
        context = {
            "job": job,
            "result": result,
            "error_page": errors.get_page(request.GET.get("page")),
            "new_rows": max(0, int(result.get("valid", 0)) - int(result.get("duplicates", 0))),
        }
        return render(request, template, context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = own_job(request, pk)
        if job.status != ImportStatus.CHECKED:
            messages.error(request, _("This import is not waiting for confirmation"))
            return redirect("ledger:import_job", pk=pk)
        jobs.job_confirm(job=job, skip_invalid=request.POST.get("skip_invalid") == "1")
        return redirect("ledger:import_job", pk=pk)


class ImportErrorsView(PermRequiredMixin, View):
    """The uploaded sheet with the bad cells marked and a 错误说明 column."""

    required_perm = Perm.LEDGER_IMPORT

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = own_job(request, pk)
        errors = [(e["row"], e["column"], e["message"]) for e in job.result.get("errors", [])]
        with job.upload.open("rb") as stream:
            content = annotated_copy(source=stream.read(), filename=job.filename, errors=errors)
        return xlsx_response(content, "错误说明.xlsx")


class TemplateDownloadView(PermRequiredMixin, View):
    """The blank ledger template."""

    required_perm = Perm.VISIT_VIEW

    def get(self, request: HttpRequest) -> HttpResponse:
        return xlsx_response(template_workbook(), "走访台账模板.xlsx")


def filters_of(request: HttpRequest) -> VisitFilters:
    """The ledger list's filters from the query string."""
    return VisitFilterForm(request.GET or None, user=request.user).to_filters()


class ExportView(PermRequiredMixin, View):
    """Export the ledger list with its current filters; a large export needs approval."""

    required_perm = Perm.LEDGER_EXPORT

    def get(self, request: HttpRequest) -> HttpResponse:
        filters = filters_of(request)
        count = visit_list(user=request.user, filters=filters).count()
        limit = settings.ZOUFANG_EXPORT_APPROVAL_ROWS
        if count > limit and not can(request.user, Perm.EXPORT_APPROVE):
            return render(
                request,
                "ledger/export_request.html",
                {"count": count, "limit": limit, "query": request.GET.urlencode()},
            )
        return _export(request, filters)

    def post(self, request: HttpRequest) -> HttpResponse:
        reason = request.POST.get("reason", "").strip()
        if not reason:
            messages.error(request, _("Say why you need the export"))
            return redirect(request.get_full_path())
        count = visit_list(user=request.user, filters=filters_of(request)).count()
        export = ExportRequest.objects.create(
            requested_by=cast(User, request.user),
            filters=request.GET.dict(),
            rows=count,
            reason=reason[:200],
        )
        audit_record(
            action=AuditAction.EXPORT,
            actor=request.user,
            target=export,
            after={"rows": count, "requested": True},
            note=reason,
        )
        messages.success(request, _("Export requested; the city office will approve it"))
        return redirect("ledger:export_requests")


def _export(request: HttpRequest, filters: VisitFilters) -> HttpResponse:
    import io

    stream = io.BytesIO()
    ledger_export(actor=request.user, filters=filters, out=stream)
    return xlsx_response(stream.getvalue(), f"走访台账_{timezone.localdate():%Y%m%d}.xlsx")


class ExportRequestsView(PermRequiredMixin, TemplateView):
    """Large exports: one's own requests, and for the city office the ones to decide."""

    required_perm = Perm.LEDGER_EXPORT
    template_name = "ledger/export_requests.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        approver = can(self.request.user, Perm.EXPORT_APPROVE)
        requests = ExportRequest.objects.select_related("requested_by")
        if not approver:
            requests = requests.filter(requested_by_id=self.request.user.pk)
        return {
            **super().get_context_data(**kwargs),
            "requests": requests[:100],
            "approver": approver,
        }


class ExportDecideView(PermRequiredMixin, View):
    """The city office approves or rejects a large export."""

    required_perm = Perm.EXPORT_APPROVE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        export = get_object_or_404(ExportRequest, pk=pk, status=ExportStatus.PENDING)
        export.status = (
            ExportStatus.APPROVED if request.POST.get("approve") == "1" else ExportStatus.REJECTED
        )
        export.decided_by_id, export.decided_at = request.user.pk, timezone.now()
        export.save()
        audit_record(
            action=AuditAction.TRANSITION,
            actor=request.user,
            target=export,
            after={"status": export.status},
        )
        return redirect("ledger:export_requests")


class ExportDownloadView(PermRequiredMixin, View):
    """Download an approved large export (its requester only)."""

    required_perm = Perm.LEDGER_EXPORT

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        export = get_object_or_404(ExportRequest, pk=pk, requested_by=request.user)
        if export.status != ExportStatus.APPROVED:
            raise PermissionDenied
        from django.http import QueryDict

        query = QueryDict(mutable=True)
        query.update(export.filters)
        filters = VisitFilterForm(query, user=request.user).to_filters()
        return _export(request, filters)
