"""API: opinions and their transitions (../shared/DESIGN.md, "The opinion loop")."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from zoufang.api.auth import request_user
from zoufang.api.schemas import ERRORS, paginate
from zoufang.core.actors import Actor
from zoufang.core.errors import ApplicationError
from zoufang.ledger.selectors import visit_in_scope
from zoufang.org.models import Unit
from zoufang.org.permissions import Perm, officer_of, require

from . import selectors, services, workflow
from .models import Category, Opinion

router = Router(tags=["opinions"])
PAGE_SIZE = 50


class OpinionOut(Schema):
    """An opinion; the submitter's phone is masked."""

    id: int
    status: str
    content: str
    source: str
    category: str | None
    unit: str | None
    origin_unit: str
    deadline: datetime.date | None
    overdue: bool
    is_urgent: bool
    visit: int | None
    submitter_name: str
    submitter_phone: str
    reply: str
    measures: str
    rating: str
    merged_into: int | None
    version: int
    created_at: datetime.datetime

    @staticmethod
    def resolve_category(obj: Opinion) -> str | None:
        return obj.category.code if obj.category else None

    @staticmethod
    def resolve_unit(obj: Opinion) -> str | None:
        return obj.unit.code if obj.unit else None

    @staticmethod
    def resolve_origin_unit(obj: Opinion) -> str:
        return obj.origin_unit.code

    @staticmethod
    def resolve_overdue(obj: Opinion) -> bool:
        return workflow.is_overdue(obj.status, obj.deadline, timezone.localdate())

    @staticmethod
    def resolve_visit(obj: Opinion) -> int | None:
        return obj.visit_id

    @staticmethod
    def resolve_submitter_phone(obj: Opinion) -> str:
        return obj.submitter_phone_masked

    @staticmethod
    def resolve_merged_into(obj: Opinion) -> int | None:
        return obj.merged_into_id


class OpinionDetailOut(OpinionOut):
    """An opinion with its history: every step, who, when, from → to, note."""

    history: list[dict[str, Any]]

    @staticmethod
    def resolve_history(obj: Opinion) -> list[dict[str, Any]]:
        return [
            {
                "action": e.action,
                "from": e.from_status,
                "to": e.to_status,
                "actor": e.actor_name,
                "at": e.at,
                "note": e.note,
            }
            for e in obj.events.all()
        ]


class OpinionPage(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    items: list[OpinionOut]


class OpinionQuery(Schema):
    status: str | None = None
    unit: str | None = None
    overdue: bool | None = None
    page: int = 1


class OpinionIn(Schema):
    content: str
    source: str
    visit: int | None = None
    category: str | None = None
    unit: str | None = None
    is_urgent: bool = False
    submitter_name: str = ""
    submitter_phone: str = ""


class TransitionIn(Schema):
    action: str
    unit: str | None = None
    deadline: datetime.date | None = None
    reason: str = ""
    reply: str = ""
    measures: str = ""
    rating: str = ""
    comment: str = ""


def _one(user: Actor, pk: int) -> Opinion:
    return selectors.opinion_get(user=user, pk=pk)


@router.get("", response={200: OpinionPage, **ERRORS}, summary="Opinions in scope")
def list_opinions(request: HttpRequest, query: Query[OpinionQuery]) -> dict[str, Any]:
    """Opinions the caller may see, newest first, 50 a page (history left out here)."""
    user = request_user(request)
    require(user, Perm.OPINION_VIEW)
    unit = get_object_or_404(Unit.objects.visible_to(user), code=query.unit) if query.unit else None
    filters = selectors.OpinionFilters(status=query.status or "", overdue=query.overdue, unit=unit)
    return paginate(
        selectors.opinion_list(user=user, filters=filters), page=query.page, page_size=PAGE_SIZE
    )


@router.post("", response={201: OpinionDetailOut, **ERRORS}, summary="Register an opinion")
def create_opinion(request: HttpRequest, payload: OpinionIn) -> Status[Opinion]:
    """Register an opinion from a visit or on its own; it starts `registered`."""
    user = request_user(request)
    require(user, Perm.OPINION_REGISTER)
    visit = None
    if payload.visit is not None:
        visit = visit_in_scope(user=user, pk=payload.visit)
        if visit is None:
            raise ValidationError({"visit": _("No such visit in your scope")})
    if payload.unit:
        origin = Unit.objects.visible_to(user).filter(code=payload.unit).first()
        if origin is None:
            raise ValidationError(
                {"unit": _("Unit %(code)s is not within your scope") % {"code": payload.unit}}
            )
    elif visit is not None:
        origin = visit.unit
    else:
        officer = officer_of(user)
        if officer is None:
            raise ValidationError({"unit": _("Name the unit that collected the opinion")})
        origin = officer.unit
    category = None
    if payload.category:
        category = Category.objects.filter(code=payload.category, is_active=True).first()
        if category is None:
            raise ValidationError({"category": _("Unknown category")})
    opinion = services.opinion_register(
        actor=user,
        origin_unit=origin,
        content=payload.content,
        source=payload.source,
        visit=visit,
        category=category,
        is_urgent=payload.is_urgent,
        submitter_name=payload.submitter_name,
        submitter_phone=payload.submitter_phone,
    )
    return Status(201, _one(user, opinion.pk))


@router.get(
    "/{opinion_id}",
    response={200: OpinionDetailOut, **ERRORS},
    summary="One opinion with its history",
)
def get_opinion(request: HttpRequest, opinion_id: int) -> Opinion:
    """One opinion in the caller's scope (404 otherwise), with every event."""
    user = request_user(request)
    require(user, Perm.OPINION_VIEW)
    return _one(user, opinion_id)


class UnknownAction(ApplicationError):
    status_code = 422


@router.post(
    "/{opinion_id}/transitions",
    response={200: OpinionDetailOut, **ERRORS},
    summary="Act on an opinion",
)
def transition(request: HttpRequest, opinion_id: int, payload: TransitionIn) -> Opinion:
    """assign | accept | return | reply | rate | reopen | close; a state that does not allow the
    action answers 409, a role that may not 403."""
    user = request_user(request)
    require(user, Perm.OPINION_VIEW)
    opinion = _one(user, opinion_id)
    if payload.action not in workflow.ACTIONS_BY_API:
        raise UnknownAction(_("Unknown action: %(action)s") % {"action": payload.action})
    unit = None
    if payload.unit:
        unit = Unit.objects.visible_to(user).filter(code=payload.unit).first()
        if unit is None:
            raise ValidationError(
                {"unit": _("Unit %(code)s is not within your scope") % {"code": payload.unit}}
            )
    # Answer with the opinion as the action left it, even when it left the caller's scope
    # (a return takes it away from the unit that returned it).
    return services.opinion_transition(
        actor=user,
        opinion_id=opinion.pk,
        action=payload.action,
        unit=unit,
        reply_by=payload.deadline,
        reason=payload.reason,
        reply=payload.reply,
        measures=payload.measures,
        rating=payload.rating,
        comment=payload.comment,
    )
