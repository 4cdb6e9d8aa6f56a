"""Stage notices (通报): drafted from a frozen assessment, edited, issued with a number."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zoufang.assessment.models import Assessment
from zoufang.campaigns.models import Campaign, Phase


class NoticeStatus(models.TextChoices):
    """A draft is edited; an issued notice is numbered and final."""

    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")


class Notice(models.Model):
    """A stage notice: its figures come from a published assessment and stay as they were."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="notices"
    )
    phase = models.ForeignKey(
        Phase, verbose_name=_("phase"), on_delete=models.PROTECT, related_name="notices"
    )
    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.PROTECT, related_name="notices"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT
    )
    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    doc_number = models.CharField(_("document number"), max_length=50, blank=True)
    data = models.JSONField(_("figures and findings"))
    narrative = models.JSONField(_("narrative"))
    document = models.FileField(_("document"), upload_to="notices/%Y/", blank=True)
    pdf = models.FileField(_("PDF"), upload_to="notices/%Y/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="notice_number_unique"),
        ]

    def __str__(self) -> str:
        return self.doc_number or self.title
