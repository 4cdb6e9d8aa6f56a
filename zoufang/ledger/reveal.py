"""Showing one visit's phone or ID number in full: the only place a clear value is shown.

A user whose role has `Perm.PERSONAL_REVEAL` gives a reason; the clear value is returned
once (pages and the API send it with `Cache-Control: no-store`, the API never stores it for
Idempotency-Key replays) and an audit record of action `reveal` keeps who, when, from where,
which visit, which field (masked) and the reason. Reveals are rate-limited per user.
See docs/security.md.
"""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zoufang.core.actors import Actor
from zoufang.core.audit import AuditAction, audit_record
from zoufang.core.errors import ApplicationError
from zoufang.core.personal import decrypt
from zoufang.core.ratelimit import rate_limited
from zoufang.core.text import squash_spaces
from zoufang.org.permissions import Perm, can

from .models import Visit

REVEAL_FIELDS = ("phone", "id_number")
REASON_MIN_LENGTH = 5
REASON_MAX_LENGTH = 200
# Reveals per user and window; deployments may set ZOUFANG_REVEAL_LIMIT and
# ZOUFANG_REVEAL_WINDOW_SECONDS.
DEFAULT_LIMIT = 20
DEFAULT_WINDOW_SECONDS = 3600


class RevealRateLimited(ApplicationError):
    """The user showed too many numbers in full within the window."""

    status_code = 429


def reveal_field_clean(field: str) -> str:
    """The field to reveal, `phone` or `id_number` (ValidationError otherwise)."""
    if field not in REVEAL_FIELDS:
        raise ValidationError({"field": [_("Choose the phone number or the ID number")]})
    return field


def reveal_reason_clean(reason: str) -> str:
    """The reason as recorded: single spaces, at least REASON_MIN_LENGTH characters."""
    text = squash_spaces(reason or "")
    # Control characters and lone surrogates cannot go into the audit trail (PostgreSQL
    # refuses NUL in text): refused here, never a server error.
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in text):
        raise ValidationError(
            {"reason": [_("The reason contains characters that cannot be recorded")]}
        )
    if len(text) < REASON_MIN_LENGTH:
        raise ValidationError(
            {
                "reason": [
                    _("Say why you need the number in full (at least %(n)s characters)")
                    % {"n": REASON_MIN_LENGTH}
                ]
            }
        )
    if len(text) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": [_("The reason is longer than %(n)s characters") % {"n": REASON_MAX_LENGTH}]}
        )
    return text


def _limits() -> tuple[int, int]:
    return (
        int(getattr(settings, "ZOUFANG_REVEAL_LIMIT", DEFAULT_LIMIT)),
        int(getattr(settings, "ZOUFANG_REVEAL_WINDOW_SECONDS", DEFAULT_WINDOW_SECONDS)),
    )


@transaction.atomic
def visit_reveal(*, actor: Actor, visit_id: int, field: str, reason: str) -> str:
    """Return one visit's phone or ID number in full and write the audit record of it.

    PermissionDenied for a role without `personal.reveal`; Visit.DoesNotExist for a visit
    outside the actor's scope (or a sensitive one the actor is not cleared for);
    ValidationError for a bad field, a missing reason or no stored number;
    RevealRateLimited past the limit.
    """
    if not can(actor, Perm.PERSONAL_REVEAL):
        raise PermissionDenied(_("Your role may not show personal data in full"))
    visit = Visit.objects.visible_to(actor).get(pk=visit_id)
    errors: dict[str, list[str]] = {}
    for check, value in ((reveal_field_clean, field), (reveal_reason_clean, reason)):
        try:
            check(value)
        except ValidationError as error:
            errors.update(error.message_dict)
    if not errors and not getattr(visit, f"{field}_cipher"):
        errors["field"] = [_("No such number is stored for this visit")]
    if errors:
        raise ValidationError(errors)
    limit, window = _limits()
    if rate_limited(f"reveal:{actor.pk}", limit=limit, window_seconds=window):
        raise RevealRateLimited(_("You have shown too many numbers in full; try again later"))
    value = decrypt(getattr(visit, f"{field}_cipher"), purpose=field)
    audit_record(
        action=AuditAction.REVEAL,
        actor=actor,
        target=visit,
        after={"field": field, "masked": getattr(visit, f"{field}_masked")},
        note=reveal_reason_clean(reason),
    )
    return value
