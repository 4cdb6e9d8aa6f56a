"""Account policy on every page request: the absolute session age, changing the password at
first login and when it has expired, and the second factor where the deployment asks for it."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .permissions import role_of
from .services import LOGIN_AT_KEY

EXEMPT_PREFIXES = ("/static/", "/api/", "/p/", "/accounts/login/", "/accounts/logout/")


def needs_second_factor(user: object) -> bool:
    """The user's role must use a second factor here, or the user set one up."""
    from django_otp import user_has_device

    return role_of(user) in settings.ZOUFANG_REQUIRE_2FA_ROLES or user_has_device(user)


def password_expired(user: object) -> bool:
    """The password is older than the configured maximum age."""
    changed = getattr(user, "password_changed_at", None)
    limit = datetime.timedelta(days=settings.ZOUFANG_PASSWORD_MAX_AGE_DAYS)
    return changed is None or timezone.now() - changed > limit


class AccountPolicyMiddleware:
    """Send a logged-in user to log in again, change the password, or verify the second factor."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated or request.path.startswith(EXEMPT_PREFIXES):
            return self.get_response(request)
        login_at = request.session.get(LOGIN_AT_KEY)
        max_age = settings.ZOUFANG_SESSION_ABSOLUTE_HOURS * 3600
        if login_at is None or timezone.now().timestamp() - login_at > max_age:
            logout(request)
            messages.info(request, _("Your session has ended; please log in again."))
            return redirect(reverse("org:login") + "?next=" + request.path)
        two_factor = reverse("org:two_factor")
        if needs_second_factor(user) and not user.is_verified() and request.path != two_factor:  # type: ignore[attr-defined]
            return redirect(two_factor + "?next=" + request.path)
        password = reverse("org:password_change")
        if request.path not in (password, two_factor):
            if user.must_change_password:
                messages.warning(request, _("Please set your own password before you go on."))
                return redirect(password)
            if password_expired(user):
                messages.warning(request, _("Your password has expired; please set a new one."))
                return redirect(password)
        return self.get_response(request)
