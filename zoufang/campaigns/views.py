"""Campaign pages: the campaign with its task board, tasks, a leader's page, meetings, and
plans compared with the city plan."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from zoufang.core.actors import Actor
from zoufang.core.errors import ConflictError
from zoufang.org.models import Officer, Role, Unit
from zoufang.org.permissions import Perm, PermRequiredMixin, can, officer_of
from zoufang.org.selectors import unit_by_code

from . import plans, selectors, services
from .forms import MeetingForm, PlanForm, TaskForm, TaskReportForm
from .models import Campaign, Plan, PlanMatch, Task


def campaign_or_404(slug: str) -> Campaign:
    """A campaign by slug."""
    return get_object_or_404(Campaign, slug=slug)


def errors_text(error: ValidationError) -> str:
    """A ValidationError as one line."""
    return "；".join(error.messages)


class CampaignListView(PermRequiredMixin, TemplateView):
    """The campaigns, newest first."""

    required_perm = Perm.CAMPAIGN_VIEW
    template_name = "campaigns/campaign_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "campaigns": selectors.campaign_list()}


class CampaignDetailView(PermRequiredMixin, TemplateView):
    """The campaign: phases, the city plan, the task board, plan verdicts, meetings."""

    required_perm = Perm.CAMPAIGN_VIEW
    template_name = "campaigns/campaign_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        campaign = campaign_or_404(kwargs["slug"])
        city = plans.city_version(campaign)
        return {
            **super().get_context_data(**kwargs),
            "campaign": campaign,
            "phases": selectors.phase_list(campaign=campaign),
            "city_plan": city,
            "tasks": selectors.task_board(user=user, campaign=campaign),
            "today": timezone.localdate(),
            "leaders": selectors.leaders(campaign=campaign),
            "meetings": selectors.meeting_list(user=user, campaign=campaign)[:10],
            "verdicts": selectors.verdict_counts(campaign=campaign),
            "can_manage": can(user, Perm.TASK_MANAGE),
        }


class TaskCreateView(PermRequiredMixin, FormView):
    """The city office creates a task."""

    required_perm = Perm.TASK_MANAGE
    template_name = "campaigns/task_form.html"
    form_class = TaskForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.campaign = campaign_or_404(kwargs["slug"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user, "campaign": self.campaign}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "campaign": self.campaign}

    def form_valid(self, form: TaskForm) -> HttpResponse:
        try:
            task = services.task_create(
                actor=self.request.user, campaign=self.campaign, **form.cleaned_data
            )
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, _("Task created: %(task)s") % {"task": task})
        return redirect("campaigns:task_detail", slug=self.campaign.slug, pk=task.pk)


class TaskDetailView(PermRequiredMixin, TemplateView):
    """A task: lead leader, responsible units, deadline, progress reports, actions."""

    required_perm = Perm.CAMPAIGN_VIEW
    template_name = "campaigns/task_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        campaign = campaign_or_404(kwargs["slug"])
        try:
            task = selectors.task_get(user=user, campaign=campaign, pk=kwargs["pk"])
        except Task.DoesNotExist as exc:
            raise Http404 from exc
        my_units = reportable_units(user, task)
        return {
            **super().get_context_data(**kwargs),
            "campaign": campaign,
            "task": task,
            "reports": selectors.task_reports(task=task),
            "overdue": task.is_overdue(timezone.localdate()),
            "report_form": TaskReportForm(units=my_units)
            if my_units.exists() and can(user, Perm.TASK_REPORT)
            else None,
            "can_finish": can(user, Perm.TASK_MANAGE) and task.status != "done",
        }


def reportable_units(user: Actor, task: Task) -> Any:
    """The task's responsible units the user reports for (own unit and units below it)."""
    officer = officer_of(user)
    if officer is None:
        return Unit.objects.none()
    if can(user, Perm.TASK_MANAGE):  # the city office reports for any responsible unit
        return task.responsible_units.all()
    return task.responsible_units.filter(path__startswith=officer.unit.path)


class TaskReportView(PermRequiredMixin, View):
    """A responsible unit posts a progress report."""

    required_perm = Perm.TASK_REPORT

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        campaign = campaign_or_404(slug)
        try:
            task = selectors.task_get(user=request.user, campaign=campaign, pk=pk)
        except Task.DoesNotExist as exc:
            raise Http404 from exc
        form = TaskReportForm(
            request.POST, request.FILES, units=reportable_units(request.user, task)
        )
        if not form.is_valid():
            problems = (str(e) for errors in form.errors.values() for e in errors)
            messages.error(request, "；".join(problems))
            return redirect("campaigns:task_detail", slug=slug, pk=pk)
        try:
            services.task_report(actor=request.user, task=task, **form.cleaned_data)
        except (ValidationError, ConflictError) as error:
            messages.error(request, getattr(error, "message", None) or errors_text(error))  # type: ignore[arg-type]
        else:
            messages.success(request, _("Progress reported"))
        return redirect("campaigns:task_detail", slug=slug, pk=pk)


class TaskReportAttachmentView(PermRequiredMixin, View):
    """A progress report's attachment, for those who may see the task, downloaded (never
    shown inline) under its own name."""

    required_perm = Perm.CAMPAIGN_VIEW

    def get(self, request: HttpRequest, slug: str, pk: int, report_id: int) -> FileResponse:
        from pathlib import PurePosixPath

        from zoufang.bulletins.files import CONTENT_TYPES

        campaign = campaign_or_404(slug)
        try:
            task = selectors.task_get(user=request.user, campaign=campaign, pk=pk)
        except Task.DoesNotExist as exc:
            raise Http404 from exc
        report = task.reports.filter(pk=report_id).exclude(attachment="").first()
        if report is None:
            raise Http404
        name = PurePosixPath(report.attachment.name).name
        try:
            handle = report.attachment.open("rb")
        except OSError as exc:
            raise Http404 from exc
        content_type = CONTENT_TYPES.get(PurePosixPath(name).suffix.lower(), "")
        return FileResponse(
            handle,
            as_attachment=True,
            filename=name,
            content_type=content_type or "application/octet-stream",
        )


class TaskDoneView(PermRequiredMixin, View):
    """The city office marks a task done."""

    required_perm = Perm.TASK_MANAGE

    def post(self, request: HttpRequest, slug: str, pk: int) -> HttpResponse:
        task = get_object_or_404(Task, campaign__slug=slug, pk=pk)
        try:
            services.task_mark_done(actor=request.user, task=task)
            messages.success(request, _("Task marked done"))
        except ConflictError as error:
            messages.error(request, error.message)
        return redirect("campaigns:task_detail", slug=slug, pk=pk)


class LeaderView(PermRequiredMixin, TemplateView):
    """A leader's page: the tasks he leads and the units he answers for (分包)."""

    required_perm = Perm.CAMPAIGN_VIEW
    template_name = "campaigns/leader.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        campaign = campaign_or_404(kwargs["slug"])
        leader = get_object_or_404(
            Officer.objects.select_related("user"), badge_no=kwargs["badge_no"], role=Role.LEADER
        )
        overview = selectors.leader_overview(campaign=campaign, leader=leader)
        return {
            **super().get_context_data(**kwargs),
            "campaign": campaign,
            "leader": leader,
            "today": timezone.localdate(),
            **overview,
        }


class MeetingListView(PermRequiredMixin, TemplateView):
    """The campaign's meetings and mobilisations; units record theirs here."""

    required_perm = Perm.CAMPAIGN_VIEW
    template_name = "campaigns/meeting_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        campaign = campaign_or_404(kwargs["slug"])
        user = self.request.user
        form = kwargs.get("form") or (
            MeetingForm(user=user) if can(user, Perm.MEETING_RECORD) else None
        )
        return {
            **super().get_context_data(**kwargs),
            "campaign": campaign,
            "meetings": selectors.meeting_list(user=user, campaign=campaign),
            "form": form,
        }

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        if not can(request.user, Perm.MEETING_RECORD):
            raise PermissionDenied
        campaign = campaign_or_404(slug)
        form = MeetingForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.meeting_record(actor=request.user, campaign=campaign, **form.cleaned_data)
            except ValidationError as error:
                for name, errors in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, _("Meeting recorded"))
                return redirect("campaigns:meeting_list", slug=slug)
        return self.render_to_response(self.get_context_data(slug=slug, form=form))


class PlanListView(PermRequiredMixin, TemplateView):
    """Every unit's plan with its verdict against the city plan and other units' plans."""

    required_perm = Perm.CAMPAIGN_VIEW
    template_name = "campaigns/plan_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        campaign = campaign_or_404(kwargs["slug"])
        return {
            **super().get_context_data(**kwargs),
            "campaign": campaign,
            "rows": selectors.plan_verdicts(user=self.request.user, campaign=campaign),
            "can_record_finding": can(self.request.user, Perm.FINDING_RECORD),
        }


class PlanDetailView(PermRequiredMixin, TemplateView):
    """A unit's plan beside the city plan, the copied passages highlighted on both sides."""

    required_perm = Perm.CAMPAIGN_VIEW
    template_name = "campaigns/plan_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        campaign = campaign_or_404(kwargs["slug"])
        unit = unit_by_code(user=user, code=kwargs["unit_code"])
        if unit is None:
            raise Http404
        plan = Plan.objects.filter(campaign=campaign, unit=unit).select_related("current").first()
        version = plan.current if plan else None
        city = plans.city_version(campaign)
        context: dict[str, Any] = {
            **super().get_context_data(**kwargs),
            "campaign": campaign,
            "unit": unit,
            "plan": plan,
            "version": version,
            "city": city,
            "versions": plan.versions.order_by("-number") if plan else [],
            "form": kwargs.get("form") or (PlanForm() if can(user, Perm.PLAN_UPLOAD) else None),
            "can_record_finding": can(user, Perm.FINDING_RECORD),
        }
        if version is not None:
            spans = version.passages or []
            context["mine"] = plans.highlight(version.text, [tuple(p["other"]) for p in spans])
            context["matches"] = PlanMatch.objects.filter(version=version).select_related(
                "other__plan__unit"
            )
            if city is not None and city.pk != version.pk:
                context["theirs"] = plans.highlight(city.text, [tuple(p["base"]) for p in spans])
        return context

    def post(self, request: HttpRequest, slug: str, unit_code: str) -> HttpResponse:
        if not can(request.user, Perm.PLAN_UPLOAD):
            raise PermissionDenied
        campaign = campaign_or_404(slug)
        unit = unit_by_code(user=request.user, code=unit_code)
        if unit is None:
            raise Http404
        form = PlanForm(request.POST, request.FILES)
        if form.is_valid():
            document = form.cleaned_data.get("document")
            try:
                version = plans.plan_submit(
                    actor=request.user,
                    campaign=campaign,
                    unit=unit,
                    text=form.cleaned_data["text"],
                    filename=document.name if document else "",
                    document=document,
                )
            except ValidationError as error:
                form.add_error(None, errors_text(error))
            else:
                messages.success(request, _("Plan version %(n)s saved") % {"n": version.number})
                return redirect("campaigns:plan_detail", slug=slug, unit_code=unit_code)
        return self.render_to_response(
            self.get_context_data(slug=slug, unit_code=unit_code, form=form)
        )
