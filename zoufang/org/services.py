"""Writes to units, officers and users, each with its audit record."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zoufang.core.actors import Actor
from zoufang.core.addresses import client_ip
from zoufang.core.audit import AuditAction, audit_record, snapshot

from .models import ApiToken, Officer, Role, Unit, UnitKind, User, UserSession

if TYPE_CHECKING:
    from django_otp.plugins.otp_totp.models import TOTPDevice

LOGIN_AT_KEY = "zoufang_login_at"

UNIT_FIELDS = ("code", "name", "short_name", "kind", "parent", "headcount", "is_active")
OFFICER_FIELDS = ("unit", "badge_no", "role", "title")


@transaction.atomic
def unit_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    kind: UnitKind | str,
    parent: Unit | None = None,
    short_name: str = "",
    headcount: int = 0,
    sort_order: int = 0,
) -> Unit:
    """Create a unit under `parent` and place it in the tree."""
    if Unit.objects.filter(code=code).exists():
        raise ValidationError({"code": _("Unit code %(code)s is taken") % {"code": code}})
    unit = Unit(
        code=code,
        name=name,
        short_name=short_name,
        kind=kind,
        parent=parent,
        headcount=headcount,
        sort_order=sort_order,
        depth=(parent.depth + 1) if parent else 0,
        path="",
    )
    unit.full_clean(exclude=["path"])
    unit.save(force_insert=True)
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    Unit.objects.filter(pk=unit.pk).update(path=unit.path)
    audit_record(
        action=AuditAction.CREATE, actor=actor, target=unit, after=snapshot(unit, UNIT_FIELDS)
    )
    return unit


@transaction.atomic
def officer_create(
    *,
    actor: Actor,
    username: str,
    full_name: str,
    unit: Unit,
    badge_no: str,
    role: Role | str = Role.OFFICER,
    password: str | None = None,
    password_hash: str | None = None,
    title: str = "",
    must_change_password: bool = True,
) -> Officer:
    """Create a login and its officer profile; `password_hash` lets bulk seeding hash once."""
    if Officer.objects.filter(badge_no=badge_no).exists():
        raise ValidationError({"badge_no": _("Badge number %(no)s is taken") % {"no": badge_no}})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("User name %(name)s is taken") % {"name": username}})
    user = User(
        username=username,
        full_name=full_name,
        password_changed_at=timezone.now(),
        must_change_password=must_change_password,
    )
    user.password = password_hash or make_password(password)
    user.save(force_insert=True)
    officer = Officer(user=user, unit=unit, badge_no=badge_no, role=role, title=title)
    officer.full_clean(exclude=["user"])
    officer.save(force_insert=True)
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        target=officer,
        after={"username": username, "full_name": full_name, **snapshot(officer, OFFICER_FIELDS)},
    )
    return officer


@transaction.atomic
def officer_update(*, actor: Actor, officer: Officer, **changes: Any) -> Officer:
    """Change an officer's unit, badge number, role or post."""
    before = snapshot(officer, OFFICER_FIELDS)
    for name, value in changes.items():
        if name not in OFFICER_FIELDS:
            raise ValueError(f"officer_update cannot change {name}")
        setattr(officer, name, value)
    officer.full_clean(exclude=["user"])
    officer.save()
    audit_record(
        action=AuditAction.UPDATE,
        actor=actor,
        target=officer,
        before=before,
        after=snapshot(officer, OFFICER_FIELDS),
    )
    return officer


def audit_login(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    """Receiver of user_logged_in: record the login, and the session for ending it later."""
    audit_record(action=AuditAction.LOGIN, actor=user, target=user)
    session = getattr(request, "session", None)
    if session is not None:
        session[LOGIN_AT_KEY] = timezone.now().timestamp()
        if session.session_key is None:
            session.save()
        UserSession.objects.update_or_create(
            session_key=session.session_key,
            defaults={"user": user, "ip": client_ip(request)},
        )


def audit_logout(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    """Receiver of user_logged_out: record the logout."""
    if user is not None:
        audit_record(action=AuditAction.LOGOUT, actor=user, target=user)


def audit_login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    """Receiver of user_login_failed: record the attempt with the user name tried."""
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        object_type="org.user",
        object_repr=username,
        note=_("Failed login for “%(name)s”") % {"name": username},
    )


def second_factor_failed(*, user: User) -> None:
    """Record a wrong or missing code of the second factor (the password was right)."""
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        actor=user,
        object_type="org.user",
        object_id=str(user.pk),
        object_repr=user.get_username(),
        note="second factor",
    )


def second_factor_device(user: User, code: str) -> TOTPDevice | None:
    """The user's confirmed authenticator if the code is a current one of it, else None
    (django-otp's throttling applies: each failure doubles the wait before the next try)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    code = code.strip()
    with transaction.atomic():
        devices = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
        for device in devices:
            if code and device.verify_token(code):
                return device
    return None


def second_factor_matches(user: User, code: str) -> bool:
    """The code is a current one of the user's confirmed authenticator; a failure is
    audited."""
    if second_factor_device(user, code) is not None:
        return True
    second_factor_failed(user=user)
    return False


SETUP_SALT = "zoufang.org.second-factor-setup"
SETUP_MAX_AGE = 30 * 60  # seconds a set-up page's key stays valid


def second_factor_setup_key(*, user: User) -> str:
    """A new authenticator key for the set-up page, signed for this user (nothing is stored
    until a code made with it is confirmed: a page view writes nothing)."""
    from django_otp.util import random_hex

    return signing.dumps({"user": user.pk, "key": random_hex(20)}, salt=SETUP_SALT)


def second_factor_pending(*, user: User, setup_key: str) -> TOTPDevice | None:
    """The (unsaved) authenticator of a signed set-up key, or None if the key is not this
    user's, was altered or is too old."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    try:
        data = signing.loads(setup_key, salt=SETUP_SALT, max_age=SETUP_MAX_AGE)
    except signing.BadSignature:
        return None
    if data.get("user") != user.pk:
        return None
    return TOTPDevice(user=user, name="authenticator", key=data["key"], confirmed=False)


@transaction.atomic
def second_factor_confirm(*, user: User, setup_key: str, code: str) -> TOTPDevice | None:
    """Save the authenticator of the set-up page once a current code made with it is given
    (earlier unconfirmed ones of the user go); None when the code or the key is wrong."""
    from django_otp.oath import TOTP

    device = second_factor_pending(user=user, setup_key=setup_key)
    code = code.strip()
    if device is None or not code.isdigit():
        return None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if not totp.verify(int(code), device.tolerance):
        return None
    type(device).objects.filter(user=user, confirmed=False).delete()
    device.confirmed, device.last_t = True, totp.t()
    device.save(force_insert=True)
    audit_record(
        action=AuditAction.UPDATE,
        actor=user,
        target=user,
        note="second factor set up",
    )
    return device


def api_tokens_revoke(*, user: User) -> int:
    """Revoke every API token of a user (password change, deactivation); returns how many."""
    return ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now())


def sessions_end(*, user: User, keep: str | None = None) -> int:
    """End every session of a user (but `keep`, the current one, if given); returns how many."""
    from django.contrib.sessions.models import Session

    keys = list(
        UserSession.objects.filter(user=user)
        .exclude(session_key=keep)
        .values_list("session_key", flat=True)
    )
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


@transaction.atomic
def password_changed(*, user: User, keep_session: str | None) -> None:
    """After a password change: note the date, lift the first-login flag, end the other
    sessions and revoke the API tokens (one may have been issued with the old password), and
    audit it."""
    User.objects.filter(pk=user.pk).update(
        password_changed_at=timezone.now(), must_change_password=False
    )
    ended = sessions_end(user=user, keep=keep_session)
    revoked = api_tokens_revoke(user=user)
    audit_record(
        action=AuditAction.UPDATE,
        actor=user,
        target=user,
        after={"password": "changed"},
        note=f"other sessions ended: {ended}; API tokens revoked: {revoked}",
    )


@transaction.atomic
def password_set_by_admin(*, actor: Actor, user: User) -> None:
    """After an administrator set a user's password (the admin site): the user must change it
    at the next login, every session and API token of the user ends, and it is audited."""
    User.objects.filter(pk=user.pk).update(
        password_changed_at=timezone.now(), must_change_password=True
    )
    ended = sessions_end(user=user)
    revoked = api_tokens_revoke(user=user)
    audit_record(
        action=AuditAction.UPDATE,
        actor=actor,
        target=user,
        after={"password": "set by an administrator", "must_change_password": True},
        note=f"sessions ended: {ended}; API tokens revoked: {revoked}",
    )


@transaction.atomic
def user_deactivate(*, actor: Actor, user: User, reason: str) -> None:
    """Deactivate an account: it can no longer log in, its sessions end, its API tokens are
    revoked."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why")]})
    User.objects.filter(pk=user.pk).update(is_active=False)
    ended = sessions_end(user=user)
    api_tokens_revoke(user=user)
    audit_record(
        action=AuditAction.UPDATE,
        actor=actor,
        target=user,
        before={"is_active": True},
        after={"is_active": False},
        note=f"{reason.strip()} (sessions ended: {ended})",
    )
