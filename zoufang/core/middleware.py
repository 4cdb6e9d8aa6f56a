"""Middleware: each request's address for the audit trail, no caching of personal pages,
and requests carrying NUL characters refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)
from django.utils.translation import gettext as _

from .addresses import client_ip
from .context import RequestMeta, request_meta


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


def _nul_fields(value: Any, path: str = "") -> list[str]:
    """The dotted paths (`opinions.0`) of the texts in a JSON value that hold a NUL."""
    if isinstance(value, str):
        return [path] if "\x00" in value else []
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            found += [name] if "\x00" in str(key) else _nul_fields(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _nul_fields(item, f"{path}.{index}" if path else str(index))
    return found


def nul_fields(request: HttpRequest) -> list[str]:
    """The query parameters, header and JSON fields of a request that hold a NUL character.
    (Form fields refuse it themselves; uploaded files may hold any byte.)"""
    found = [key for key, values in request.GET.lists() if "\x00" in key + "".join(values)]
    if "\x00" in request.headers.get("Idempotency-Key", ""):
        found.append("Idempotency-Key")
    if request.content_type == "application/json" and request.method in ("POST", "PUT", "PATCH"):
        body = request.body
        if b"\x00" in body:
            found.append("")
        elif b"\\u0000" in body:  # cheap test first; parse only to be sure
            with suppress(ValueError):  # not JSON: the API answers that itself
                found += _nul_fields(json.loads(body))
    return found


class RejectNulMiddleware:
    """Refuse requests with NUL characters before any view sees them.

    PostgreSQL cannot store or even compare text holding NUL, so such a value in a filter,
    a path or an API body made the database raise and the request answer 500 (the API fuzz
    test found it). Forms already refuse NUL per field; this covers the rest: a path with
    NUL names nothing (404); a query parameter or JSON field with NUL is an invalid field
    (the API's 422 naming the fields, a page's 400).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        api = request.path.startswith("/api/")
        if "\x00" in request.path:
            if api:
                return JsonResponse({"detail": _("Not found"), "errors": []}, status=404)
            raise Http404
        fields = nul_fields(request)
        if not fields:
            return self.get_response(request)
        message = _("Contains a NUL character, which is not allowed")
        if api:
            errors = [{"field": field, "message": message} for field in fields]
            return JsonResponse(
                {"detail": _("The request has invalid fields"), "errors": errors}, status=422
            )
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
