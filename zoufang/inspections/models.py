"""Supervision inspections (督导检查), their findings (问题) and deductions (扣分)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zoufang.campaigns.models import Campaign, Phase, PlanVersion
from zoufang.org.models import Officer, Unit

from .querysets import FindingQuerySet, InspectionQuerySet


class InspectionKind(models.TextChoices):
    """Announced or not."""

    PLANNED = "planned", _("Planned inspection")
    UNANNOUNCED = "unannounced", _("Unannounced (明察暗访)")


class Inspection(models.Model):
    """An inspection of some units by inspectors during a campaign."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="inspections"
    )
    phase = models.ForeignKey(
        Phase,
        verbose_name=_("phase"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=InspectionKind.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    inspectors = models.ManyToManyField(
        Officer, verbose_name=_("inspectors"), related_name="inspections"
    )
    units = models.ManyToManyField(
        Unit, verbose_name=_("units inspected"), related_name="inspections"
    )
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return self.title


class FindingKind(models.TextChoices):
    """The failures the bureau looks for (the four 不 and two more)."""

    NO_VISIT = "no_visit", _("No visits (不走访)")
    NO_REVIEW = "no_review", _("No public review (不评议)")
    NO_FEEDBACK = "no_feedback", _("No feedback (不反馈)")
    NO_RECTIFICATION = "no_rectification", _("No rectification (不整改)")
    LEDGER_IRREGULAR = "ledger_irregular", _("Irregular ledger (台账不规范)")
    PLAN_COPIED = "plan_copied", _("Plan copied (方案照搬照抄)")
    OTHER = "other", _("Other")


class FindingStatus(models.TextChoices):
    """Where the rectification stands."""

    OPEN = "open", _("To be rectified")
    RECTIFIED = "rectified", _("Rectified, to be verified")
    VERIFIED = "verified", _("Verified")


class Finding(models.Model):
    """A problem found in a unit, with its deduction and rectification deadline."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="findings"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=FindingKind.choices)
    description = models.TextField(_("description"))
    deduction = models.DecimalField(
        _("deduction (points)"), max_digits=5, decimal_places=2, default=0
    )
    rectify_by = models.DateField(_("rectify by"))
    status = models.CharField(
        _("status"), max_length=20, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    rectification = models.TextField(_("rectification"), blank=True)
    rectified_at = models.DateTimeField(_("rectified at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    plan_version = models.ForeignKey(
        PlanVersion,
        verbose_name=_("plan version"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
    )
    found_on = models.DateField(_("found on"), default=timezone.localdate)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["-found_on", "-id"]
        indexes = [models.Index(fields=["unit", "found_on"], name="finding_unit_date_idx")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_kind_display()}"
