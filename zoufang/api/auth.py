"""API authentication: a bearer token, or the logged-in session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from zoufang.core.actors import Actor
from zoufang.org.middleware import Hold, account_hold
from zoufang.org.models import User

from .services import token_user


def bearer_user(request: HttpRequest) -> User | None:
    """The user of the request's bearer token (looked up once per request), or None."""
    if not hasattr(request, "_zoufang_bearer_user"):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        user = token_user(token.strip()) if scheme.lower() == "bearer" and token else None
        request._zoufang_bearer_user = user  # type: ignore[attr-defined]
    return request._zoufang_bearer_user  # type: ignore[attr-defined]


class BearerAuth(HttpBearer):
    """`Authorization: Bearer <token>` from POST /api/v1/auth/token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return bearer_user(request)


class SessionAuth(APIKeyCookie):
    """The logged-in session, so pages can call the API; CSRF is checked. The session must
    satisfy the account policy as a page would (`org.middleware.account_hold`): a session past
    its absolute age ends here too, and one still owing the second factor or a new password
    gets 401 until the user has given it on the web."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        hold = account_hold(request)
        if hold is Hold.ENDED:
            logout(request)
        return user if hold is None else None


def request_user(request: HttpRequest) -> Actor:
    """The authenticated user of an API request, whichever way it authenticated."""
    user: Actor = getattr(request, "auth", None) or request.user
    return user
