"""A campaign (活动) and its phases (阶段)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .querysets import PhaseQuerySet


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
