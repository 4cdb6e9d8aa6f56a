"""Authentication endpoints: issue and revoke tokens."""

from __future__ import annotations

import datetime

from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.throttling import AnonRateThrottle

from zoufang.core.errors import ApplicationError

from .auth import BearerAuth
from .schemas import ERRORS
from .services import token_issue, token_revoke

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"
    expires_at: datetime.datetime


class Unauthenticated(ApplicationError):
    status_code = 401


@router.post(
    "/token",
    auth=None,
    response={200: TokenOut, **ERRORS},
    throttle=[AnonRateThrottle("10/m")],
    summary="Issue a token",
)
def issue_token(request: HttpRequest, payload: TokenIn) -> dict:
    """Exchange a user name and password for a bearer token."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        raise Unauthenticated(_("Wrong user name or password"))
    token, record = token_issue(user=user, name="api")
    return {"token": token, "expires_at": record.expires_at}


@router.delete(
    "/token", auth=BearerAuth(), response={204: None, **ERRORS}, summary="Revoke this token"
)
def revoke_token(request: HttpRequest) -> Status[None]:
    """Revoke the token this request was made with."""
    token_revoke(user=request.auth, token_id=request.auth.api_token_id)  # type: ignore[attr-defined]
    return Status(204, None)
