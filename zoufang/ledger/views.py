"""Ledger pages: the list, quick entry, one visit, edit and delete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView

from zoufang.core.errors import ConflictError
from zoufang.org.permissions import Perm, PermRequiredMixin, can, require

from . import reveal, selectors, services
from .forms import RevealForm, VisitFilterForm, VisitForm, visit_initial
from .models import Visit
from .permissions import visit_can_change, visit_can_delete


def get_visit_or_404(request: HttpRequest, pk: int) -> Visit:
    """A visit in the user's scope, else 404 (never 403: existence must not leak)."""
    try:
        return selectors.visit_get(user=request.user, pk=pk)
    except Visit.DoesNotExist as exc:
        raise Http404 from exc


class CappedPaginator(Paginator):
    """Pages of a queryset that counts its rows only up to `limit`.

    COUNT(*) of millions of visits reads them all; counting to `limit` + 1 stops there. Past
    the limit, `capped` is true, `count` is the limit and only its pages can be opened (the
    last one at OFFSET limit - per_page): narrower filters find the rest.
    """

    def __init__(self, object_list: QuerySet[Any], per_page: int, *, limit: int) -> None:
        super().__init__(object_list, per_page)
        self.queryset = object_list
        self.limit = limit

    @cached_property
    def found(self) -> int:
        """The rows, counted up to limit + 1 (in no order: any index may serve)."""
        return self.queryset.order_by()[: self.limit + 1].count()

    @cached_property
    def count(self) -> int:
        """The rows the pages reach."""
        return min(self.found, self.limit)

    @property
    def capped(self) -> bool:
        """Whether there are more rows than the pages reach."""
        return self.found > self.limit


class VisitListView(PermRequiredMixin, TemplateView):
    """The ledger with filters and pagination (counted up to COUNT_LIMIT visits)."""

    required_perm = Perm.VISIT_VIEW
    template_name = "ledger/visit_list.html"
    PAGE_SIZE = 50
    COUNT_LIMIT = 10_000

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = VisitFilterForm(self.request.GET or None, user=self.request.user)
        visits = selectors.visit_list(user=self.request.user, filters=form.to_filters())
        paginator = CappedPaginator(visits, self.PAGE_SIZE, limit=self.COUNT_LIMIT)
        page = paginator.get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        return {
            **super().get_context_data(**kwargs),
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_export": can(self.request.user, Perm.LEDGER_EXPORT),
            "can_import": can(self.request.user, Perm.LEDGER_IMPORT),
            "can_create": can(self.request.user, Perm.VISIT_CREATE),
        }


class VisitCreateView(PermRequiredMixin, FormView):
    """Quick entry of one visit (works on a phone)."""

    required_perm = Perm.VISIT_CREATE
    template_name = "ledger/visit_form.html"
    form_class = VisitForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self) -> dict[str, Any]:
        return visit_initial(user=self.request.user, params=self.request.GET)

    def form_valid(self, form: VisitForm) -> HttpResponse:
        assert form.visit_input is not None
        try:
            visit = services.visit_create(actor=self.request.user, data=form.visit_input)
        except ValidationError as error:
            form.add_service_errors(error)
            return self.form_invalid(form)
        messages.success(self.request, _("Visit recorded: %(visit)s") % {"visit": visit})
        if "another" in self.request.POST:
            keep = {
                name: self.request.POST.get(name, "")
                for name in ("visit_date", "unit", "officers", "channel", "target_type")
            }
            return redirect(reverse("ledger:visit_create") + "?" + urlencode(keep))
        return redirect("ledger:visit_detail", pk=visit.pk)


def detail_context(request: HttpRequest, visit: Visit) -> dict[str, Any]:
    """What the visit page shows: the visit, its history, the actions the user may take."""
    return {
        "visit": visit,
        "history": selectors.visit_history(visit=visit),
        "can_change": visit_can_change(request.user, visit),
        "can_delete": visit_can_delete(request.user, visit),
        "can_reveal": can(request.user, Perm.PERSONAL_REVEAL),
        "revealed": {},
        "reason_min": reveal.REASON_MIN_LENGTH,
        "reason_max": reveal.REASON_MAX_LENGTH,
    }


class VisitDetailView(PermRequiredMixin, TemplateView):
    """One visit with its history."""

    required_perm = Perm.VISIT_VIEW
    template_name = "ledger/visit_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        visit = get_visit_or_404(self.request, kwargs["pk"])
        return {**super().get_context_data(**kwargs), **detail_context(self.request, visit)}


@method_decorator(never_cache, name="dispatch")
class VisitRevealView(PermRequiredMixin, View):
    """Show the visit's phone or ID number in full, once, for a reason (POST from the visit
    page); the answer is the visit page with the number, never cached, and the reveal is in
    the audit trail."""

    required_perm = Perm.PERSONAL_REVEAL

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        visit = get_visit_or_404(request, pk)
        form = RevealForm(request.POST)
        revealed: dict[str, str] = {}
        status = 400
        if form.is_valid():
            field = form.cleaned_data["field"]
            try:
                revealed[field] = reveal.visit_reveal(
                    actor=request.user,
                    visit_id=visit.pk,
                    field=field,
                    reason=form.cleaned_data["reason"],
                )
                status = 200
            except ValidationError as error:
                for name, errors in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            except reveal.RevealRateLimited as limited:
                form.add_error(None, limited.message)
                status = limited.status_code
        context = {
            **detail_context(request, visit),
            "revealed": revealed,
            "reveal_form": form if status != 200 else None,
        }
        return render(request, "ledger/visit_detail.html", context, status=status)


class VisitUpdateView(PermRequiredMixin, FormView):
    """Edit a visit; a stale edit is refused with the current data shown."""

    required_perm = Perm.VISIT_CHANGE_OWN
    template_name = "ledger/visit_form.html"
    form_class = VisitForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            require(request.user, self.required_perm)  # the role first: 403
            self.visit = get_visit_or_404(request, kwargs["pk"])  # then the scope: 404
            if not visit_can_change(request.user, self.visit):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user, "instance": self.visit}

    def get_initial(self) -> dict[str, Any]:
        return visit_initial(user=self.request.user, visit=self.visit)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "visit": self.visit}

    def form_valid(self, form: VisitForm) -> HttpResponse:
        assert form.visit_input is not None
        try:
            visit = services.visit_update(
                actor=self.request.user,
                visit_id=self.visit.pk,
                expected_version=form.cleaned_data["version"],
                data=form.visit_input,
            )
        except ConflictError as conflict:
            current = get_visit_or_404(self.request, self.visit.pk)
            data = self.request.POST.copy()
            data["version"] = str(current.version)
            form.data = data
            form.add_error(None, conflict.message)
            return self.render_to_response(
                self.get_context_data(form=form, conflict=True, current=current)
            )
        except ValidationError as error:
            form.add_service_errors(error)
            return self.form_invalid(form)
        messages.success(self.request, _("Visit saved: %(visit)s") % {"visit": visit})
        return redirect("ledger:visit_detail", pk=visit.pk)


class VisitDeleteView(PermRequiredMixin, View):
    """Delete a visit (POST from the detail page)."""

    required_perm = Perm.VISIT_DELETE

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        visit = get_visit_or_404(request, pk)
        try:
            version = int(request.POST.get("version", ""))
            services.visit_delete(actor=request.user, visit_id=visit.pk, expected_version=version)
        except (ValueError, ConflictError):
            messages.error(request, _("The visit changed since you opened it; look again first."))
            return redirect("ledger:visit_detail", pk=visit.pk)
        messages.success(request, _("Visit deleted: %(visit)s") % {"visit": visit})
        return redirect("ledger:visit_list")
