"""Notices pages: the list and drafting, a draft with its preview and editable narrative,
issuing, downloads."""

from __future__ import annotations

import base64
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from zoufang.core.errors import ConflictError
from zoufang.core.officialdoc import Heading1, Heading2, Image, Paragraph, Table
from zoufang.org.permissions import Perm, PermRequiredMixin, can

from . import selectors, services
from .composer import NoticeData, compose, figures_paragraph
from .forms import DraftForm, NarrativeForm
from .models import Notice, NoticeStatus


def visible_notice(request: HttpRequest, pk: int) -> Notice:
    """An issued notice, or a draft for those who may see drafts; else 404."""
    notice = get_object_or_404(
        Notice.objects.select_related("campaign", "phase", "assessment"), pk=pk
    )
    if notice.status == NoticeStatus.DRAFT and not can(request.user, Perm.NOTICE_DRAFTS):
        raise Http404
    return notice


def preview_blocks(notice: Notice) -> list[dict[str, Any]]:
    """The notice's body as simple blocks for the HTML preview."""
    document = compose(
        NoticeData(**notice.data),
        narrative=notice.narrative,
        issuer="",
        doc_number="",
        title=notice.title,
        date=notice.created_at.date(),
        with_chart=True,
    )
    blocks: list[dict[str, Any]] = []
    for block in document.blocks:
        if isinstance(block, Heading1):
            blocks.append({"type": "h1", "text": block.text})
        elif isinstance(block, Heading2):
            blocks.append({"type": "h2", "text": block.text, "body": block.body})
        elif isinstance(block, Paragraph):
            blocks.append({"type": "p", "text": block.text})
        elif isinstance(block, Table):
            blocks.append(
                {
                    "type": "table",
                    "header": block.header,
                    "rows": block.rows,
                    "caption": block.caption,
                }
            )
        elif isinstance(block, Image):
            blocks.append(
                {
                    "type": "img",
                    "src": "data:image/png;base64," + base64.b64encode(block.png).decode(),
                    "caption": block.caption,
                }
            )
    return blocks


class NoticeListView(PermRequiredMixin, TemplateView):
    """Issued notices (and drafts for the city office and leaders); drafting a new one."""

    required_perm = Perm.DASHBOARD_VIEW
    template_name = "notices/notice_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        return {
            **super().get_context_data(**kwargs),
            "notices": selectors.notice_list(user=user, drafts=can(user, Perm.NOTICE_DRAFTS)),
            "form": DraftForm() if can(user, Perm.NOTICE_MANAGE) else None,
        }


class NoticeDraftView(PermRequiredMixin, View):
    """Draft a notice for a phase (from its latest published assessment)."""

    required_perm = Perm.NOTICE_MANAGE

    def post(self, request: HttpRequest) -> HttpResponse:
        form = DraftForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a phase"))
            return redirect("notices:notice_list")
        phase = form.cleaned_data["phase"]
        notice = services.notice_draft(actor=request.user, campaign=phase.campaign, phase=phase)
        messages.success(request, _("Draft created; edit the narrative, then issue it"))
        return redirect("notices:notice_detail", pk=notice.pk)


class NoticeDetailView(PermRequiredMixin, TemplateView):
    """A notice: its preview; for a draft, the narrative to edit and the issue button."""

    required_perm = Perm.DASHBOARD_VIEW
    template_name = "notices/notice_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        notice = visible_notice(self.request, kwargs["pk"])
        editable = notice.status == NoticeStatus.DRAFT and can(
            self.request.user, Perm.NOTICE_MANAGE
        )
        form = kwargs.get("form") or (
            NarrativeForm(
                initial={"version": notice.version, "title": notice.title, **notice.narrative}
            )
            if editable
            else None
        )
        return {
            **super().get_context_data(**kwargs),
            "notice": notice,
            "form": form,
            "blocks": preview_blocks(notice),
            "figures_text": figures_paragraph(NoticeData(**notice.data)),
        }

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        notice = visible_notice(request, pk)
        if not can(request.user, Perm.NOTICE_MANAGE):
            raise Http404
        if "issue" in request.POST:
            try:
                issued = services.notice_issue(actor=request.user, notice_id=notice.pk)
            except ConflictError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Issued as %(number)s") % {"number": issued.doc_number})
            return redirect("notices:notice_detail", pk=pk)
        form = NarrativeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.notice_edit(
                    actor=request.user,
                    notice_id=notice.pk,
                    expected_version=data["version"],
                    title=data["title"],
                    narrative=data,
                )
            except (ConflictError, ValidationError) as error:
                form.add_error(None, getattr(error, "message", None) or "；".join(error.messages))  # type: ignore[union-attr]
            else:
                messages.success(request, _("Draft saved"))
                return redirect("notices:notice_detail", pk=pk)
        return self.render_to_response(self.get_context_data(pk=pk, form=form))


class NoticeDownloadView(PermRequiredMixin, View):
    """Download a notice: the stored .docx (or PDF) when issued, a fresh print of a draft."""

    required_perm = Perm.DASHBOARD_VIEW

    def get(self, request: HttpRequest, pk: int, kind: str) -> HttpResponse | FileResponse:
        notice = visible_notice(request, pk)
        if kind == "pdf":
            if not notice.pdf:
                raise Http404
            return FileResponse(
                notice.pdf.open("rb"), as_attachment=True, filename=f"{notice.doc_number}.pdf"
            )
        if notice.document:
            return FileResponse(
                notice.document.open("rb"), as_attachment=True, filename=f"{notice.doc_number}.docx"
            )
        content = services.notice_document_bytes(notice)
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
        response["Content-Disposition"] = "attachment; filename*=UTF-8''draft.docx"
        return response
