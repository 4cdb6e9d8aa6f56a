"""Bulletins (活动快报 / 工作简报 / 动态信息) units submit to the campaign column, their pictures
and attachments, and the daily view counts behind "hot this week / this month"."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zoufang.org.models import Unit

from .querysets import BulletinQuerySet


class BulletinKind(models.TextChoices):
    """What sort of piece a bulletin is."""

    ACTIVITY_REPORT = "activity_report", _("Activity report")  # 活动快报
    WORK_BRIEF = "work_brief", _("Work brief")  # 工作简报
    NEWS = "news", _("News")  # 动态信息


class BulletinStatus(models.TextChoices):
    """Where a bulletin stands; only adopted bulletins are published in the column."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ADOPTED = "adopted", _("Adopted")  # 采用
    RETURNED = "returned", pgettext_lazy("bulletin status", "Returned")


class BulletinAction(models.TextChoices):
    """The transitions of a bulletin (docs in workflow.py)."""

    SUBMIT = "submit", _("Submit")
    ADOPT = "adopt", _("Adopt")
    RETURN = "return", pgettext_lazy("bulletin action", "Return")


def _upload_name(folder: str, filename: str) -> str:
    """A stored name that never uses the uploader's file name (kept in the row instead)."""
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()[:10]
    today = timezone.localdate()
    return f"bulletins/{folder}/{today:%Y/%m}/{uuid.uuid4().hex}{suffix}"


def image_upload_to(instance: Any, filename: str) -> str:
    """Where a bulletin's picture is stored."""
    return _upload_name("images", filename)


def attachment_upload_to(instance: Any, filename: str) -> str:
    """Where a bulletin's attachment is stored."""
    return _upload_name("files", filename)


class Bulletin(models.Model):
    """A unit's bulletin for the campaign column; adopted (采用) by the city office it is
    published. `search_text` and `search_title` hold the character-bigram tokens search uses
    (see search.py); the services keep them current."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="bulletins",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="bulletins"
    )
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=BulletinKind.choices,
        default=BulletinKind.ACTIVITY_REPORT,
    )
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=20, choices=BulletinStatus.choices, default=BulletinStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    review_comment = models.CharField(_("review comment"), max_length=500, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    views = models.PositiveIntegerField(_("views"), default=0)
    search_title = models.TextField(editable=False, blank=True)
    search_text = models.TextField(editable=False, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = BulletinQuerySet.as_manager()

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["-published_at", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "published_at"], name="bulletin_status_pub_idx"),
            models.Index(fields=["unit", "status"], name="bulletin_unit_status_idx"),
            models.Index(fields=["campaign", "submitted_at"], name="bulletin_submitted_idx"),
            models.Index(fields=["campaign", "reviewed_at"], name="bulletin_reviewed_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def paragraphs(self) -> list[str]:
        """The body's paragraphs (non-empty lines), for display."""
        return [line.strip() for line in self.body.splitlines() if line.strip()]

    @property
    def excerpt(self) -> str:
        """The first 80 characters of the body."""
        text = " ".join(self.paragraphs)
        return text if len(text) <= 80 else text[:80] + "…"

    @property
    def is_published(self) -> bool:
        """Adopted bulletins are published in the column."""
        return self.status == BulletinStatus.ADOPTED


class BulletinImage(models.Model):
    """A picture of a bulletin, checked by its content (PNG, JPEG, GIF or WebP)."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="images")
    image = models.FileField(_("picture"), upload_to=image_upload_to, max_length=200)
    caption = models.CharField(_("caption"), max_length=100, blank=True)
    content_type = models.CharField(max_length=20, editable=False)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("bulletin picture")
        verbose_name_plural = _("bulletin pictures")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.caption or self.image.name


class BulletinAttachment(models.Model):
    """A file attached to a bulletin; its type is checked by content (see files.py)."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100, editable=False)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)

    class Meta:
        verbose_name = _("bulletin attachment")
        verbose_name_plural = _("bulletin attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class BulletinView(models.Model):
    """How often a published bulletin was read on one day (at most once per session)."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="daily_views")
    day = models.DateField(_("day"), default=timezone.localdate)
    count = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        verbose_name = _("bulletin views per day")
        verbose_name_plural = _("bulletin views per day")
        constraints = [
            models.UniqueConstraint(fields=["bulletin", "day"], name="bulletinview_once_per_day"),
        ]
        indexes = [models.Index(fields=["day", "bulletin"], name="bulletinview_day_idx")]

    def __str__(self) -> str:
        return f"{self.bulletin_id} {self.day} {self.count}"
