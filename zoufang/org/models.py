"""Users, the unit tree, officers and their roles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .querysets import OfficerQuerySet, UnitQuerySet


class User(AbstractUser):
    """A login; officers carry their unit and role on `Officer`."""

    full_name = models.CharField(_("name"), max_length=50, blank=True)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    must_change_password = models.BooleanField(_("must change the password"), default=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username


class UnitKind(models.TextChoices):
    """The five kinds of unit; rankings compare units of one kind."""

    CITY_OFFICE = "city_office", _("City bureau office")
    COUNTY_BUREAU = "county_bureau", _("County bureau")
    POLICE_BRANCH = "police_branch", _("Police branch")
    AGENCY_DEPT = "agency_dept", _("Agency department")
    STATION = "station", _("Police station")


class Unit(models.Model):
    """A unit of the bureau; `path` holds the ids from the root for subtree queries."""

    code = models.CharField(_("unit code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(_("tree path"), max_length=255, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    headcount = models.PositiveIntegerField(_("headcount"), default=0)
    sort_order = models.IntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The short name where there is one."""
        return self.short_name or self.name


class Role(models.TextChoices):
    """What an account may do; see org.permissions for the role × action matrix."""

    CITY_ADMIN = "city_admin", _("City visitation office")
    LEADER = "leader", _("Bureau leader")
    INSPECTOR = "inspector", _("Inspector")
    UNIT_ADMIN = "unit_admin", _("Unit visitation lead")
    OFFICER = "officer", _("Officer")


class Officer(models.Model):
    """A user's place in the bureau: unit, badge number (警号) and role."""

    user = models.OneToOneField(
        User, verbose_name=_("user"), on_delete=models.PROTECT, related_name="officer"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="officers"
    )
    badge_no = models.CharField(_("badge number"), max_length=20, unique=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.OFFICER)
    title = models.CharField(_("post"), max_length=50, blank=True)

    objects = OfficerQuerySet.as_manager()

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        ordering = ["unit__path", "badge_no"]

    def __str__(self) -> str:
        return f"{self.user} ({self.badge_no})"

    @property
    def name(self) -> str:
        """The officer's name."""
        return str(self.user)


class UserSession(models.Model):
    """A session a user logged in with, so logout, deactivation and a password change can end
    every session of that user."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("login session")
        verbose_name_plural = _("login sessions")

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A bearer token of a user for the API; only its SHA-256 is stored. Revocable and
    expiring. Issued and checked by the API adapter (`api.services`), revoked by org's
    services when a password changes or an account is deactivated."""

    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    prefix = models.CharField(_("token prefix"), max_length=12)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        db_table = "api_apitoken"  # made by the api app, moved here with its rows kept
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_usable(self) -> bool:
        """Not revoked and not expired."""
        return self.revoked_at is None and self.expires_at > timezone.now()
