"""Idempotency-Key handling for every POST of the API.

The first response to (user, key) is stored and replayed for repeats, which write nothing;
the same key with another body is 422; a repeat while the first is still running is 409.
The token endpoint is exempt: its answer holds a secret that must not be stored. So is the
reveal of a personal number: its answer holds the number in full, and each repeat is a new
reveal with its own audit record (docs/security.md).
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from zoufang.org.models import User

from .auth import bearer_user
from .models import IdempotencyRecord

API_PREFIX = "/api/v1/"
EXEMPT = ("/api/v1/auth/token",)
NEVER_STORED = re.compile(r"^/api/v1/visits/\d+/reveal/?$")
HEADER = "Idempotency-Key"
STALE_AFTER = datetime.timedelta(minutes=5)


def _error(status: int, detail: str) -> JsonResponse:
    return JsonResponse(
        {"detail": detail, "errors": [{"field": HEADER, "message": detail}]}, status=status
    )


class IdempotencyMiddleware:
    """Replay the first response to a POST carrying the same Idempotency-Key."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER, "").strip()
        if (
            request.method != "POST"
            or not key
            or not request.path.startswith(API_PREFIX)
            or request.path.rstrip("/") in EXEMPT
            or NEVER_STORED.match(request.path)
        ):
            return self.get_response(request)
        user = bearer_user(request) or (request.user if request.user.is_authenticated else None)
        if user is None:
            return self.get_response(request)  # the API answers 401
        if len(key) > 200:
            return _error(422, _("The Idempotency-Key is longer than 200 characters"))
        fingerprint = hashlib.sha256(request.path.encode() + b"\n" + request.body).hexdigest()
        record, replay = self._claim(user, key, fingerprint)
        if replay is not None:
            return replay
        assert record is not None
        with transaction.atomic():
            response = self.get_response(request)
            if response.status_code >= 500:
                transaction.set_rollback(True)
            else:
                IdempotencyRecord.objects.filter(pk=record.pk).update(
                    status_code=response.status_code,
                    content=bytes(response.content),
                    content_type=response.get("Content-Type", "application/json"),
                )
        if response.status_code >= 500:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return response

    def _claim(
        self, user: User, key: str, fingerprint: str
    ) -> tuple[IdempotencyRecord | None, HttpResponse | None]:
        """Insert the in-flight record, or answer from the one already there."""
        cutoff = timezone.now() - datetime.timedelta(hours=settings.ZOUFANG_IDEMPOTENCY_TTL_HOURS)
        IdempotencyRecord.objects.filter(user=user, key=key, created_at__lt=cutoff).delete()
        IdempotencyRecord.objects.filter(
            user=user, key=key, status_code=None, created_at__lt=timezone.now() - STALE_AFTER
        ).delete()
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    user=user, key=key, fingerprint=fingerprint
                ), None
        except IntegrityError:
            pass
        existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if existing is None:
            return None, _error(409, _("A request with this Idempotency-Key is in progress"))
        if existing.fingerprint != fingerprint:
            return None, _error(
                422, _("This Idempotency-Key was used with a different request body")
            )
        if existing.status_code is None:
            return None, _error(409, _("A request with this Idempotency-Key is in progress"))
        response = HttpResponse(
            bytes(existing.content), status=existing.status_code, content_type=existing.content_type
        )
        response["Idempotent-Replayed"] = "true"
        return None, response
