"""Every write to opinions: registration, the loop's transitions, merging, categories,
reminders, closing unrated replies, and the anonymous survey.

Transitions lock the opinion row, so of two concurrent actions only one succeeds; each
writes an OpinionEvent and an audit record in the same transaction.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Sequence
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zoufang.core.audit import AuditAction, AuditEntry, actor_name, audit_bulk, audit_record
from zoufang.core.bulk import bulk_create_models
from zoufang.core.errors import ConflictError
from zoufang.core.personal import seal_phone
from zoufang.core.validators import clean_text, normalize_phone
from zoufang.core.workdays import WorkCalendar, work_calendar
from zoufang.org.models import Unit
from zoufang.org.permissions import officer_of, role_of

from . import workflow
from .models import (
    Category,
    CloseReason,
    Opinion,
    OpinionAction,
    OpinionEvent,
    OpinionSource,
    OpinionStatus,
    Rating,
    RatingChannel,
    Reminder,
    ReminderKind,
    SurveyResponse,
)
from .textmatch import CLASSIFIER_CONFIDENCE, NaiveBayes, keyword_match, trainable

MAX_CONTENT = 2000


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def _actor_facts(actor: Any, *, citizen: bool = False) -> workflow.Actor:
    if citizen:
        return workflow.Actor(role=None, unit_id=None, citizen=True)
    officer = officer_of(actor)
    return workflow.Actor(role=role_of(actor), unit_id=officer.unit_id if officer else None)


def _rule(opinion: Opinion) -> workflow.DeadlineRule:
    category = opinion.category
    if category is None:
        return workflow.DeadlineRule()
    return workflow.DeadlineRule(
        accept_days=category.accept_days,
        reply_days=category.reply_days,
        urgent_reply_days=category.urgent_reply_days,
    )


# --- category suggestion ---------------------------------------------------------------


def _classifier() -> NaiveBayes | None:
    """A classifier trained on the categories people confirmed, cached until they change."""
    confirmed = Opinion.objects.filter(category_confirmed=True, category__isnull=False)
    stamp = confirmed.order_by("-updated_at").values_list("updated_at", flat=True).first()
    key = f"opinions:classifier:{confirmed.count()}:{stamp.timestamp() if stamp else 0}"
    model = cache.get(key)
    if model is None:
        samples = list(confirmed.values_list("content", "category_id"))
        model = NaiveBayes.train(samples) if trainable(samples) else False
        cache.set(key, model, 3600)
    return model or None


def category_suggest(text: str) -> Category | None:
    """The suggested category of a text: the trained classifier when it is confident,
    otherwise the city office's keyword rules."""
    categories = {c.pk: c for c in Category.objects.filter(is_active=True)}
    model = _classifier()
    if model is not None:
        label, probability = model.predict(text)
        if label in categories and probability >= CLASSIFIER_CONFIDENCE:
            return categories[label]
    label = keyword_match(text, {pk: c.keyword_list() for pk, c in categories.items()})
    return categories.get(label) if label is not None else None


# --- registration ----------------------------------------------------------------------


def _event(
    opinion: Opinion,
    action: str,
    *,
    actor: Any,
    from_status: str = "",
    note: str = "",
    deadline: datetime.date | None = None,
    on_time: bool | None = None,
    data: dict[str, Any] | None = None,
    at: datetime.datetime | None = None,
    citizen: bool = False,
) -> OpinionEvent:
    return OpinionEvent(
        opinion=opinion,
        action=action,
        from_status=from_status,
        to_status=opinion.status,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=_("Citizen") if citizen else actor_name(actor),
        unit_id=opinion.unit_id,
        at=at or timezone.now(),
        note=note,
        deadline=deadline,
        on_time=on_time,
        data=data or {},
    )


def _check_content(content: str) -> str:
    try:
        text = clean_text(content, max_length=MAX_CONTENT, required=True)
    except ValidationError as error:
        raise ValidationError({"content": error.messages}) from error
    return text


@transaction.atomic
def opinion_register(
    *,
    actor: Any,
    origin_unit: Unit,
    content: str,
    source: str,
    visit: Any = None,
    category: Category | None = None,
    is_urgent: bool = False,
    submitter_name: str = "",
    submitter_phone: str = "",
    by_citizen: bool = False,
) -> Opinion:
    """Register an opinion (state `registered`); without a category one is suggested.

    `by_citizen` marks a submission from the public page (no account behind it).
    """
    text = _check_content(content)
    if source not in OpinionSource.values:
        raise ValidationError({"source": _("Unknown source")})
    if visit is not None and visit.unit_id != origin_unit.pk:
        raise ValidationError({"visit": _("The visit belongs to another unit")})
    try:
        phone = normalize_phone(submitter_phone)
    except ValidationError as error:
        raise ValidationError({"submitter_phone": error.messages}) from error
    sealed = seal_phone(phone)
    confirmed = category is not None
    opinion = Opinion(
        origin_unit=origin_unit,
        content=text,
        source=source,
        visit=visit,
        category=category or category_suggest(text),
        category_confirmed=confirmed,
        is_urgent=is_urgent,
        submitter_name=clean_text(submitter_name, max_length=50),
        submitter_phone_cipher=sealed.cipher,
        submitter_phone_hash=sealed.digest,
        submitter_phone_masked=sealed.masked,
        token=_new_token(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    opinion.save(force_insert=True)
    _event(opinion, OpinionAction.REGISTER, actor=actor, citizen=by_citizen).save()
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        target=opinion,
        after={
            "content": text,
            "source": source,
            "origin_unit": origin_unit.code,
            "category": opinion.category.code if opinion.category else None,
            "submitter_phone": opinion.submitter_phone_masked,
        },
    )
    return opinion


def opinions_from_visits(*, actor: Any, items: Sequence[tuple[Any, Sequence[str]]]) -> int:
    """Register the opinions written on visits (source `visit`), in bulk; returns how many.

    Called by the ledger in the same transaction as the visits.
    """
    categories = {c.pk: c for c in Category.objects.filter(is_active=True)}
    keywords = {pk: c.keyword_list() for pk, c in categories.items()}
    created_by = actor if getattr(actor, "pk", None) else None
    now = timezone.now()  # one time for the visits written together
    labels: dict[str, int | None] = {}  # the same words come back on many visits
    opinions = []
    for visit, texts in items:
        for text in texts:
            if text not in labels:
                labels[text] = keyword_match(text, keywords)
            opinions.append(
                Opinion(
                    origin_unit_id=visit.unit_id,
                    content=text[:MAX_CONTENT],
                    source=OpinionSource.VISIT,
                    visit_id=visit.pk,
                    category_id=labels[text],
                    token=_new_token(),
                    created_by=created_by,
                    created_at=now,
                    status_since=now,
                )
            )
    bulk_create_models(opinions)
    bulk_create_models([_event(o, OpinionAction.REGISTER, actor=actor, at=now) for o in opinions])
    audit_bulk(
        AuditEntry(
            action=AuditAction.CREATE,
            actor=actor,
            target=o,
            after={"content": o.content, "source": o.source, "visit": o.visit_id},
            at=now,
        )
        for o in opinions
    )
    return len(opinions)


# --- transitions -----------------------------------------------------------------------


def _locked(opinion_id: int) -> Opinion:
    return (
        Opinion.objects.select_for_update(of=("self",))
        .select_related("category")
        .get(pk=opinion_id)
    )


def _refused(opinion: Opinion, action: str) -> ConflictError:
    return ConflictError(
        _("“%(action)s” is not possible while the opinion is “%(status)s”")
        % {
            "action": OpinionAction(action).label,
            "status": OpinionStatus(opinion.status).label,
        },
        extra={"status": opinion.status},
    )


def _require(value: str, field: str, *, max_length: int = 2000) -> str:
    try:
        return clean_text(value, max_length=max_length, required=True)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error


@transaction.atomic
def opinion_transition(
    *,
    actor: Any,
    opinion_id: int,
    action: str,
    unit: Unit | None = None,
    reply_by: datetime.date | None = None,
    reason: str = "",
    reply: str = "",
    measures: str = "",
    rating: str = "",
    comment: str = "",
    citizen: bool = False,
    expected_version: int | None = None,
) -> Opinion:
    """Take one action of the loop on an opinion (DESIGN.md's table).

    Raises PermissionDenied if the actor may not, ConflictError if the state does not allow it
    (or the opinion changed since `expected_version`), ValidationError for bad input.
    """
    opinion = _locked(opinion_id)
    if expected_version is not None and opinion.version != expected_version:
        raise ConflictError(_("The opinion changed since you opened it; look again first"))
    if action not in OpinionAction.values or action in (
        OpinionAction.REGISTER,
        OpinionAction.MERGE,
    ):
        raise ValidationError({"action": _("Unknown action")})
    facts = _actor_facts(actor, citizen=citizen)
    if action not in workflow.allowed_actions(opinion.status):
        raise _refused(opinion, action)
    if not workflow.may_act(facts, action, responsible_unit_id=opinion.unit_id):
        raise PermissionDenied(_("You may not take this action on this opinion"))
    if (
        opinion.merged_into_id
        and action != OpinionAction.RATE
        and opinion.status != OpinionStatus.CLOSED
    ):
        raise ConflictError(_("This opinion is merged; act on the opinion it was merged into"))

    calendar = work_calendar()
    today = timezone.localdate()
    now = timezone.now()
    from_status = opinion.status
    step_deadline = opinion.deadline if from_status in workflow.UNIT_STATES else None
    on_time = (
        (today <= step_deadline) if step_deadline and action in workflow.UNIT_ACTIONS else None
    )
    data: dict[str, Any] = {}
    note = ""

    if action == OpinionAction.ASSIGN:
        if unit is None or not unit.is_active:
            raise ValidationError({"unit": _("Choose the unit responsible")})
        if reply_by is not None and reply_by < today:
            raise ValidationError({"deadline": _("The deadline is in the past")})
        opinion.unit = unit
        opinion.reply_by = reply_by
        data = {"unit": unit.code, "deadline": reply_by.isoformat() if reply_by else None}
    elif action == OpinionAction.RETURN:
        note = _require(reason, "reason", max_length=500)
        data = {"unit": opinion.unit.code if opinion.unit else None}
    elif action == OpinionAction.REPLY:
        opinion.reply = _require(reply, "reply")
        opinion.measures = _require(measures, "measures")
        opinion.replied_at = now
    elif action == OpinionAction.RATE:
        if rating not in Rating.values:
            raise ValidationError({"rating": _("Choose 满意, 基本满意 or 不满意")})
        opinion.rating = rating
        opinion.rating_comment = clean_text(comment, max_length=500)
        opinion.rating_channel = (
            RatingChannel.CITIZEN_LINK if citizen else RatingChannel.PHONE_RETURN_VISIT
        )
        opinion.rated_at = now
        note = opinion.rating_comment
        data = {"rating": rating, "channel": opinion.rating_channel}
    elif action in (OpinionAction.REOPEN, OpinionAction.CLOSE):
        note = _require(reason, "reason", max_length=500)

    opinion.status = workflow.next_status(from_status, action, rating=rating)
    opinion.status_since = now
    opinion.deadline = workflow.deadline_for(
        opinion.status,
        since=today,
        rule=_rule(opinion),
        urgent=opinion.is_urgent,
        calendar=calendar,
        reply_by=opinion.reply_by,
    )
    if opinion.status == OpinionStatus.REGISTERED:
        opinion.unit = None
        opinion.reply_by = None
    if opinion.status == OpinionStatus.REOPENED:
        opinion.reopen_count += 1
        opinion.closed_at, opinion.close_reason = None, ""
        if action == OpinionAction.REOPEN:
            opinion.rating, opinion.rated_at = "", None
    if opinion.status == OpinionStatus.CLOSED:
        opinion.closed_at = now
        opinion.close_reason = (
            CloseReason.RATED if action == OpinionAction.RATE else CloseReason.CITY_OFFICE
        )
    opinion.version += 1
    opinion.save()
    _event(
        opinion,
        action,
        actor=None if citizen else actor,
        from_status=from_status,
        note=note,
        deadline=step_deadline,
        on_time=on_time,
        data=data,
        at=now,
        citizen=citizen,
    ).save()
    audit_record(
        action=AuditAction.TRANSITION,
        actor=None if citizen else actor,
        target=opinion,
        before={"status": from_status},
        after={"status": opinion.status, **data},
        note=f"{action}: {note}".strip(": "),
    )
    Reminder.objects.filter(opinion=opinion, done=False).update(done=True)
    if action == OpinionAction.ASSIGN:
        assert opinion.unit is not None
        Reminder.objects.create(
            unit=opinion.unit, opinion=opinion, kind=ReminderKind.ASSIGNED, due=opinion.deadline
        )
    if action != OpinionAction.RATE:
        _follow(opinion, from_status, action, actor=actor, note=note, data=data)
    return opinion


def _follow(
    primary: Opinion, from_status: str, action: str, *, actor: Any, note: str, data: dict[str, Any]
) -> None:
    """Opinions merged into `primary` that still move in step with it take the same step."""
    followers = list(
        Opinion.objects.select_for_update().filter(merged_into=primary, status=from_status)
    )
    for follower in followers:
        for name in (
            "unit",
            "reply_by",
            "reply",
            "measures",
            "replied_at",
            "status",
            "status_since",
            "deadline",
            "closed_at",
            "close_reason",
        ):
            setattr(follower, name, getattr(primary, name))
        follower.version += 1
        follower.save()
        _event(
            follower,
            action,
            actor=actor,
            from_status=from_status,
            note=_("With opinion #%(id)s: %(note)s") % {"id": primary.pk, "note": note},
            data=data,
        ).save()


@transaction.atomic
def opinion_rate_by_token(*, token: str, rating: str, comment: str = "") -> Opinion:
    """The citizen rates the reply through the private link."""
    opinion = Opinion.objects.filter(token=token).only("pk").first()
    if opinion is None:
        raise Opinion.DoesNotExist
    return opinion_transition(
        actor=None,
        opinion_id=opinion.pk,
        action=OpinionAction.RATE,
        rating=rating,
        comment=comment,
        citizen=True,
    )


@transaction.atomic
def opinion_merge(*, actor: Any, opinion_id: int, into_id: int) -> Opinion:
    """Merge a newly registered opinion into another one (合并): one handling, every
    submitter gets the reply and rates it through their own link."""
    if opinion_id == into_id:
        raise ValidationError({"into": _("An opinion cannot be merged into itself")})
    first, second = sorted((opinion_id, into_id))
    locked = {o.pk: o for o in Opinion.objects.select_for_update().filter(pk__in=(first, second))}
    opinion, primary = locked[opinion_id], locked[into_id]
    if not workflow.may_act(_actor_facts(actor), OpinionAction.MERGE, responsible_unit_id=None):
        raise PermissionDenied(_("You may not merge opinions"))
    if opinion.status != OpinionStatus.REGISTERED or opinion.merged.exists():
        raise ConflictError(
            _("Only a registered opinion with nothing merged into it can be merged")
        )
    if primary.merged_into_id or primary.status not in (
        OpinionStatus.REGISTERED,
        OpinionStatus.ASSIGNED,
        OpinionStatus.IN_PROGRESS,
    ):
        raise ConflictError(_("The opinion to merge into is no longer open for merging"))
    from_status = opinion.status
    opinion.merged_into = primary
    for name in ("unit", "reply_by", "status", "status_since", "deadline"):
        setattr(opinion, name, getattr(primary, name))
    opinion.version += 1
    opinion.save()
    _event(
        opinion,
        OpinionAction.MERGE,
        actor=actor,
        from_status=from_status,
        data={"into": primary.pk},
    ).save()
    _event(
        primary,
        OpinionAction.MERGE,
        actor=actor,
        from_status=primary.status,
        data={"merged": opinion.pk},
    ).save()
    audit_record(
        action=AuditAction.TRANSITION,
        actor=actor,
        target=opinion,
        before={"status": from_status},
        after={"status": opinion.status, "merged_into": primary.pk},
    )
    return opinion


@transaction.atomic
def opinion_set_category(*, actor: Any, opinion_id: int, category: Category) -> Opinion:
    """A person confirms or corrects the category (this trains the classifier)."""
    opinion = _locked(opinion_id)
    if not workflow.may_act(
        _actor_facts(actor), OpinionAction.CATEGORISE, responsible_unit_id=None
    ):
        raise PermissionDenied
    before = opinion.category.code if opinion.category else None
    opinion.category, opinion.category_confirmed = category, True
    opinion.version += 1
    opinion.save()
    _event(
        opinion,
        OpinionAction.CATEGORISE,
        actor=actor,
        from_status=opinion.status,
        data={"category": category.code},
    ).save()
    audit_record(
        action=AuditAction.UPDATE,
        actor=actor,
        target=opinion,
        before={"category": before},
        after={"category": category.code},
    )
    return opinion


def opinions_bulk_assign(
    *, actor: Any, opinion_ids: Sequence[int], unit: Unit, reply_by: datetime.date | None = None
) -> tuple[list[int], dict[int, str]]:
    """Assign many opinions to a unit; each in its own transaction. Returns (done, refused)."""
    done, refused = [], {}
    for opinion_id in opinion_ids:
        try:
            opinion_transition(
                actor=actor,
                opinion_id=opinion_id,
                action=OpinionAction.ASSIGN,
                unit=unit,
                reply_by=reply_by,
            )
            done.append(opinion_id)
        except (ConflictError, PermissionDenied, ValidationError, Opinion.DoesNotExist) as error:
            refused[opinion_id] = getattr(error, "message", None) or "; ".join(
                getattr(error, "messages", [str(error)])
            )
    return done, refused


# --- periodic work ---------------------------------------------------------------------


@transaction.atomic
def reminders_generate(*, today: datetime.date | None = None) -> int:
    """Remind units of opinions due tomorrow, due today or overdue (once per deadline)."""
    today = today or timezone.localdate()
    calendar: WorkCalendar = work_calendar()
    candidates = Opinion.objects.filter(
        status__in=workflow.UNIT_STATES, deadline__isnull=False, unit__isnull=False
    ).values_list("pk", "unit_id", "status", "deadline")
    reminders = []
    for pk, unit_id, status, deadline in candidates.iterator():
        kind = workflow.due_reminder(status, deadline, today, calendar)
        if kind:
            reminders.append(Reminder(unit_id=unit_id, opinion_id=pk, kind=kind, due=deadline))
    before = Reminder.objects.count()
    Reminder.objects.bulk_create(reminders, ignore_conflicts=True)  # once per deadline
    return Reminder.objects.count() - before


def opinions_close_unrated(*, today: datetime.date | None = None) -> int:
    """Close replies nobody rated within 7 days (closed, unrated)."""
    today = today or timezone.localdate()
    due = Opinion.objects.filter(status=OpinionStatus.REPLIED, deadline__lt=today)
    closed = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            opinion = _locked(pk)
            if opinion.status != OpinionStatus.REPLIED:
                continue
            opinion.status = OpinionStatus.CLOSED
            opinion.status_since = opinion.closed_at = timezone.now()
            opinion.close_reason = CloseReason.UNRATED
            opinion.deadline = None
            opinion.version += 1
            opinion.save()
            _event(
                opinion,
                OpinionAction.CLOSE,
                actor=None,
                from_status=OpinionStatus.REPLIED,
                note=_("No rating within 7 days"),
            ).save()
            audit_record(
                action=AuditAction.TRANSITION,
                target=opinion,
                before={"status": "replied"},
                after={"status": "closed"},
                note="closed unrated",
            )
            closed += 1
    return closed


@transaction.atomic
def survey_submit(
    *, unit: Unit, security: str, satisfaction: str, visited: bool | None, comment: str = ""
) -> SurveyResponse:
    """Record an anonymous survey answer about a unit."""
    response = SurveyResponse(
        unit=unit,
        security=security,
        satisfaction=satisfaction,
        visited=visited,
        comment=clean_text(comment, max_length=500),
    )
    response.full_clean()
    response.save(force_insert=True)
    return response
