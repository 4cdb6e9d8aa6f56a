"""The visit ledger (走访台账) and its daily roll-ups."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zoufang.org.models import Officer, Unit

from .querysets import VisitDailyCityQuerySet, VisitDailyQuerySet, VisitQuerySet


class TargetType(models.TextChoices):
    """Who was visited (走访对象类型); the ledger template uses the Chinese labels."""

    RESIDENT = "resident", _("Residents")
    ENTERPRISE = "enterprise", _("Enterprises and institutions")
    VENUE = "venue", _("Venues")
    KEY_PERSON = "key_person", _("Key persons")
    STABILITY_RISK = "stability_risk", _("Stability-risk persons")
    HARDSHIP_HOUSEHOLD = "hardship_household", _("Hardship households")
    VULNERABLE = "vulnerable", _("Vulnerable groups")
    NPC_DEPUTY = "npc_deputy", _("NPC deputies")
    CPPCC_MEMBER = "cppcc_member", _("CPPCC members")
    OVERSIGHT_MONITOR = "oversight_monitor", _("Law-enforcement monitors")
    JOURNALIST = "journalist", _("Journalists")
    OTHER = "other", _("Other")

    @classmethod
    def sensitive(cls) -> frozenset[str]:
        """Key persons and stability-risk persons: visits of these only cleared users see
        (Perm.SENSITIVE_VIEW) besides the officers on them (ledger.querysets)."""
        return frozenset({cls.KEY_PERSON.value, cls.STABILITY_RISK.value})


class Channel(models.TextChoices):
    """How the visit was made (走访方式); everything but in person counts as 键对键."""

    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", pgettext_lazy("channel", "Phone")
    WEIBO = "weibo", _("Weibo")
    WECHAT = "wechat", _("WeChat")
    ONLINE_OTHER = "online_other", _("Other online")

    @classmethod
    def online(cls) -> frozenset[str]:
        """The channels that count as 键对键 (online)."""
        return frozenset(cls.values) - {cls.IN_PERSON.value}


class VisitSource(models.TextChoices):
    """Where a ledger row came from."""

    ENTRY = "entry", _("Quick entry")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    SEED = "seed", _("Demo data")


class Visit(models.Model):
    """One row of the ledger: a visit by officers of a unit to a person or organisation.

    Phone and ID numbers are kept as ciphertext, keyed hash and masked form (core.personal);
    the clear value is never stored.
    """

    visit_date = models.DateField(_("visit date"))
    # No index of its own: visit_unit_date_filters_idx (unit, visit_date, ...) serves it.
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="visits",
        db_index=False,
    )
    officers: models.ManyToManyField[Officer, VisitOfficer] = models.ManyToManyField(
        Officer, verbose_name=_("officers"), related_name="visits", through="VisitOfficer"
    )
    target_type = models.CharField(_("target type"), max_length=20, choices=TargetType.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    is_return_visit = models.BooleanField(_("return visit"), default=False)
    target_name = models.CharField(_("target name"), max_length=100)
    phone_cipher = models.TextField(_("phone (encrypted)"), blank=True, editable=False)
    phone_hash = models.CharField(_("phone (keyed hash)"), max_length=64, blank=True)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True)
    id_number_cipher = models.TextField(_("ID number (encrypted)"), blank=True, editable=False)
    id_number_hash = models.CharField(_("ID number (keyed hash)"), max_length=64, blank=True)
    id_number_masked = models.CharField(_("ID number"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    opinions_collected = models.PositiveIntegerField(_("opinions collected"), default=0)
    disputes_mediated = models.PositiveIntegerField(_("disputes mediated"), default=0)
    hazards_found = models.PositiveIntegerField(_("hazards found"), default=0)
    households_helped = models.PositiveIntegerField(_("households helped"), default=0)
    donation_amount = models.DecimalField(
        _("donations (yuan)"), max_digits=12, decimal_places=2, default=0
    )
    summary = models.TextField(_("what was seen and discussed"), max_length=1000, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    dedup_key = models.CharField(_("duplicate key"), max_length=40, editable=False)
    source = models.CharField(
        _("source"), max_length=10, choices=VisitSource.choices, default=VisitSource.ENTRY
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = VisitQuerySet.as_manager()

    # Sealed personal values (core.personal): column prefix → purpose. Key rotation
    # (`rotate_field_key`) and retention (`anonymise_visits`) find them here.
    sealed_fields: ClassVar[dict[str, str]] = {"phone": "phone", "id_number": "id_number"}

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visit_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["dedup_key"], name="visit_dedup_key_unique"),
        ]
        # What each index serves and how it was measured: docs/ledger-indexes.md. On
        # PostgreSQL migration 0005 adds a GIN index for the target-name filter.
        indexes = [
            # A unit's visits by date, with the list's filters on them: a unit's filtered
            # count is read from the index alone.
            models.Index(
                fields=["unit", "visit_date", "target_type", "channel", "is_return_visit"],
                name="visit_unit_date_filters_idx",
            ),
            models.Index(fields=["visit_date", "id"], name="visit_date_id_idx"),
            models.Index(fields=["target_type", "visit_date"], name="visit_type_date_idx"),
            models.Index(fields=["channel", "visit_date"], name="visit_channel_date_idx"),
            models.Index(
                fields=["visit_date"],
                condition=models.Q(is_return_visit=True),
                name="visit_return_date_idx",
            ),
            models.Index(fields=["phone_hash"], name="visit_phone_hash_idx"),
            models.Index(fields=["id_number_hash"], name="visit_id_hash_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.visit_date or ''} {self.target_name}".strip()

    @property
    def is_online(self) -> bool:
        """Whether the visit counts as 键对键."""
        return self.channel in Channel.online()


class VisitOfficer(models.Model):
    """An officer on a visit (the many-to-many between visits and officers)."""

    # No single-column indexes: the unique (visit, officer) and the (officer, visit) index
    # serve both foreign keys.
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="+", db_index=False)
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["visit", "officer"], name="visit_officer_unique"),
        ]
        indexes = [models.Index(fields=["officer", "visit"], name="visit_officer_officer_idx")]

    def __str__(self) -> str:
        return f"{self.visit_id}/{self.officer_id}"


class RollupMeasures(models.Model):
    """The counts and sums a roll-up keeps of the visits it covers (`rollups.MEASURES`)."""

    day = models.DateField()
    target_type = models.CharField(max_length=20, choices=TargetType.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    visits = models.IntegerField(default=0)
    return_visits = models.IntegerField(default=0)
    opinions_collected = models.IntegerField(default=0)
    disputes_mediated = models.IntegerField(default=0)
    hazards_found = models.IntegerField(default=0)
    households_helped = models.IntegerField(default=0)
    donation_cents = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class VisitDaily(RollupMeasures):
    """Per unit, day, target type and channel: counts and sums, kept with every ledger write.

    Dashboards and assessment read these, never a scan of the visits.
    """

    # Indexed by the unique key, which begins with it: its own index would only slow writes.
    # No database constraint either: a roll-up row is summed from visits, whose own unit key
    # is checked in the same transaction, so the check would only repeat theirs (one per
    # roll-up row, at commit: 0.45 s of a 100,000-row import on PostgreSQL).
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )

    objects = VisitDailyQuerySet.as_manager()

    class Meta:
        verbose_name = _("daily visit roll-up")
        verbose_name_plural = _("daily visit roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "day", "target_type", "channel"], name="visitdaily_key_unique"
            ),
        ]
        indexes = [models.Index(fields=["day", "unit"], name="visitdaily_day_unit_idx")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day} {self.target_type}/{self.channel}: {self.visits}"


class VisitDailyCity(RollupMeasures):
    """City-wide per day, target type and channel: VisitDaily summed over the units, kept in
    the same transaction by the same writes (`rollups.rollup_apply`).

    The city office's dashboards read these: at millions of visits a phase is a few thousand
    rows here against hundreds of thousands of unit roll-ups. Only users who see the whole
    city may read them (`visible_to`); everyone else reads their units' VisitDaily.
    """

    objects = VisitDailyCityQuerySet.as_manager()

    class Meta:
        verbose_name = _("city-wide daily visit roll-up")
        verbose_name_plural = _("city-wide daily visit roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "target_type", "channel"], name="visitdailycity_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.target_type}/{self.channel}: {self.visits}"


#: The target types whose distinct targets are kept per unit and day (`VisitTarget`): the
#: places (企事业单位, 场所) and the key persons (重点人员, 涉稳人员). A figure that counts
#: distinct targets of another type adds its type here (and rebuilds: `rollup_rebuild`).
DISTINCT_TARGET_TYPES = (
    TargetType.ENTERPRISE.value,
    TargetType.VENUE.value,
    TargetType.KEY_PERSON.value,
    TargetType.STABILITY_RISK.value,
)


class VisitTarget(models.Model):
    """Per unit, day and target type, each distinct target visited and how many times: the
    roll-up behind the figures that count places and persons once however often they were
    visited (`rollups.target_key` says what one target is). Kept with every ledger write, in
    the same transaction, like `VisitDaily`."""

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    day = models.DateField()
    target_type = models.CharField(max_length=20, choices=TargetType.choices)
    # "<unit id>:<name>", or "id:<keyed hash of the ID number>" for a person who has one
    target = models.CharField(max_length=120)
    visits = models.IntegerField(default=0)

    objects = VisitDailyQuerySet.as_manager()

    class Meta:
        verbose_name = _("daily distinct target")
        verbose_name_plural = _("daily distinct targets")
        constraints = [
            # Its index serves the figures: a type's days, then units, then the targets
            # (read from the index alone on PostgreSQL).
            models.UniqueConstraint(
                fields=["target_type", "day", "unit", "target"], name="visittarget_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day} {self.target_type} {self.target}: {self.visits}"


class ImportStatus(models.TextChoices):
    """Where an import job stands."""

    CHECKING = "checking", _("Checking")
    CHECKED = "checked", _("Checked")
    WRITING = "writing", _("Writing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Refused")


class ImportJob(models.Model):
    """An uploaded ledger file going through check, preview and confirmation."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    filename = models.CharField(_("file"), max_length=200)
    upload = models.FileField(_("upload"), upload_to="imports/%Y/%m/")
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.CHECKING
    )
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    skip_invalid = models.BooleanField(default=False)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ledger import")
        verbose_name_plural = _("ledger imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"

    @property
    def percent(self) -> int:
        """How far the current step is."""
        if not self.rows_total:
            return 0
        return min(100, round(100 * self.rows_done / self.rows_total))


class ExportStatus(models.TextChoices):
    """A large export waits for the city office's approval."""

    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ExportRequest(models.Model):
    """An export over the configured number of rows, which the city office must approve."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    filters = models.JSONField(_("filters"))
    rows = models.PositiveIntegerField(_("rows"))
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("export request")
        verbose_name_plural = _("export requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.requested_by_id} {self.rows} ({self.status})"
