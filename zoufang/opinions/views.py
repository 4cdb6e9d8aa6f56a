"""Opinion pages for staff: the list with bulk assignment, registration, one opinion with its
actions, the visit card and the survey results."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from zoufang.campaigns.selectors import current_phase, phase_by_id, phase_choices
from zoufang.core.actors import Actor
from zoufang.core.errors import ConflictError
from zoufang.core.qr import qr_svg
from zoufang.ledger.selectors import visit_in_scope
from zoufang.org.permissions import Perm, PermRequiredMixin, can
from zoufang.org.selectors import unit_by_code, unit_list

from . import selectors, services, workflow
from .forms import ActionForm, BulkAssignForm, CategoryForm, OpinionFilterForm, OpinionForm
from .models import Opinion, OpinionAction

PAGE_SIZE = 50
ACTION_ORDER = ("assign", "accept", "return", "reply", "rate", "reopen", "close")


def get_opinion_or_404(request: HttpRequest, pk: int) -> Opinion:
    """An opinion in the user's scope, else 404."""
    try:
        return selectors.opinion_get(user=request.user, pk=pk)
    except Opinion.DoesNotExist as exc:
        raise Http404 from exc


def actions_for(user: Actor, opinion: Opinion) -> list[str]:
    """The actions this user may take on this opinion now."""
    facts = services._actor_facts(user)
    allowed = workflow.allowed_actions(opinion.status)
    if opinion.merged_into_id and opinion.status != "closed":
        allowed = [a for a in allowed if a == OpinionAction.RATE]
    return [
        action
        for action in ACTION_ORDER
        if action in allowed
        and workflow.may_act(facts, action, responsible_unit_id=opinion.unit_id)
    ]


def service_error_text(error: Exception) -> str:
    """A service error as one line for a flash message."""
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return getattr(error, "message", "") or str(error) or _("Your role may not do this")


class OpinionListView(PermRequiredMixin, TemplateView):
    """Opinions with overdue flags, filters and, for the city office, bulk assignment."""

    required_perm = Perm.OPINION_VIEW
    template_name = "opinions/opinion_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        form = OpinionFilterForm(self.request.GET or None, user=user)
        opinions = selectors.opinion_list(user=user, filters=form.to_filters())
        page = Paginator(opinions, PAGE_SIZE).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        can_assign = can(user, Perm.OPINION_ASSIGN)
        return {
            **super().get_context_data(**kwargs),
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "today": timezone.localdate(),
            "can_assign": can_assign,
            "assign_form": BulkAssignForm(user=user, opinion_ids=[]) if can_assign else None,
            "counts": selectors.status_counts(user=user),
            "reminders": selectors.reminders_for(user=user),
        }


class OpinionBulkAssignView(PermRequiredMixin, View):
    """Assign the ticked opinions to a unit (city office)."""

    required_perm = Perm.OPINION_ASSIGN

    def post(self, request: HttpRequest) -> HttpResponse:
        ids = [int(pk) for pk in request.POST.getlist("opinions") if pk.isdigit()]
        visible = list(
            selectors.opinion_list(user=request.user)
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
        form = BulkAssignForm(request.POST, user=request.user, opinion_ids=visible)
        if not form.is_valid():
            messages.error(request, _("Tick opinions and choose a unit to assign them to."))
            return redirect("opinions:opinion_list")
        done, refused = services.opinions_bulk_assign(
            actor=request.user,
            opinion_ids=form.cleaned_data["opinions"],
            unit=form.cleaned_data["unit"],
            reply_by=form.cleaned_data["deadline"],
        )
        if done:
            messages.success(
                request,
                _("%(count)s opinion(s) assigned to %(unit)s")
                % {"count": len(done), "unit": form.cleaned_data["unit"].name},
            )
        for pk, reason in refused.items():
            messages.error(
                request,
                _("Opinion #%(id)s not assigned: %(reason)s") % {"id": pk, "reason": reason},
            )
        return redirect("opinions:opinion_list")


class OpinionCreateView(PermRequiredMixin, FormView):
    """Register an opinion; similar open opinions are shown so it can be merged."""

    required_perm = Perm.OPINION_REGISTER
    template_name = "opinions/opinion_form.html"
    form_class = OpinionForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self) -> dict[str, Any]:
        officer = getattr(self.request.user, "officer", None)
        return {"origin_unit": officer.unit.code if officer else None, "source": "visit"}

    def form_valid(self, form: OpinionForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            opinion = services.opinion_register(
                actor=self.request.user,
                origin_unit=data["origin_unit"],
                content=data["content"],
                source=data["source"],
                category=data["category"],
                is_urgent=data["is_urgent"],
                submitter_name=data["submitter_name"],
                submitter_phone=data["submitter_phone"],
            )
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, _("Opinion #%(id)s registered") % {"id": opinion.pk})
        if data["merge_into"]:
            try:
                selectors.opinion_get(user=self.request.user, pk=data["merge_into"])
                services.opinion_merge(
                    actor=self.request.user, opinion_id=opinion.pk, into_id=data["merge_into"]
                )
                messages.success(
                    self.request, _("Merged into opinion #%(id)s") % {"id": data["merge_into"]}
                )
            except (
                Opinion.DoesNotExist,
                ConflictError,
                PermissionDenied,
                ValidationError,
            ) as error:
                messages.error(
                    self.request,
                    _("Not merged: %(reason)s") % {"reason": service_error_text(error)},
                )
        return redirect("opinions:opinion_detail", pk=opinion.pk)


class OpinionSimilarView(PermRequiredMixin, View):
    """htmx: the suggested category and similar open opinions for the text being typed."""

    required_perm = Perm.OPINION_REGISTER

    def post(self, request: HttpRequest) -> HttpResponse:
        text = request.POST.get("content", "")[:2000]
        return render(
            request,
            "opinions/_similar.html",
            {
                "similar": selectors.similar_opinions(user=request.user, text=text),
                "suggestion": services.category_suggest(text) if text.strip() else None,
            },
        )


class OpinionDetailView(PermRequiredMixin, TemplateView):
    """One opinion: its content, history timeline and the actions the user may take."""

    required_perm = Perm.OPINION_VIEW
    template_name = "opinions/opinion_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        opinion = get_opinion_or_404(self.request, kwargs["pk"])
        actions = actions_for(user, opinion)
        return {
            **super().get_context_data(**kwargs),
            "opinion": opinion,
            # The visit it came from, only if the user may see that visit (a key person's
            # visit stays hidden from users not cleared for it: ledger.querysets).
            "visit": visit_in_scope(user=user, pk=opinion.visit_id) if opinion.visit_id else None,
            "history": selectors.opinion_history(opinion=opinion),
            "merged": opinion.merged.select_related("unit"),
            "actions": actions,
            "action_form": ActionForm(user=user, initial={"version": opinion.version}),
            "category_form": CategoryForm(
                initial={"category": opinion.category.code if opinion.category else None}
            )
            if can(user, Perm.OPINION_REGISTER)
            else None,
            "overdue": workflow.is_overdue(opinion.status, opinion.deadline, timezone.localdate()),
            "public_url": self.request.build_absolute_uri(
                reverse("public:opinion", args=[opinion.token])
            )
            if can(user, Perm.OPINION_REGISTER)
            else None,
        }


class OpinionActView(PermRequiredMixin, View):
    """Take one action of the loop (POST from the detail page)."""

    required_perm = Perm.OPINION_VIEW

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        opinion = get_opinion_or_404(request, pk)
        form = ActionForm(request.POST, user=request.user)
        if not form.is_valid():
            messages.error(
                request, service_error_text(ValidationError(form.errors.as_data().popitem()[1]))
            )
            return redirect("opinions:opinion_detail", pk=pk)
        data = form.cleaned_data
        try:
            services.opinion_transition(
                actor=request.user,
                opinion_id=opinion.pk,
                action=data["action"],
                unit=data["unit"],
                reply_by=data["deadline"],
                reason=data["reason"],
                reply=data["reply"],
                measures=data["measures"],
                rating=data["rating"],
                comment=data["comment"],
                expected_version=data["version"],
            )
        except (ConflictError, ValidationError) as error:
            messages.error(request, service_error_text(error))
        else:
            messages.success(
                request, _("Done: %(action)s") % {"action": OpinionAction(data["action"]).label}
            )
        return redirect("opinions:opinion_detail", pk=pk)


class OpinionCategoryView(PermRequiredMixin, View):
    """Confirm or correct the category."""

    required_perm = Perm.OPINION_REGISTER

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        opinion = get_opinion_or_404(request, pk)
        form = CategoryForm(request.POST)
        if form.is_valid():
            services.opinion_set_category(
                actor=request.user, opinion_id=opinion.pk, category=form.cleaned_data["category"]
            )
            messages.success(request, _("Category saved"))
        return redirect("opinions:opinion_detail", pk=pk)


class VisitCardView(PermRequiredMixin, TemplateView):
    """A printable visit card with the unit's QR codes (opinion form and survey)."""

    required_perm = Perm.OPINION_CARD
    template_name = "opinions/visit_card.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        unit = unit_by_code(user=self.request.user, code=kwargs["unit_code"])
        if unit is None:
            raise Http404
        opinion_url = self.request.build_absolute_uri(
            reverse("public:opinion_create", args=[unit.code])
        )
        survey_url = self.request.build_absolute_uri(reverse("public:survey", args=[unit.code]))
        return {
            **super().get_context_data(**kwargs),
            "unit": unit,
            "opinion_url": opinion_url,
            "survey_url": survey_url,
            "opinion_qr": qr_svg(opinion_url),
            "survey_qr": qr_svg(survey_url),
            "units": unit_list(user=self.request.user),
        }


class SurveyResultsView(PermRequiredMixin, TemplateView):
    """Survey results (安全感 / 满意度) per unit for a phase."""

    required_perm = Perm.OPINION_VIEW
    template_name = "opinions/survey_results.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        phase = None
        if self.request.GET.get("phase", "").isdigit():
            phase = phase_by_id(int(self.request.GET["phase"]))
        phase = phase or current_phase()
        since, until = (phase.start_date, phase.end_date) if phase else (None, None)
        results = selectors.survey_results(user=self.request.user, since=since, until=until)
        units = {u.pk: u for u in unit_list(user=self.request.user)}
        rows = [{"unit": units[pk], **figures} for pk, figures in results.items() if pk in units]
        rows.sort(key=lambda row: row["unit"].path)
        return {
            **super().get_context_data(**kwargs),
            "phase": phase,
            "phases": phase_choices(),
            "rows": rows,
        }
