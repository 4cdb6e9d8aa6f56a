"""Schemas and helpers shared by every router of the API."""

from __future__ import annotations

import math
from typing import Any

from django.db.models import QuerySet
from ninja import Schema


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    """The body of every error answer."""

    detail: str
    errors: list[FieldError] = []


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def paginate(queryset: QuerySet[Any], *, page: int, page_size: int) -> dict[str, Any]:
    """One page of a queryset as `{count, page, pages, page_size, items}`."""
    count = queryset.count()
    pages = max(1, math.ceil(count / page_size))
    page = min(max(1, page), pages)
    start = (page - 1) * page_size
    return {
        "count": count,
        "page": page,
        "pages": pages,
        "page_size": page_size,
        "items": list(queryset[start : start + page_size]),
    }
