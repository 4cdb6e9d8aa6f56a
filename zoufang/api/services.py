"""Issuing, using and revoking API tokens."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zoufang.core.audit import AuditAction, audit_record
from zoufang.org.models import ApiToken, User

TOKEN_PREFIX = "zf_"


def token_digest(token: str) -> str:
    """SHA-256 of a token (tokens are random, so no salt or key is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def token_issue(*, user: User, name: str = "") -> tuple[str, ApiToken]:
    """A new token for the user; the clear token is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=token_digest(token),
        prefix=token[:10],
        expires_at=timezone.now() + datetime.timedelta(hours=settings.ZOUFANG_API_TOKEN_TTL_HOURS),
    )
    audit_record(action=AuditAction.TOKEN, actor=user, target=record, note="issued")
    return token, record


def token_user(token: str) -> User | None:
    """The active user a usable token belongs to, or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    record = ApiToken.objects.select_related("user").filter(key_hash=token_digest(token)).first()
    if record is None or not record.is_usable or not record.user.is_active:
        return None
    now = timezone.now()
    if record.last_used_at is None or now - record.last_used_at > datetime.timedelta(minutes=5):
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
    record.user.api_token_id = record.pk  # type: ignore[attr-defined]  # which token authenticated
    return record.user


@transaction.atomic
def token_revoke(*, user: User, token_id: int) -> None:
    """Revoke one of the user's tokens."""
    updated = ApiToken.objects.filter(pk=token_id, user=user, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    if updated:
        audit_record(
            action=AuditAction.TOKEN,
            actor=user,
            object_type=ApiToken._meta.label_lower,
            object_id=str(token_id),
            note="revoked",
        )
