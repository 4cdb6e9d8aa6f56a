"""Authentication endpoints: issue and revoke tokens."""

from __future__ import annotations

import datetime

from django.contrib.auth import authenticate
from django.core.cache import BaseCache
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.throttling import AnonRateThrottle

from zoufang.core.addresses import client_ip
from zoufang.core.errors import ApplicationError
from zoufang.core.ratelimit import store
from zoufang.org.middleware import needs_second_factor, password_expired
from zoufang.org.services import second_factor_matches

from .auth import BearerAuth
from .schemas import ERRORS
from .services import token_issue, token_revoke

router = Router(tags=["auth"])


class AddressThrottle(AnonRateThrottle):
    """django-ninja's throttle of anonymous callers, keyed on `core.addresses.client_ip` (its
    own key is X-Forwarded-For as any client writes it, so a client changing the header was
    never throttled) and counted in the cache every worker shares (`core.ratelimit.store`)."""

    @property
    def cache(self) -> BaseCache:  # type: ignore[override]
        return store()

    def get_ident(self, request: HttpRequest) -> str | None:
        return client_ip(request)


class TokenIn(Schema):
    username: str
    password: str
    otp: str = Field(
        "",
        description="The six-digit code of the authenticator app, for users who use the "
        "second factor (set it up on the web first).",
    )


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"
    expires_at: datetime.datetime


class Unauthenticated(ApplicationError):
    status_code = 401


class PasswordFirst(ApplicationError):
    status_code = 403


@router.post(
    "/token",
    auth=None,
    response={200: TokenOut, **ERRORS},
    throttle=[AddressThrottle("10/m")],
    summary="Issue a token",
)
def issue_token(request: HttpRequest, payload: TokenIn) -> dict:
    """Exchange a user name and password (and the second factor's code, for the users who
    use it) for a bearer token. The account policy of the pages holds: no token while the
    password must be changed."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        raise Unauthenticated(_("Wrong user name or password"))
    if needs_second_factor(user) and not second_factor_matches(user, payload.otp):
        raise Unauthenticated(
            _("Give the code of your authenticator app (otp); set it up on the web first")
        )
    if user.must_change_password or password_expired(user):
        raise PasswordFirst(_("Change your password on the web first"))
    token, record = token_issue(user=user, name="api")
    return {"token": token, "expires_at": record.expires_at}


@router.delete(
    "/token", auth=BearerAuth(), response={204: None, **ERRORS}, summary="Revoke this token"
)
def revoke_token(request: HttpRequest) -> Status[None]:
    """Revoke the token this request was made with."""
    token_revoke(user=request.auth, token_id=request.auth.api_token_id)  # type: ignore[attr-defined]
    return Status(204, None)
