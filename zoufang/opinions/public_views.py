"""The public 开门评 pages: no login, rate-limited per address, a honeypot against bots."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from zoufang.core.addresses import client_ip
from zoufang.core.errors import ConflictError
from zoufang.core.qr import qr_svg
from zoufang.core.ratelimit import rate_limited
from zoufang.org.models import Unit

from . import selectors, services
from .forms import PublicOpinionForm, PublicRatingForm, SurveyForm
from .models import Opinion, OpinionSource, OpinionStatus

SUBMISSIONS_PER_HOUR = 5


def public_unit_or_404(code: str) -> Unit:
    """An active unit by code (public pages know units by the code on the card)."""
    unit = Unit.objects.filter(code=code, is_active=True).first()
    if unit is None:
        raise Http404
    return unit


def too_many(request: HttpRequest, what: str) -> bool:
    """Count a submission from this address; True past the hourly limit."""
    return rate_limited(
        f"public:{what}:{client_ip(request)}", limit=SUBMISSIONS_PER_HOUR, window_seconds=3600
    )


class PublicOpinionCreateView(View):
    """A citizen leaves an opinion for a unit (the target of the QR code on a visit card)."""

    template_name = "opinions/public/opinion_create.html"

    def get(self, request: HttpRequest, unit_code: str) -> HttpResponse:
        unit = public_unit_or_404(unit_code)
        return render(request, self.template_name, {"unit": unit, "form": PublicOpinionForm()})

    def post(self, request: HttpRequest, unit_code: str) -> HttpResponse:
        unit = public_unit_or_404(unit_code)
        form = PublicOpinionForm(request.POST)
        if too_many(request, "opinion"):
            form.add_error(
                None, _("Too many submissions from your network; please try again in an hour.")
            )
            return render(request, self.template_name, {"unit": unit, "form": form}, status=429)
        if not form.is_valid():
            return render(request, self.template_name, {"unit": unit, "form": form}, status=400)
        if form.cleaned_data["website"]:
            # A bot filled the hidden field: say thanks, keep nothing.
            return render(request, "opinions/public/thanks.html", {"unit": unit})
        try:
            opinion = services.opinion_register(
                actor=None,
                origin_unit=unit,
                content=form.cleaned_data["content"],
                source=OpinionSource.FORM,
                submitter_name=form.cleaned_data["submitter_name"],
                submitter_phone=form.cleaned_data["submitter_phone"],
                by_citizen=True,
            )
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
            return render(request, self.template_name, {"unit": unit, "form": form}, status=400)
        return redirect(reverse("public:opinion", args=[opinion.token]) + "?new=1")


class PublicOpinionView(View):
    """The citizen's own opinion: its progress, the reply, and the rating form."""

    template_name = "opinions/public/opinion.html"

    def context(self, request: HttpRequest, opinion: Opinion, form: Any = None) -> dict[str, Any]:
        link = request.build_absolute_uri(reverse("public:opinion", args=[opinion.token]))
        return {
            "opinion": opinion,
            "history": [
                e for e in selectors.opinion_history(opinion=opinion) if e.action != "categorise"
            ],
            "link": link,
            "qr": qr_svg(link),
            "is_new": request.GET.get("new") == "1",
            "form": form
            or (PublicRatingForm() if opinion.status == OpinionStatus.REPLIED else None),
        }

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        opinion = self.opinion_or_404(token)
        return render(request, self.template_name, self.context(request, opinion))

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        opinion = self.opinion_or_404(token)
        form = PublicRatingForm(request.POST)
        if not form.is_valid():
            return render(
                request, self.template_name, self.context(request, opinion, form), status=400
            )
        try:
            services.opinion_rate_by_token(
                token=token,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except (ConflictError, ValidationError) as error:
            form.add_error(None, getattr(error, "message", None) or "；".join(error.messages))  # type: ignore[union-attr]
            return render(
                request, self.template_name, self.context(request, opinion, form), status=409
            )
        return redirect("public:opinion", token=token)

    @staticmethod
    def opinion_or_404(token: str) -> Opinion:
        try:
            return selectors.opinion_by_token(token)
        except Opinion.DoesNotExist as exc:
            raise Http404 from exc


class PublicSurveyView(View):
    """The anonymous satisfaction survey about a unit (安全感 / 满意度)."""

    template_name = "opinions/public/survey.html"

    def get(self, request: HttpRequest, unit_code: str) -> HttpResponse:
        unit = public_unit_or_404(unit_code)
        return render(request, self.template_name, {"unit": unit, "form": SurveyForm()})

    def post(self, request: HttpRequest, unit_code: str) -> HttpResponse:
        unit = public_unit_or_404(unit_code)
        form = SurveyForm(request.POST)
        if too_many(request, "survey"):
            form.add_error(
                None, _("Too many submissions from your network; please try again in an hour.")
            )
            return render(request, self.template_name, {"unit": unit, "form": form}, status=429)
        if not form.is_valid():
            return render(request, self.template_name, {"unit": unit, "form": form}, status=400)
        if not form.cleaned_data["website"]:
            data = form.cleaned_data
            services.survey_submit(
                unit=unit,
                security=data["security"],
                satisfaction=data["satisfaction"],
                visited=data["visited"],
                comment=data["comment"],
            )
        return render(request, "opinions/public/thanks.html", {"unit": unit, "survey": True})
