"""A campaign (活动) and its phases (阶段)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zoufang.org.models import Officer, Unit
from zoufang.org.querysets import ScopedQuerySet

from .querysets import PhaseQuerySet, TaskQuerySet


class Campaign(models.Model):
    """A campaign such as 2022年大走访开门评."""

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-start_date"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date is before the start date")})


class Phase(models.Model):
    """A stage of a campaign, with its own dates and theme; assessment ranks per phase."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="phases"
    )
    slug = models.SlugField(_("slug"), max_length=50)
    name = models.CharField(_("name"), max_length=100)
    theme = models.CharField(_("theme"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = PhaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["campaign", "order", "start_date"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "slug"], name="phase_slug_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign.name} · {self.name}"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date is before the start date")})


class PlanVerdict(models.TextChoices):
    """What the comparison says about a plan (../shared/DESIGN.md: copied ≥ 0.8, partial ≥ 0.3)."""

    COPIED = "copied", _("Copied")
    PARTIAL = "partial", _("Partly copied")
    ORIGINAL = "original", _("Original")


class Plan(models.Model):
    """A unit's work plan (工作方案) for a campaign; the city office's is the city plan."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="plans"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="plans"
    )
    is_city_plan = models.BooleanField(_("city plan"), default=False)
    current = models.ForeignKey(
        "PlanVersion",
        verbose_name=_("current version"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("work plan")
        verbose_name_plural = _("work plans")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="plan_one_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.campaign}"


class PlanVersion(models.Model):
    """One uploaded or pasted text of a plan; earlier versions are kept."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"))
    filename = models.CharField(_("file"), max_length=200, blank=True)
    document = models.FileField(_("document"), upload_to="plans/%Y/", blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    similarity = models.FloatField(_("similarity to the city plan"), null=True, blank=True)
    verdict = models.CharField(_("verdict"), max_length=10, choices=PlanVerdict.choices, blank=True)
    passages = models.JSONField(_("copied passages"), default=list, blank=True)

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="planversion_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"


class PlanMatch(models.Model):
    """A plan that resembles another unit's plan (units copy each other too)."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="matches")
    other = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="+")
    similarity = models.FloatField(_("similarity"))
    verdict = models.CharField(_("verdict"), max_length=10, choices=PlanVerdict.choices)

    class Meta:
        verbose_name = _("plan match")
        verbose_name_plural = _("plan matches")
        ordering = ["-similarity"]
        constraints = [
            models.UniqueConstraint(fields=["version", "other"], name="planmatch_pair_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.version} ~ {self.other}: {self.similarity:.2f}"


class TaskStatus(models.TextChoices):
    """Where a task stands."""

    OPEN = "open", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class Task(models.Model):
    """A work task (工作任务): lead leader, responsible units, deadline."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="tasks"
    )
    phase = models.ForeignKey(
        Phase,
        verbose_name=_("phase"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    lead_leader = models.ForeignKey(
        Officer, verbose_name=_("lead leader"), on_delete=models.PROTECT, related_name="led_tasks"
    )
    responsible_units = models.ManyToManyField(
        Unit, verbose_name=_("responsible units"), related_name="tasks"
    )
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("work task")
        verbose_name_plural = _("work tasks")
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: datetime.date) -> bool:
        """Not done and past the deadline (`TaskQuerySet.overdue` says the same in SQL)."""
        return self.status != TaskStatus.DONE and today > self.deadline

    @property
    def done_on_time(self) -> bool | None:
        """Whether it was done by the deadline (None until done)."""
        if self.done_at is None:
            return None
        return timezone.localdate(self.done_at) <= self.deadline


class TaskReport(models.Model):
    """A responsible unit's progress report on a task, with an optional attachment."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("progress"))
    attachment = models.FileField(_("attachment"), upload_to="tasks/%Y/", blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        verbose_name = _("task progress report")
        verbose_name_plural = _("task progress reports")
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"{self.task} · {self.unit}"


class Assignment(models.Model):
    """分包责任: a leader answers for some units in a campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assignments")
    leader = models.ForeignKey(
        Officer, verbose_name=_("leader"), on_delete=models.PROTECT, related_name="assignments"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("leader's units")
        verbose_name_plural = _("leaders' units")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "leader", "unit"], name="assignment_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.leader} → {self.unit}"


class MeetingKind(models.TextChoices):
    """What kind of mobilisation the record is (the seed counts them)."""

    MEETING = "meeting", _("Meeting")
    LEADING_GROUP = "leading_group", _("Leading group set up")
    MOBILISATION = "mobilisation", _("Mobilisation")
    SYMPOSIUM = "symposium", _("Symposium with the public")


class MeetingLevel(models.TextChoices):
    """Who convened it."""

    CITY = "city", _("City bureau")
    COUNTY = "county", _("County bureau")
    UNIT = "unit", _("Unit")


class Meeting(models.Model):
    """A meeting or mobilisation of the campaign (召开会议、成立领导小组)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="meetings")
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    level = models.CharField(_("level"), max_length=10, choices=MeetingLevel.choices)
    title = models.CharField(_("title"), max_length=200)
    attendees = models.PositiveIntegerField(_("attendees"), default=0)
    minutes = models.TextField(_("minutes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-date"]

    def __str__(self) -> str:
        return self.title
