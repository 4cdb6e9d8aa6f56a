"""Opinions (意见建议), their categories and events, reminders and the satisfaction survey."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zoufang.org.models import Unit

from .querysets import OpinionQuerySet, ReminderQuerySet, SurveyResponseQuerySet


class OpinionStatus(models.TextChoices):
    """The states of the loop (../shared/DESIGN.md, "The opinion loop"; docs/workflows.md)."""

    REGISTERED = "registered", _("Registered")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    REPLIED = "replied", _("Replied")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", _("Closed")


class OpinionAction(models.TextChoices):
    """What can happen to an opinion; each becomes an OpinionEvent."""

    REGISTER = "register", _("Register")
    ASSIGN = "assign", _("Assign")
    ACCEPT = "accept", _("Accept")
    RETURN = "return", pgettext_lazy("opinion action", "Return")
    REPLY = "reply", _("Reply")
    RATE = "rate", _("Rate")
    REOPEN = "reopen", _("Reopen")
    CLOSE = "close", _("Close")
    MERGE = "merge", _("Merge")
    CATEGORISE = "categorise", _("Categorise")


class OpinionSource(models.TextChoices):
    """Where an opinion came from."""

    VISIT = "visit", _("Visit")
    FORM = "form", _("Open-door review form")
    ONLINE = "online", _("Online")
    MEETING = "meeting", _("Meeting")
    HOTLINE = "hotline", _("Hotline")


class Rating(models.TextChoices):
    """The citizen's verdict on the reply (评议)."""

    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class RatingChannel(models.TextChoices):
    """How a rating was given."""

    CITIZEN_LINK = "citizen_link", _("Citizen's private link")
    PHONE_RETURN_VISIT = "phone_return_visit", _("Phone return visit")


class CloseReason(models.TextChoices):
    """Why an opinion was closed."""

    RATED = "rated", _("Rated by the citizen")
    UNRATED = "unrated", _("No rating within 7 days")
    CITY_OFFICE = "city_office", _("Closed by the city office")


class Category(models.Model):
    """A category the city office maintains, with its keywords and deadlines in working days."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=30)
    keywords = models.TextField(
        _("keywords"), blank=True, help_text=_("One per line or separated by commas")
    )
    accept_days = models.PositiveSmallIntegerField(_("accept within (working days)"), default=1)
    reply_days = models.PositiveSmallIntegerField(_("reply within (working days)"), default=5)
    urgent_reply_days = models.PositiveSmallIntegerField(
        _("urgent: reply within (working days)"), default=1
    )
    sort_order = models.IntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("opinion category")
        verbose_name_plural = _("opinion categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def keyword_list(self) -> list[str]:
        """The keywords, trimmed, without blanks."""
        text = self.keywords.replace("，", ",").replace("\n", ",")
        return [word.strip() for word in text.split(",") if word.strip()]


class Opinion(models.Model):
    """An opinion or suggestion from the public, and where it stands in the loop."""

    origin_unit = models.ForeignKey(
        Unit,
        verbose_name=_("collected by"),
        on_delete=models.PROTECT,
        related_name="opinions_collected",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        related_name="opinions",
        null=True,
        blank=True,
    )
    content = models.TextField(_("content"), max_length=2000)
    source = models.CharField(_("source"), max_length=10, choices=OpinionSource.choices)
    visit = models.ForeignKey(
        "ledger.Visit",
        verbose_name=_("visit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opinions",
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, null=True, blank=True
    )
    category_confirmed = models.BooleanField(_("category confirmed by a person"), default=False)
    is_urgent = models.BooleanField(_("urgent"), default=False)
    submitter_name = models.CharField(_("submitter"), max_length=50, blank=True)
    submitter_phone_cipher = models.TextField(blank=True, editable=False)
    submitter_phone_hash = models.CharField(max_length=64, blank=True, editable=False)
    submitter_phone_masked = models.CharField(_("submitter's phone"), max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=OpinionStatus.choices, default=OpinionStatus.REGISTERED
    )
    status_since = models.DateTimeField(_("in this state since"), default=timezone.now)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    reply_by = models.DateField(_("reply by (set by the city office)"), null=True, blank=True)
    token = models.CharField(max_length=43, unique=True, editable=False)
    reply = models.TextField(_("reply"), blank=True)
    measures = models.TextField(_("rectification measures"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices, blank=True)
    rating_comment = models.CharField(_("rating comment"), max_length=500, blank=True)
    rating_channel = models.CharField(
        _("rated through"), max_length=20, choices=RatingChannel.choices, blank=True
    )
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    close_reason = models.CharField(
        _("closed because"), max_length=20, choices=CloseReason.choices, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = OpinionQuerySet.as_manager()

    # Sealed personal values (core.personal): column prefix → purpose (key rotation).
    sealed_fields: ClassVar[dict[str, str]] = {"submitter_phone": "phone"}

    class Meta:
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "deadline"], name="opinion_status_deadline_idx"),
            models.Index(fields=["unit", "status"], name="opinion_unit_status_idx"),
            models.Index(fields=["origin_unit", "created_at"], name="opinion_origin_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.content[:20]}"

    @property
    def summary(self) -> str:
        """The first 40 characters of the content."""
        return self.content if len(self.content) <= 40 else self.content[:40] + "…"


class OpinionEvent(models.Model):
    """One step of an opinion's history: who did what, when, from which state to which."""

    opinion = models.ForeignKey(Opinion, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=OpinionAction.choices)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    deadline = models.DateField(_("deadline of the step"), null=True, blank=True)
    on_time = models.BooleanField(_("on time"), null=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("opinion event")
        verbose_name_plural = _("opinion events")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["action", "at"], name="opinionevent_action_at_idx"),
            models.Index(fields=["unit", "action", "at"], name="opinionevent_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.opinion_id} {self.action} {self.from_status}→{self.to_status}"

    @property
    def from_label(self) -> str:
        """The state before, as people call it."""
        return str(OpinionStatus(self.from_status).label) if self.from_status else ""

    @property
    def to_label(self) -> str:
        """The state after, as people call it."""
        return str(OpinionStatus(self.to_status).label) if self.to_status else ""


class ReminderKind(models.TextChoices):
    """Why a unit is reminded."""

    ASSIGNED = "assigned", _("New opinion assigned")
    DUE_SOON = "due_soon", _("Due tomorrow")
    DUE_TODAY = "due_today", _("Due today")
    OVERDUE = "overdue", _("Overdue")


class Reminder(models.Model):
    """An in-app reminder to a unit about one of its opinions."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="reminders")
    opinion = models.ForeignKey(Opinion, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("kind"), max_length=20, choices=ReminderKind.choices)
    due = models.DateField(_("deadline"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    done = models.BooleanField(_("done"), default=False)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["opinion", "kind", "due"], name="reminder_once_per_deadline"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.kind} {self.opinion_id}"


class SecurityFeeling(models.TextChoices):
    """安全感: how safe the respondent feels."""

    VERY_SAFE = "very_safe", _("Very safe")
    SAFE = "safe", _("Safe")
    FAIRLY_SAFE = "fairly_safe", _("Fairly safe")
    UNSAFE = "unsafe", _("Unsafe")
    VERY_UNSAFE = "very_unsafe", _("Very unsafe")


class SurveyResponse(models.Model):
    """An anonymous answer to the satisfaction survey (安全感 / 满意度) about a unit."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="survey_responses")
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)
    security = models.CharField(
        _("sense of security"), max_length=20, choices=SecurityFeeling.choices
    )
    satisfaction = models.CharField(
        _("satisfaction with the police"), max_length=20, choices=Rating.choices
    )
    visited = models.BooleanField(_("visited by an officer this year"), null=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    objects = SurveyResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [models.Index(fields=["unit", "submitted_at"], name="survey_unit_time_idx")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.submitted_at:%Y-%m-%d}"
