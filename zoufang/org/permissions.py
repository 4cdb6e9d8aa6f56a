"""The role × action matrix, and the checks services, views and API handlers call.

Scope (which records) is `visible_to`; this module decides what a role may do at all.
A role without the right gets 403; a record outside the scope 404 (see docs/architecture.md).
`require(actor, Perm.X)` is the one way code checks authority: never compare role strings.
Actors (an account, a citizen, the system) are `core.actors.Actor`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, cast

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied

from zoufang.core.actors import Actor

from .models import Officer, Role, User


class Perm(StrEnum):
    """An action a role may be granted."""

    DASHBOARD_VIEW = "dashboard.view"
    UNIT_VIEW = "unit.view"
    VISIT_VIEW = "visit.view"
    VISIT_CREATE = "visit.create"
    VISIT_CHANGE_OWN = "visit.change_own"
    VISIT_CHANGE_ANY = "visit.change_any"
    VISIT_DELETE = "visit.delete"
    LEDGER_IMPORT = "ledger.import"
    LEDGER_EXPORT = "ledger.export"
    PERSONAL_REVEAL = "personal.reveal"
    # Visits of key persons (重点人员) and stability-risk persons (涉稳人员): who sees them
    # beyond their own (ledger.querysets; docs/security.md).
    SENSITIVE_VIEW = "visit.sensitive_view"
    CAMPAIGN_VIEW = "campaign.view"
    CAMPAIGN_MANAGE = "campaign.manage"
    AUDIT_VIEW = "audit.view"
    OPINION_VIEW = "opinion.view"
    OPINION_REGISTER = "opinion.register"
    OPINION_ASSIGN = "opinion.assign"
    OPINION_CARD = "opinion.card"
    SETTINGS_MANAGE = "settings.manage"
    PLAN_UPLOAD = "plan.upload"
    TASK_MANAGE = "task.manage"
    TASK_REPORT = "task.report"
    MEETING_RECORD = "meeting.record"
    INSPECTION_MANAGE = "inspection.manage"
    FINDING_RECORD = "finding.record"
    FINDING_RECTIFY = "finding.rectify"
    SERVICE_RECORD = "service.record"
    ASSESSMENT_PUBLISH = "assessment.publish"
    NOTICE_MANAGE = "notice.manage"
    NOTICE_DRAFTS = "notice.drafts"
    EXPORT_APPROVE = "export.approve"
    BULLETIN_WRITE = "bulletin.write"
    BULLETIN_REVIEW = "bulletin.review"


_READ = frozenset(
    {
        Perm.DASHBOARD_VIEW,
        Perm.UNIT_VIEW,
        Perm.VISIT_VIEW,
        Perm.CAMPAIGN_VIEW,
        Perm.OPINION_VIEW,
    }
)

ROLE_PERMS: dict[str, frozenset[Perm]] = {
    Role.CITY_ADMIN: frozenset(Perm),
    Role.LEADER: _READ | {Perm.AUDIT_VIEW, Perm.NOTICE_DRAFTS, Perm.SENSITIVE_VIEW},
    Role.INSPECTOR: _READ | {Perm.FINDING_RECORD},
    Role.UNIT_ADMIN: _READ
    | {
        Perm.VISIT_CREATE,
        Perm.VISIT_CHANGE_OWN,
        Perm.VISIT_CHANGE_ANY,
        Perm.VISIT_DELETE,
        Perm.LEDGER_IMPORT,
        Perm.LEDGER_EXPORT,
        Perm.PERSONAL_REVEAL,
        Perm.SENSITIVE_VIEW,
        Perm.OPINION_REGISTER,
        Perm.OPINION_CARD,
        Perm.PLAN_UPLOAD,
        Perm.TASK_REPORT,
        Perm.MEETING_RECORD,
        Perm.FINDING_RECTIFY,
        Perm.SERVICE_RECORD,
        Perm.BULLETIN_WRITE,
    },
    Role.OFFICER: _READ
    | {
        Perm.VISIT_CREATE,
        Perm.VISIT_CHANGE_OWN,
        Perm.LEDGER_IMPORT,
        Perm.OPINION_REGISTER,
        Perm.OPINION_CARD,
        Perm.TASK_REPORT,
        Perm.BULLETIN_WRITE,
    },
}


_UNSET = object()


def account_of(actor: Actor | None) -> User | None:
    """The actor's saved account, or None for the system, a citizen or an anonymous visitor."""
    if isinstance(actor, User) and actor.pk is not None:
        return actor
    return None


def require_account(actor: Actor | None) -> User:
    """The actor's saved account; PermissionDenied for the system, a citizen or an anonymous
    visitor (for records that must name a person, such as an import job)."""
    account = account_of(actor)
    if account is None:
        raise PermissionDenied
    return account


def officer_of(actor: Actor | None) -> Officer | None:
    """The actor's officer profile (cached on the user object), or None."""
    if not isinstance(actor, User) or not actor.is_authenticated:
        return None
    cached = getattr(actor, "_zoufang_officer", _UNSET)
    if cached is not _UNSET:
        return cast(Officer | None, cached)
    try:
        officer = Officer.objects.select_related("unit").get(user_id=actor.pk)
    except Officer.DoesNotExist:
        officer = None
    actor._zoufang_officer = officer  # type: ignore[attr-defined]
    return officer


def role_of(actor: Actor | None) -> Role | None:
    """The actor's role; superusers and the system count as the city office."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return None
    if actor.is_superuser:
        return Role.CITY_ADMIN
    officer = officer_of(actor)
    return Role(officer.role) if officer else None


def can(actor: Actor | None, perm: Perm) -> bool:
    """Whether the actor's role grants the action."""
    role = role_of(actor)
    return role is not None and perm in ROLE_PERMS.get(role, frozenset())


def require(actor: Actor | None, perm: Perm, message: str | None = None) -> None:
    """The one way to check authority: raise PermissionDenied (403) unless the actor's role
    grants the action. `message`, when given, says why (shown on the 403 page or as the API's
    `detail`)."""
    if not can(actor, perm):
        raise PermissionDenied(message) if message else PermissionDenied


class PermRequiredMixin(LoginRequiredMixin):
    """Class-based views: anonymous → login page, a role without `required_perm` → 403."""

    required_perm: Perm

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        require(request.user, self.required_perm)
        return super().dispatch(request, *args, **kwargs)
