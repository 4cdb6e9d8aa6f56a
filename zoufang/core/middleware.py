"""Middleware that records each request's address for the audit trail."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import RequestMeta, request_meta


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as the server saw it (a proxy in front sets REMOTE_ADDR right)."""
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Expose the request's address and channel to services through a context variable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = "api" if request.path.startswith("/api/") else "web"
        with request_meta(RequestMeta(ip=client_ip(request), channel=channel)):
            return self.get_response(request)


class NoStoreMiddleware:
    """Pages and API answers for logged-in users may hold personal data: never cache them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        authenticated = bool(user is not None and user.is_authenticated)
        if authenticated or request.path.startswith(("/api/", "/p/o/")):
            response["Cache-Control"] = "no-store, private"
        return response
