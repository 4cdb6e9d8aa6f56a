"""API: the visit ledger (list, record, read one); validation is the quick-entry form's."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status

from zoufang.api.auth import request_user
from zoufang.api.schemas import ERRORS, ErrorOut, paginate
from zoufang.org.models import Unit
from zoufang.org.permissions import Perm, require

from . import reveal, selectors, services
from .forms import VisitForm
from .models import Visit, VisitSource

router = Router(tags=["visits"])
PAGE_SIZE = 50


class VisitOut(Schema):
    """A visit; phone and ID numbers are masked."""

    id: int
    visit_date: datetime.date
    unit: str
    unit_name: str
    officers: list[str]
    target_type: str
    channel: str
    is_return_visit: bool
    target_name: str
    phone: str
    id_number: str
    address: str
    opinions_collected: int
    disputes_mediated: int
    hazards_found: int
    households_helped: int
    donation_amount: Decimal
    summary: str
    note: str
    source: str
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_unit(obj: Visit) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_unit_name(obj: Visit) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_officers(obj: Visit) -> list[str]:
        return [officer.badge_no for officer in obj.officers.all()]

    @staticmethod
    def resolve_phone(obj: Visit) -> str:
        return obj.phone_masked

    @staticmethod
    def resolve_id_number(obj: Visit) -> str:
        return obj.id_number_masked


class VisitPage(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    items: list[VisitOut]


class VisitIn(Schema):
    """A visit to record: the ledger template's fields, with codes instead of labels."""

    visit_date: str
    unit: str
    officers: list[str]
    target_type: str
    channel: str
    target_name: str
    is_return_visit: bool = False
    phone: str = ""
    id_number: str = ""
    address: str = ""
    opinions_collected: int = 0
    disputes_mediated: int = 0
    hazards_found: int = 0
    households_helped: int = 0
    donation_amount: Decimal | str = "0"
    summary: str = ""
    note: str = ""
    opinions: list[str] = []


class VisitQuery(Schema):
    unit: str | None = None
    since: datetime.date | None = None
    until: datetime.date | None = None
    target_type: str | None = None
    page: int = 1


@router.get("", response={200: VisitPage, **ERRORS}, summary="Visits in scope")
def list_visits(request: HttpRequest, query: Query[VisitQuery]) -> dict[str, Any]:
    """Visits the caller may see, newest first, 50 a page."""
    user = request_user(request)
    require(user, Perm.VISIT_VIEW)
    unit = None
    if query.unit:
        unit = get_object_or_404(Unit.objects.visible_to(user), code=query.unit)
    filters = selectors.VisitFilters(
        since=query.since, until=query.until, unit=unit, target_type=query.target_type or ""
    )
    return paginate(
        selectors.visit_list(user=user, filters=filters), page=query.page, page_size=PAGE_SIZE
    )


@router.post("", response={201: VisitOut, **ERRORS}, summary="Record a visit")
def create_visit(request: HttpRequest, payload: VisitIn) -> Status[Visit]:
    """Record a visit; the unit must be in scope and the officers of that unit's subtree."""
    user = request_user(request)
    require(user, Perm.VISIT_CREATE)
    data = payload.dict()
    data["officers"] = " ".join(data["officers"])
    data["opinions"] = "\n".join(data["opinions"])
    data["donation_amount"] = str(data["donation_amount"])
    form = VisitForm(data=data, user=user)
    if not form.is_valid():
        raise ValidationError({name: list(messages) for name, messages in form.errors.items()})
    assert form.visit_input is not None
    visit = services.visit_create(actor=user, data=form.visit_input, source=VisitSource.API)
    return Status(201, selectors.visit_get(user=user, pk=visit.pk))


@router.get("/{visit_id}", response={200: VisitOut, **ERRORS}, summary="One visit")
def get_visit(request: HttpRequest, visit_id: int) -> Visit:
    """One visit in the caller's scope (404 otherwise)."""
    user = request_user(request)
    require(user, Perm.VISIT_VIEW)
    return selectors.visit_get(user=user, pk=visit_id)


class RevealIn(Schema):
    """Which number to show in full (`phone` or `id_number`) and why (recorded)."""

    field: str
    reason: str


class RevealOut(Schema):
    """The number in full, shown once: never cached, never replayed."""

    id: int
    field: str
    value: str
    masked: str


@router.post(
    "/{visit_id}/reveal",
    response={200: RevealOut, 429: ErrorOut, **ERRORS},
    summary="Show a phone or ID number in full",
)
def reveal_number(
    request: HttpRequest, visit_id: int, payload: RevealIn, response: HttpResponse
) -> dict[str, Any]:
    """Show one visit's phone or ID number in full for a reason; written to the audit trail,
    rate-limited (429), answered with `Cache-Control: no-store`."""
    user = request_user(request)
    require(user, Perm.PERSONAL_REVEAL)
    visit = selectors.visit_get(user=user, pk=visit_id)
    value = reveal.visit_reveal(
        actor=user, visit_id=visit.pk, field=payload.field, reason=payload.reason
    )
    response["Cache-Control"] = "no-store"
    return {
        "id": visit.pk,
        "field": payload.field,
        "value": value,
        "masked": getattr(visit, f"{payload.field}_masked"),
    }
