"""Indicator schemes (as data the city office edits) and published assessments (frozen)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zoufang.campaigns.models import Campaign, Phase
from zoufang.org.models import Unit, UnitKind
from zoufang.org.querysets import ScopedQuerySet

from .scoring import Method, NoData, Rule


class Source(models.TextChoices):
    """The figures an indicator can read (docs/scoring.md defines each)."""

    VISITS_PER_OFFICER = "visits_per_officer", _("Visits per officer")
    KEY_PERSON_VISITS = "key_person_visits_per_officer", _("Key-person visits per officer")
    HARDSHIP_VISITS = "hardship_visits_per_officer", _("Hardship-household visits per officer")
    ENTERPRISE_VISITS = (
        "enterprise_visits_per_officer",
        _("Enterprise and venue visits per officer"),
    )
    ONLINE_SHARE = "online_share", _("Online (键对键) share")
    RETURN_VISIT_RATE = "return_visit_rate", _("Return-visit rate")
    TIMELY_ACCEPTANCE = "timely_acceptance_rate", _("Timely acceptance rate")
    ON_TIME_COMPLETION = "on_time_completion_rate", _("On-time completion rate")
    REPLY_RATE = "reply_rate", _("Reply rate")
    SATISFACTION = "satisfaction_rate", _("Satisfaction rate")
    REOPEN_RATE = "reopen_rate", _("Reopen rate")
    RATING_RATE = "rating_rate", _("Rating rate")
    OVERDUE_OPINIONS = "overdue_opinions", _("Overdue opinions")
    BULLETINS_ADOPTED = "bulletins_adopted", _("Bulletins adopted")
    TASKS_ON_TIME = "tasks_on_time_rate", _("Tasks done on time")
    INSPECTION_DEDUCTIONS = "inspection_deductions", _("Inspection deductions")
    SERVICES_HANDLED = "services_handled", _("Certificates handled (便民服务)")
    SURVEY_SATISFACTION = "survey_satisfaction", _("Survey satisfaction")
    SURVEY_SECURITY = "survey_security", _("Survey sense of security")
    MEETINGS = "meetings", _("Meetings and mobilisation")


class Scheme(models.Model):
    """The indicators a unit kind is scored on in a campaign, out of `total` points."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="schemes"
    )
    unit_kind = models.CharField(_("unit kind"), max_length=20, choices=UnitKind.choices)
    name = models.CharField(_("name"), max_length=100)
    total = models.DecimalField(
        _("full marks"), max_digits=6, decimal_places=2, default=Decimal("100")
    )
    bottom_count = models.PositiveSmallIntegerField(_("flag the last N as bottom"), default=3)

    class Meta:
        verbose_name = _("indicator scheme")
        verbose_name_plural = _("indicator schemes")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit_kind"], name="scheme_one_per_kind"),
        ]

    def __str__(self) -> str:
        return self.name

    def rules(self) -> list[Rule]:
        """The scheme's indicators as plain scoring rules."""
        return [indicator.rule() for indicator in self.indicators.order_by("order", "pk")]


class Indicator(models.Model):
    """One indicator: its source figure, how it is normalised, its weight, floor and cap."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    source = models.CharField(_("source figure"), max_length=40, choices=Source.choices)
    method = models.CharField(
        _("normalisation"),
        max_length=20,
        choices=[(m.value, m.value) for m in Method],
    )
    weight = models.DecimalField(_("weight (points)"), max_digits=6, decimal_places=2)
    target = models.DecimalField(
        _("target"), max_digits=10, decimal_places=4, null=True, blank=True
    )
    per_unit = models.DecimalField(
        _("points per unit (bonus, deduction)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
    )
    cap = models.DecimalField(_("cap"), max_digits=6, decimal_places=2, null=True, blank=True)
    floor = models.DecimalField(_("floor"), max_digits=6, decimal_places=2, default=Decimal("0"))
    no_data = models.CharField(
        _("with no data"),
        max_length=10,
        choices=[(n.value, n.value) for n in NoData],
        default=NoData.ZERO,
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["scheme", "order"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="indicator_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} · {self.name}"

    def rule(self) -> Rule:
        """This indicator as a plain scoring rule."""
        return Rule(
            code=self.code,
            source=self.source,
            method=Method(self.method),
            weight=self.weight,
            target=self.target,
            per_unit=self.per_unit,
            cap=self.cap,
            floor=self.floor,
            no_data=NoData(self.no_data),
        )


class Assessment(models.Model):
    """A published assessment of a phase: a frozen snapshot. Publishing again adds a version."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assessments")
    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="assessments")
    version = models.PositiveIntegerField(_("version"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    result = models.JSONField(_("result"))  # the `assess --json` shape
    figures = models.JSONField(_("source figures"))  # per unit code: the figures scored

    class Meta:
        verbose_name = _("published assessment")
        verbose_name_plural = _("published assessments")
        ordering = ["-published_at"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "version"], name="assessment_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.phase} v{self.version}"


class ServiceKind(models.TextChoices):
    """便民服务 lines of business."""

    HOUSEHOLD = "household_registration", _("Household registration")
    EXIT_ENTRY = "exit_entry", _("Exit and entry")
    VEHICLE_DRIVER = "vehicle_driver", _("Vehicles and drivers")


class ServiceRecord(models.Model):
    """便民服务: per unit and period, items delegated and certificates handled."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="service_records"
    )
    kind = models.CharField(_("service"), max_length=30, choices=ServiceKind.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    items_delegated = models.PositiveIntegerField(_("items delegated"), default=0)
    certificates_handled = models.PositiveIntegerField(_("certificates handled"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("convenience-service record")
        verbose_name_plural = _("convenience-service records")
        ordering = ["-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind", "period_start", "period_end"], name="servicerecord_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_kind_display()} {self.period_start}–{self.period_end}"


class ServiceImportStatus(models.TextChoices):
    """Where a 便民服务 import stands."""

    CHECKED = "checked", _("Checked, waiting for confirmation")
    REFUSED = "refused", _("Refused")
    DONE = "done", _("Imported")


class ServiceImport(models.Model):
    """An uploaded 便民服务 sheet: checked on upload, written when its uploader confirms (the
    file is kept so that the confirmation checks it again)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    filename = models.CharField(_("file name"), max_length=200)
    content = models.BinaryField(_("file"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ServiceImportStatus.choices,
        default=ServiceImportStatus.CHECKED,
    )
    result = models.JSONField(_("result"), default=dict)  # ServiceImportResult.as_stored()

    class Meta:
        verbose_name = _("convenience-service import")
        verbose_name_plural = _("convenience-service imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.filename
