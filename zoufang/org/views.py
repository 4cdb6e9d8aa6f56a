"""Login, logout, password change, the second factor, and the lockout page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from zoufang.core.forms import StyledForm
from zoufang.core.qr import qr_svg

from . import selectors, services
from .permissions import require_account


class LoginView(auth_views.LoginView):
    """The login page."""

    template_name = "org/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Log out (POST only): every session of the user ends, not just this one."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        response = super().post(request, *args, **kwargs)
        if user.is_authenticated:
            services.sessions_end(user=user)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password; the other sessions of the user end."""

    template_name = "org/password_change.html"
    success_url = reverse_lazy("dashboards:home")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.password_changed(
            user=require_account(self.request.user), keep_session=self.request.session.session_key
        )
        messages.success(self.request, _("Password changed"))
        return response


class TokenForm(StyledForm):
    """A six-digit code from the authenticator app."""

    token = forms.RegexField(
        label=gettext_lazy("Code from your authenticator app"),
        regex=r"^\d{6}$",
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class TwoFactorView(View):
    """Set up the second factor (TOTP) the first time, then verify it after each login.

    Showing the page writes nothing: the set-up key travels signed in the form (`setup_key`),
    and the authenticator is saved (`services.second_factor_confirm`) when a code made with
    it is posted."""

    template_name = "org/two_factor.html"

    def context(self, request: HttpRequest, form: TokenForm) -> dict[str, Any]:
        user = require_account(request.user)
        if selectors.second_factor_confirmed(user):
            return {"form": form, "setup": False}
        setup_key = request.POST.get("setup_key", "")
        pending = services.second_factor_pending(user=user, setup_key=setup_key)
        if pending is None:  # a first visit, or a key altered or too old: a new one
            setup_key = services.second_factor_setup_key(user=user)
            pending = services.second_factor_pending(user=user, setup_key=setup_key)
        return {
            "form": form,
            "setup": True,
            "setup_key": setup_key,
            "qr": qr_svg(pending.config_url) if pending else None,
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect("org:login")
        return render(request, self.template_name, self.context(request, TokenForm()))

    def post(self, request: HttpRequest) -> HttpResponse:
        from django_otp import login as otp_login

        if not request.user.is_authenticated:
            return redirect("org:login")
        user = require_account(request.user)
        form = TokenForm(request.POST)
        device = None
        if form.is_valid():
            code = form.cleaned_data["token"]
            if selectors.second_factor_confirmed(user):
                device = services.second_factor_device(user, code)
            else:
                setup_key = request.POST.get("setup_key", "")
                device = services.second_factor_confirm(user=user, setup_key=setup_key, code=code)
        if device is not None:
            otp_login(request, device)
            target = request.GET.get("next", "/")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = "/"
            return redirect(target)
        services.second_factor_failed(user=user)
        form.add_error("token", _("The code is wrong or has expired"))
        return render(request, self.template_name, self.context(request, form), status=400)


def locked_out(
    request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """django-axes: too many failed logins from this address for this user name."""
    message = _("Too many failed logins: this account is locked from your address for 30 minutes.")
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"detail": message, "errors": []}, status=429)
    form = AuthenticationForm(request)
    return render(request, "org/login.html", {"form": form, "locked_out": message}, status=429)
