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

from . import services
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
    """Set up the second factor (TOTP) the first time, then verify it after each login."""

    template_name = "org/two_factor.html"

    def device(self, request: HttpRequest) -> Any:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=request.user).order_by("-confirmed", "id").first()
        if device is None:
            device = TOTPDevice.objects.create(
                user=request.user, name="authenticator", confirmed=False
            )
        return device

    def context(self, request: HttpRequest, form: TokenForm) -> dict[str, Any]:
        from zoufang.core.qr import qr_svg

        device = self.device(request)
        return {
            "form": form,
            "setup": not device.confirmed,
            "qr": None if device.confirmed else qr_svg(device.config_url),
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect("org:login")
        return render(request, self.template_name, self.context(request, TokenForm()))

    def post(self, request: HttpRequest) -> HttpResponse:
        from django_otp import login as otp_login

        if not request.user.is_authenticated:
            return redirect("org:login")
        form = TokenForm(request.POST)
        device = self.device(request)
        if form.is_valid() and device.verify_token(form.cleaned_data["token"]):
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            target = request.GET.get("next", "/")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = "/"
            return redirect(target)
        services.second_factor_failed(user=request.user)
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
