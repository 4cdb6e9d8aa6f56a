"""Account policy on every page request and every API call made with the session: the
absolute session age, changing the password at first login and when it has expired, and the
second factor where the deployment asks for it."""

from __future__ import annotations

import datetime
import enum
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zoufang.core.actors import Actor

from .permissions import role_of
from .services import LOGIN_AT_KEY

EXEMPT_PREFIXES = ("/static/", "/api/", "/p/", "/accounts/login/", "/accounts/logout/")


def needs_second_factor(user: Actor) -> bool:
    """The user's role must use a second factor here, or the user set one up."""
    from django_otp import user_has_device

    return role_of(user) in settings.ZOUFANG_REQUIRE_2FA_ROLES or user_has_device(user)


def password_expired(user: object) -> bool:
    """The password is older than the configured maximum age."""
    changed = getattr(user, "password_changed_at", None)
    limit = datetime.timedelta(days=settings.ZOUFANG_PASSWORD_MAX_AGE_DAYS)
    return changed is None or timezone.now() - changed > limit


class Hold(enum.Enum):
    """Why a logged-in session may not go on to the page or API call it asked for."""

    ENDED = "ended"  # older than the absolute session age: log in again
    SECOND_FACTOR = "second_factor"  # the second factor is needed and not yet given
    PASSWORD_FIRST = "password_first"  # the administrator's password: set one's own
    PASSWORD_EXPIRED = "password_expired"  # older than the maximum password age


def account_hold(request: HttpRequest) -> Hold | None:
    """What stops the logged-in user of this session, or None. The pages (the middleware
    below) and the API's session authentication (`api.auth.SessionAuth`) both ask this, so
    the API is no way around the account policy."""
    user: Any = request.user  # the OTP middleware's user, with is_verified()
    login_at = request.session.get(LOGIN_AT_KEY)
    max_age = settings.ZOUFANG_SESSION_ABSOLUTE_HOURS * 3600
    if login_at is None or timezone.now().timestamp() - login_at > max_age:
        return Hold.ENDED
    if needs_second_factor(user) and not user.is_verified():
        return Hold.SECOND_FACTOR
    if user.must_change_password:
        return Hold.PASSWORD_FIRST
    if password_expired(user):
        return Hold.PASSWORD_EXPIRED
    return None


class AccountPolicyMiddleware:
    """Send a logged-in user to log in again, change the password, or verify the second factor."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated or request.path.startswith(EXEMPT_PREFIXES):
            return self.get_response(request)
        hold = account_hold(request)
        if hold is Hold.ENDED:
            logout(request)
            messages.info(request, _("Your session has ended; please log in again."))
            return redirect(reverse("org:login") + "?next=" + request.path)
        two_factor = reverse("org:two_factor")
        if hold is Hold.SECOND_FACTOR and request.path != two_factor:
            return redirect(two_factor + "?next=" + request.path)
        password = reverse("org:password_change")
        if request.path not in (password, two_factor):
            if hold is Hold.PASSWORD_FIRST:
                messages.warning(request, _("Please set your own password before you go on."))
                return redirect(password)
            if hold is Hold.PASSWORD_EXPIRED:
                messages.warning(request, _("Your password has expired; please set a new one."))
                return redirect(password)
        return self.get_response(request)
