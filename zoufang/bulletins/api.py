"""API: the bulletins column (活动快报), writing a bulletin and its transitions."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from zoufang.api.auth import request_user
from zoufang.api.schemas import ERRORS, paginate
from zoufang.campaigns.models import Campaign
from zoufang.campaigns.selectors import campaign_list, current_phase
from zoufang.core.actors import Actor
from zoufang.core.errors import ApplicationError
from zoufang.org.models import Unit
from zoufang.org.permissions import Perm, officer_of, require

from . import selectors, services, workflow
from .models import Bulletin, BulletinKind
from .permissions import require_write

router = Router(tags=["bulletins"])
PAGE_SIZE = 20


class BulletinOut(Schema):
    """A bulletin as the column lists it."""

    id: int
    campaign: str
    unit: str
    unit_name: str
    kind: str
    title: str
    excerpt: str
    status: str
    views: int
    submitted_at: datetime.datetime | None
    published_at: datetime.datetime | None

    @staticmethod
    def resolve_campaign(obj: Bulletin) -> str:
        return obj.campaign.slug

    @staticmethod
    def resolve_unit(obj: Bulletin) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_unit_name(obj: Bulletin) -> str:
        return obj.unit.name


class FileOut(Schema):
    id: int
    url: str
    name: str
    size: int
    content_type: str


class BulletinDetailOut(BulletinOut):
    """One bulletin with its text, review and files (file URLs need the session or token
    of someone who may read the bulletin)."""

    body: str
    reviewed_at: datetime.datetime | None
    review_comment: str
    version: int
    created_at: datetime.datetime
    images: list[FileOut]
    attachments: list[FileOut]

    @staticmethod
    def resolve_images(obj: Bulletin) -> list[dict[str, Any]]:
        return [
            {
                "id": image.pk,
                "url": reverse("bulletins:bulletin_image", args=[obj.pk, image.pk]),
                "name": image.caption,
                "size": image.size,
                "content_type": image.content_type,
            }
            for image in obj.images.all()
        ]

    @staticmethod
    def resolve_attachments(obj: Bulletin) -> list[dict[str, Any]]:
        return [
            {
                "id": attachment.pk,
                "url": reverse("bulletins:bulletin_attachment", args=[obj.pk, attachment.pk]),
                "name": attachment.original_name,
                "size": attachment.size,
                "content_type": attachment.content_type,
            }
            for attachment in obj.attachments.all()
        ]


class BulletinPage(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    items: list[BulletinOut]


class ColumnQuery(Schema):
    q: str | None = None
    kind: str | None = None
    unit: str | None = None
    tab: str | None = None
    page: int = 1


class BulletinIn(Schema):
    title: str
    body: str
    kind: str = BulletinKind.ACTIVITY_REPORT
    unit: str | None = None
    campaign: str | None = None
    submit: bool = False


class TransitionIn(Schema):
    action: str
    comment: str = ""
    version: int | None = None


class UnknownAction(ApplicationError):
    status_code = 422


def _one(user: Actor, pk: int) -> Bulletin:
    return selectors.bulletin_get(user=user, pk=pk)


@router.get("", response={200: BulletinPage, **ERRORS}, summary="The column")
def list_bulletins(request: HttpRequest, query: Query[ColumnQuery]) -> dict[str, Any]:
    """Adopted bulletins, 20 a page: newest first; `q` searches (Chinese bigrams, best match
    first); `tab=week|month` ranks by views in the last 7 / 30 days; `unit` includes the
    units below it."""
    user = request_user(request)
    require(user, Perm.CAMPAIGN_VIEW)
    unit = None
    if query.unit:
        unit = Unit.objects.filter(code=query.unit).first()
        if unit is None:
            raise ValidationError({"unit": _("Unknown unit %(code)s") % {"code": query.unit}})
    if query.kind and query.kind not in BulletinKind.values:
        raise ValidationError({"kind": _("Unknown kind of bulletin")})
    filters = selectors.ColumnFilters(
        q=query.q or "",
        kind=query.kind or "",
        unit=unit,
        tab=query.tab if query.tab in selectors.Tab.ALL else selectors.Tab.NEWEST,
    )
    return paginate(selectors.column_list(filters=filters), page=query.page, page_size=PAGE_SIZE)


@router.get("/{bulletin_id}", response={200: BulletinDetailOut, **ERRORS}, summary="One bulletin")
def get_bulletin(request: HttpRequest, bulletin_id: int) -> Bulletin:
    """A published bulletin, or one of the caller's scope in any state (404 otherwise).
    Reading through the API does not count a view."""
    user = request_user(request)
    require(user, Perm.CAMPAIGN_VIEW)
    return _one(user, bulletin_id)


def _default_campaign() -> Campaign | None:
    phase = current_phase()
    return phase.campaign if phase else campaign_list().first()


@router.post("", response={201: BulletinDetailOut, **ERRORS}, summary="Write a bulletin")
def create_bulletin(request: HttpRequest, payload: BulletinIn) -> Status[Bulletin]:
    """A draft, or with `"submit": true` submitted at once; the unit defaults to the caller's,
    the campaign to the current one. Pictures and attachments are added on the page."""
    user = request_user(request)
    require(user, Perm.CAMPAIGN_VIEW)
    require_write(user)
    if payload.unit:
        unit = Unit.objects.visible_to(user).filter(code=payload.unit).first()
        if unit is None:
            raise ValidationError(
                {"unit": _("Unit %(code)s is not within your scope") % {"code": payload.unit}}
            )
    else:
        officer = officer_of(user)
        if officer is None:
            raise ValidationError({"unit": _("Name the unit of the bulletin")})
        unit = officer.unit
    campaign = (
        Campaign.objects.filter(slug=payload.campaign).first()
        if payload.campaign
        else _default_campaign()
    )
    if campaign is None:
        raise ValidationError({"campaign": _("Unknown campaign")})
    bulletin = services.bulletin_create(
        actor=user,
        campaign=campaign,
        unit=unit,
        kind=payload.kind,
        title=payload.title,
        body=payload.body,
        submit=payload.submit,
    )
    return Status(201, _one(user, bulletin.pk))


@router.post(
    "/{bulletin_id}/transitions",
    response={200: BulletinDetailOut, **ERRORS},
    summary="Submit, adopt or return a bulletin",
)
def transition(request: HttpRequest, bulletin_id: int, payload: TransitionIn) -> Bulletin:
    """submit (the unit) | adopt | return with a comment (the city office); a role that may
    not is 403, a state that does not allow it 409, a stale `version` 409."""
    user = request_user(request)
    require(user, Perm.CAMPAIGN_VIEW)
    bulletin = _one(user, bulletin_id)
    if payload.action not in workflow.ACTIONS_BY_API:
        raise UnknownAction(_("Unknown action: %(action)s") % {"action": payload.action})
    services.bulletin_transition(
        actor=user,
        bulletin_id=bulletin.pk,
        action=payload.action,
        comment=payload.comment,
        expected_version=payload.version,
    )
    return _one(user, bulletin.pk)
