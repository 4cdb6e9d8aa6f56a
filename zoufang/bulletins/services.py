"""Every write to bulletins: create, edit, the workflow's transitions, and view counts.

Each write checks the role and the scope, keeps the search tokens current and writes its
audit row in the same transaction; transitions lock the row, so of two concurrent reviews
only one succeeds. Files are checked by content (files.py) before anything is stored.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from zoufang.campaigns.models import Campaign
from zoufang.core.actors import Actor
from zoufang.core.audit import AuditAction, audit_record, changed_only
from zoufang.core.errors import ConflictError
from zoufang.core.validators import clean_text
from zoufang.org.models import Unit
from zoufang.org.permissions import Perm, account_of, require

from . import files, search, workflow
from .models import (
    Bulletin,
    BulletinAction,
    BulletinAttachment,
    BulletinImage,
    BulletinKind,
    BulletinStatus,
    BulletinView,
)
from .permissions import actor_of, facts_for, unit_in_scope

MAX_TITLE = 100
MAX_BODY = 10_000
MAX_COMMENT = 500
AUDITED_FIELDS = ("campaign", "unit", "kind", "title", "body")


def _field(value: str, name: str, *, max_length: int, required: bool = True) -> str:
    try:
        return clean_text(value, max_length=max_length, required=required)
    except ValidationError as error:
        raise ValidationError({name: error.messages}) from error


def _body(value: str) -> str:
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    return _field("\n".join(lines).strip("\n"), "body", max_length=MAX_BODY)


def _check_unit(actor: Actor, unit: Unit) -> None:
    if not unit.is_active or not unit_in_scope(actor, unit.pk):
        raise ValidationError(
            {"unit": _("Unit %(code)s is not within your scope") % {"code": unit.code}}
        )


def _check_kind(kind: str) -> None:
    if kind not in BulletinKind.values:
        raise ValidationError({"kind": _("Unknown kind of bulletin")})


def _check_files(
    images: Sequence[Any], attachments: Sequence[Any]
) -> tuple[list[files.CheckedFile], list[files.CheckedFile]]:
    """Every upload checked; all problems reported at once, by field."""
    errors: dict[str, list[str]] = {}
    checked_images, checked_attachments = [], []
    for upload in images:
        try:
            checked_images.append(files.check_image(upload))
        except ValidationError as error:
            errors.setdefault("images", []).extend(error.messages)
    for upload in attachments:
        try:
            checked_attachments.append(files.check_attachment(upload))
        except ValidationError as error:
            errors.setdefault("attachments", []).extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return checked_images, checked_attachments


def _store_files(
    bulletin: Bulletin,
    images: Sequence[files.CheckedFile],
    attachments: Sequence[files.CheckedFile],
    captions: Sequence[str] = (),
) -> None:
    start = (bulletin.images.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    for index, checked in enumerate(images):
        caption = captions[index] if index < len(captions) else ""
        image = BulletinImage(
            bulletin=bulletin,
            caption=clean_text(caption, max_length=100),
            content_type=checked.content_type,
            size=checked.size,
            width=checked.width,
            height=checked.height,
            order=start + index,
        )
        image.image.save(f"image{checked.extension}", ContentFile(checked.data), save=False)
        image.save(force_insert=True)
    for checked in attachments:
        attachment = BulletinAttachment(
            bulletin=bulletin,
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
        )
        attachment.file.save(f"file{checked.extension}", ContentFile(checked.data), save=False)
        attachment.save(force_insert=True)


def _snapshot(bulletin: Bulletin) -> dict[str, Any]:
    return {
        "campaign": bulletin.campaign.slug,
        "unit": bulletin.unit.code,
        "kind": bulletin.kind,
        "title": bulletin.title,
        "body": bulletin.body,
    }


def _index(bulletin: Bulletin) -> None:
    """Keep the search tokens in step with the title and text."""
    bulletin.search_title = search.token_text(bulletin.title)
    bulletin.search_text = search.token_text(bulletin.title, bulletin.body)


@transaction.atomic
def bulletin_create(
    *,
    actor: Actor,
    campaign: Campaign,
    unit: Unit,
    kind: str,
    title: str,
    body: str,
    images: Sequence[Any] = (),
    captions: Sequence[str] = (),
    attachments: Sequence[Any] = (),
    submit: bool = False,
) -> Bulletin:
    """Write a bulletin for a unit in the actor's scope (a draft, or submitted at once)."""
    if not workflow.may_write(actor_of(actor)):
        raise PermissionDenied(_("Your role may not write bulletins"))
    _check_kind(kind)
    _check_unit(actor, unit)
    clean_title = _field(title, "title", max_length=MAX_TITLE)
    clean_body = _body(body)
    files.check_counts(images=len(images), attachments=len(attachments))
    checked_images, checked_attachments = _check_files(images, attachments)
    bulletin = Bulletin(
        campaign=campaign,
        unit=unit,
        kind=kind,
        title=clean_title,
        body=clean_body,
        created_by=account_of(actor),
    )
    _index(bulletin)
    bulletin.save(force_insert=True)
    _store_files(bulletin, checked_images, checked_attachments, captions)
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        target=bulletin,
        after={
            **_snapshot(bulletin),
            "images": len(checked_images),
            "attachments": [c.name for c in checked_attachments],
        },
    )
    if submit:
        return bulletin_transition(
            actor=actor, bulletin_id=bulletin.pk, action=BulletinAction.SUBMIT
        )
    return bulletin


def _locked(bulletin_id: int) -> Bulletin:
    return (
        Bulletin.objects.select_for_update(of=("self",))
        .select_related("unit", "campaign")
        .get(pk=bulletin_id)
    )


def _stale(bulletin: Bulletin, expected_version: int | None) -> None:
    if expected_version is not None and bulletin.version != expected_version:
        raise ConflictError(
            _("The bulletin changed since you opened it; look again first"),
            extra={"version": bulletin.version},
        )


@transaction.atomic
def bulletin_update(
    *,
    actor: Actor,
    bulletin_id: int,
    kind: str,
    title: str,
    body: str,
    unit: Unit | None = None,
    campaign: Campaign | None = None,
    add_images: Sequence[Any] = (),
    captions: Sequence[str] = (),
    remove_images: Sequence[int] = (),
    add_attachments: Sequence[Any] = (),
    remove_attachments: Sequence[int] = (),
    expected_version: int | None = None,
    submit: bool = False,
) -> Bulletin:
    """Change a draft or returned bulletin: its text, unit, files (the unit's writers);
    with `submit`, submit it in the same transaction."""
    bulletin = _locked(bulletin_id)
    if not workflow.may_edit(actor_of(actor), facts_for(actor, bulletin)):
        raise PermissionDenied(_("You may not change this bulletin"))
    _stale(bulletin, expected_version)
    if not workflow.is_editable(bulletin.status):
        raise ConflictError(
            _("A bulletin that is “%(status)s” can no longer be changed")
            % {"status": BulletinStatus(bulletin.status).label},
            extra={"status": bulletin.status},
        )
    _check_kind(kind)
    if unit is not None and unit.pk != bulletin.unit_id:
        _check_unit(actor, unit)
    before = _snapshot(bulletin)
    bulletin.kind = kind
    bulletin.title = _field(title, "title", max_length=MAX_TITLE)
    bulletin.body = _body(body)
    bulletin.unit = unit or bulletin.unit
    bulletin.campaign = campaign or bulletin.campaign
    images_left = bulletin.images.exclude(pk__in=remove_images)
    attachments_left = bulletin.attachments.exclude(pk__in=remove_attachments)
    files.check_counts(
        images=images_left.count() + len(add_images),
        attachments=attachments_left.count() + len(add_attachments),
    )
    checked_images, checked_attachments = _check_files(add_images, add_attachments)
    removed_names = _remove_files(bulletin, remove_images, remove_attachments)
    _index(bulletin)
    bulletin.version += 1
    bulletin.save()
    _store_files(bulletin, checked_images, checked_attachments, captions)
    old, new = changed_only(before, _snapshot(bulletin))
    files_changed = {
        "images_added": len(checked_images),
        "attachments_added": [c.name for c in checked_attachments],
        "files_removed": removed_names,
    }
    audit_record(
        action=AuditAction.UPDATE,
        actor=actor,
        target=bulletin,
        before=old,
        after={**new, **{k: v for k, v in files_changed.items() if v}},
    )
    if submit:
        return bulletin_transition(
            actor=actor, bulletin_id=bulletin.pk, action=BulletinAction.SUBMIT
        )
    return bulletin


def _remove_files(
    bulletin: Bulletin, image_ids: Sequence[int], attachment_ids: Sequence[int]
) -> list[str]:
    """Delete the named pictures and attachments of the bulletin; the stored files go once
    the transaction commits."""
    doomed_images = list(bulletin.images.filter(pk__in=image_ids))
    doomed_attachments = list(bulletin.attachments.filter(pk__in=attachment_ids))
    stored = [i.image for i in doomed_images] + [a.file for a in doomed_attachments]
    names = [i.image.name for i in doomed_images] + [a.original_name for a in doomed_attachments]
    BulletinImage.objects.filter(pk__in=[i.pk for i in doomed_images]).delete()
    BulletinAttachment.objects.filter(pk__in=[a.pk for a in doomed_attachments]).delete()

    def delete_stored() -> None:
        for field_file in stored:
            field_file.storage.delete(field_file.name)

    transaction.on_commit(delete_stored)
    return names


def _refused(bulletin: Bulletin, action: str) -> ConflictError:
    return ConflictError(
        _("“%(action)s” is not possible while the bulletin is “%(status)s”")
        % {
            "action": BulletinAction(action).label,
            "status": BulletinStatus(bulletin.status).label,
        },
        extra={"status": bulletin.status},
    )


@transaction.atomic
def bulletin_transition(
    *,
    actor: Actor,
    bulletin_id: int,
    action: str,
    comment: str = "",
    expected_version: int | None = None,
) -> Bulletin:
    """Submit, adopt (采用) or return a bulletin (workflow.py's table).

    Raises PermissionDenied when the actor's role or scope may not (checked first),
    ConflictError when the state does not allow it or the bulletin changed since
    `expected_version`, ValidationError for a missing comment on a return.
    """
    if action not in BulletinAction.values:
        raise ValidationError({"action": _("Unknown action")})
    bulletin = _locked(bulletin_id)
    if not workflow.may_act(actor_of(actor), action, facts_for(actor, bulletin)):
        raise PermissionDenied(_("You may not take this action on this bulletin"))
    _stale(bulletin, expected_version)
    if action not in workflow.allowed_actions(bulletin.status):
        raise _refused(bulletin, action)
    note = _field(
        comment, "comment", max_length=MAX_COMMENT, required=action == BulletinAction.RETURN
    )
    now = timezone.now()
    from_status = bulletin.status
    bulletin.status = workflow.next_status(from_status, action)
    if action == BulletinAction.SUBMIT:
        bulletin.submitted_at = now
    else:
        bulletin.reviewed_at = now
        bulletin.reviewed_by = account_of(actor)
        bulletin.review_comment = note
        if action == BulletinAction.ADOPT:
            bulletin.published_at = now
    bulletin.version += 1
    bulletin.save()
    audit_record(
        action=AuditAction.TRANSITION,
        actor=actor,
        target=bulletin,
        before={"status": from_status},
        after={"status": bulletin.status, **({"comment": note} if note else {})},
        note=f"{action}: {note}".strip(": "),
    )
    return bulletin


@transaction.atomic
def bulletin_view_record(*, bulletin_id: int, day: datetime.date | None = None) -> bool:
    """Count one read of a published bulletin (the page counts once per session a day).

    The day's count is an upsert (INSERT … ON CONFLICT DO UPDATE), so concurrent readers
    never lose one; returns False for a bulletin that is not published. Not audited: a read
    changes no record anyone wrote.
    """
    day = day or timezone.localdate()
    counted = (
        Bulletin.objects.filter(pk=bulletin_id, status=BulletinStatus.ADOPTED).update(
            views=F("views") + 1
        )
        > 0
    )
    if counted:
        table = connection.ops.quote_name(BulletinView._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (bulletin_id, day, count) VALUES (%s, %s, 1) "
                f"ON CONFLICT (bulletin_id, day) DO UPDATE SET count = {table}.count + 1",
                [bulletin_id, day],
            )
    return counted


MAX_DIGEST_DAYS = 92  # a quarter: a digest of a longer period is a book, not a bulletin


@transaction.atomic
def bulletin_digest_export(
    *,
    actor: Actor,
    campaign: Campaign,
    since: datetime.date,
    until: datetime.date,
    date: datetime.date | None = None,
) -> tuple[bytes, int]:
    """The digest of the bulletins adopted from `since` to `until` (both included) as .docx
    bytes, and how many it holds; the download is audited. The city office's (a command runs
    it as the system)."""
    require(actor, Perm.BULLETIN_REVIEW)
    if until < since:
        raise ValidationError({"until": _("The end date is before the start date")})
    if (until - since).days >= MAX_DIGEST_DAYS:
        raise ValidationError(
            {"until": _("A digest covers at most %(days)s days") % {"days": MAX_DIGEST_DAYS}}
        )
    from zoufang.core.officialdoc import render_docx

    from .digest import digest_document, issue_number
    from .selectors import digest_items

    items = digest_items(campaign=campaign, since=since, until=until)
    number = issue_number(campaign_start=campaign.start_date, since=since)
    document = digest_document(
        items=items,
        since=since,
        until=until,
        number=number,
        issuer=settings.ZOUFANG_NOTICE_ISSUER,
        date=date or timezone.localdate(),
    )
    content = render_docx(document=document)
    audit_record(
        action=AuditAction.EXPORT,
        actor=actor,
        object_type="bulletins.digest",
        object_repr=f"活动快报 {since.isoformat()}—{until.isoformat()}",
        after={
            "campaign": campaign.slug,
            "since": since.isoformat(),
            "until": until.isoformat(),
            "number": number,
            "bulletins": len(items),
            "bytes": len(content),
        },
    )
    return content, len(items)
