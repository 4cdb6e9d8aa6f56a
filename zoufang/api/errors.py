"""The API's error shape: `{"detail": "...", "errors": [{"field": ..., "message": ...}]}`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from zoufang.core.errors import ApplicationError

PYDANTIC_MESSAGES = {
    "missing": lambda: _("Required"),
    "date_from_datetime_parsing": lambda: _("Not a valid date; write it like 2022-01-05"),
    "date_parsing": lambda: _("Not a valid date; write it like 2022-01-05"),
    "int_parsing": lambda: _("Must be a whole number"),
    "int_type": lambda: _("Must be a whole number"),
    "bool_parsing": lambda: _("Must be true or false"),
    "string_type": lambda: _("Must be text"),
    "list_type": lambda: _("Must be a list"),
    "json_invalid": lambda: _("The request body is not valid JSON"),
    "model_attributes_type": lambda: _("The request body must be a JSON object"),
}


def error_body(detail: str, errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """The body every API error has."""
    return {"detail": detail, "errors": errors or []}


def validation_errors(error: ValidationError) -> list[dict[str, str]]:
    """A Django ValidationError as the API's field errors."""
    if hasattr(error, "error_dict"):
        return [
            {"field": "" if name == "__all__" else name, "message": message}
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return [{"field": "", "message": message} for message in error.messages]


def form_errors(form: Any) -> list[dict[str, str]]:
    """A bound form's errors as the API's field errors."""
    return [
        {"field": "" if name == "__all__" else name, "message": str(message)}
        for name, messages in form.errors.items()
        for message in messages
    ]


def _ninja_field(loc: list[Any]) -> str:
    parts = [str(part) for part in loc if part not in ("body", "query", "path", "payload")]
    return ".".join(parts)


def install_error_handlers(api: NinjaAPI) -> None:
    """Answer every error in the project's shape and language."""

    def respond(request: HttpRequest, status: int, detail: str, errors: Any = None) -> HttpResponse:
        return api.create_response(request, error_body(detail, errors), status=status)

    @api.exception_handler(NinjaValidationError)
    def ninja_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [
            {
                "field": _ninja_field(list(item.get("loc", []))),
                "message": PYDANTIC_MESSAGES.get(item.get("type", ""), lambda i=item: i["msg"])(),
            }
            for item in exc.errors
        ]
        return respond(request, 422, _("The request has invalid fields"), errors)

    @api.exception_handler(ValidationError)
    def django_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return respond(request, 422, _("The request has invalid fields"), validation_errors(exc))

    @api.exception_handler(ApplicationError)
    def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
        return respond(request, exc.status_code, exc.message)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(request, 401, _("Not logged in, or the token is invalid or expired"))

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, 403, str(exc) or _("Your role may not do this"))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, _("Not found"))

    @api.exception_handler(ObjectDoesNotExist)
    def does_not_exist(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
        return respond(request, 404, _("Not found"))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        messages = {
            400: _("Bad request"),
            401: _("Not logged in, or the token is invalid or expired"),
            403: _("Your role may not do this"),
            429: _("Too many requests; try again later"),
        }
        return respond(request, exc.status_code, messages.get(exc.status_code, str(exc)))
