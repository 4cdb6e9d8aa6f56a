"""The audit trail: one append-only row per create, change, delete, transition, export, login.

`AuditLog` rows are append-only: database triggers (migration 0005, see `core.auditchain`)
refuse UPDATE and DELETE, and the model refuses them too. Each row carries `row_hash`, the
SHA-256 of its canonical content, from the moment it is written; sealing links rows into a
chain (`chain_seq`, `chain_hash`). `AuditPurge` records each purge of rows past the retention.
The new technical columns have untranslated labels: they are not shown on any page.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAppendOnlyError(Exception):
    """An attempt to change or delete an audit row: the trail is append-only."""


class AuditAction(models.TextChoices):
    """What kind of event an audit row records."""

    CREATE = "create", _("Create")
    UPDATE = "update", _("Change")
    DELETE = "delete", _("Delete")
    TRANSITION = "transition", _("State transition")
    IMPORT = "import", _("Import")
    EXPORT = "export", _("Export")
    LOGIN = "login", _("Login")
    LOGOUT = "logout", _("Logout")
    LOGIN_FAILED = "login_failed", _("Failed login")
    REVEAL = "reveal", _("Personal data revealed")
    TOKEN = "token", _("API token")


class AuditLogQuerySet(models.QuerySet["AuditLog"]):
    """Audit rows; bulk updates and deletes are refused (the purge command uses its own SQL)."""

    def update(self, **kwargs: Any) -> NoReturn:
        """Refuse: audit rows are never changed."""
        raise AuditAppendOnlyError("audit rows are append-only: update refused")

    def delete(self) -> NoReturn:
        """Refuse: audit rows are only removed by `zoufang purge_audit`."""
        raise AuditAppendOnlyError("audit rows are append-only: delete refused")


class AuditLog(models.Model):
    """Who did what, when, from where, to which record, with the values before and after."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=10, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # SHA-256 of the canonical content (core.auditchain.row_digest), set when the row is written.
    row_hash = models.CharField("row hash", max_length=64, editable=False)
    # Set once by sealing: the row's place in the chain and sha256 over the previous link.
    chain_seq = models.BigIntegerField(
        "chain position", null=True, blank=True, unique=True, editable=False
    )
    chain_hash = models.CharField(
        "chain hash", max_length=64, null=True, blank=True, editable=False
    )

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor", "at"], name="audit_actor_idx"),
            # The rows sealing has still to link (few at any time), found without a scan.
            models.Index(
                fields=["id"], condition=models.Q(chain_seq__isnull=True), name="audit_unsealed_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(row_hash=""), name="audit_row_hash_set"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, **kwargs: Any) -> None:
        """Insert the row (with its hash); an audit row is never saved twice."""
        if not self._state.adding:
            raise AuditAppendOnlyError("audit rows are append-only: update refused")
        if not self.row_hash:
            from .auditchain import row_digest  # auditchain imports this module

            self.row_hash = row_digest(self)
        kwargs["force_insert"] = True
        super().save(**kwargs)

    def delete(self, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        """Refuse: audit rows are only removed by `zoufang purge_audit`."""
        raise AuditAppendOnlyError("audit rows are append-only: delete refused")


class AuditPurge(models.Model):
    """One purge of audit rows past the retention: the authorisation the delete trigger
    checks while the purge runs, and afterwards the anchor verification starts from."""

    at = models.DateTimeField("time", default=timezone.now)
    actor_name = models.CharField("actor name", max_length=150, blank=True)
    cutoff = models.DateTimeField("rows older than")
    through_seq = models.BigIntegerField("last chain position removed")
    anchor_hash = models.CharField("chain hash of that position", max_length=64)
    deleted = models.PositiveIntegerField("rows removed")

    class Meta:
        verbose_name = "audit purge"
        verbose_name_plural = "audit purges"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} purge through {self.through_seq}"

    def save(self, **kwargs: Any) -> None:
        """Insert the record; a purge record is never changed."""
        if not self._state.adding:
            raise AuditAppendOnlyError("audit purge records are append-only: update refused")
        kwargs["force_insert"] = True
        super().save(**kwargs)

    def delete(self, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        """Refuse: purge records are the anchors of the audit chain."""
        raise AuditAppendOnlyError("audit purge records are append-only: delete refused")


class WorkdayOverride(models.Model):
    """The city office's own calendar entries: a day off, or a working day, that overrides
    the State Council's holiday schedule (or extends it past the years the package knows)."""

    day = models.DateField(_("day"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.note}"


class SharedCacheEntry(models.Model):
    """A row of the cache every worker and app server shares (Django's database cache, alias
    `shared` in settings.CACHES): rate limits live here, so a limit holds for the deployment
    and not per process (docs/security.md)."""

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "zoufang_shared_cache"
        verbose_name = _("shared cache entry")
        verbose_name_plural = _("shared cache entries")

    def __str__(self) -> str:
        return self.cache_key
