"""API authentication: a bearer token, or the logged-in session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from .services import token_user


def bearer_user(request: HttpRequest) -> Any:
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
    """The logged-in session, so pages can call the API; CSRF is checked."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


def request_user(request: HttpRequest) -> Any:
    """The authenticated user of an API request, whichever way it authenticated."""
    return getattr(request, "auth", None) or request.user
