"""Sessions (docs/security.md, "Sessions"): idle expiry at most 30 minutes, absolute expiry at
most 12 hours, a new session key at login, and logout, deactivation and a password change end
every session of the user (and a password change or deactivation its API tokens).
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from zoufang.api.services import token_issue
from zoufang.core.models import AuditAction, AuditLog
from zoufang.org.models import ApiToken, User, UserSession
from zoufang.org.services import user_deactivate

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PAGE = "/accounts/password/"  # a light page every role may open
NEW_PASSWORD = "Zoufang#2024-new"


def logged_in_client(username: str, password: str) -> Client:
    client = Client()
    response = client.post(LOGIN, {"username": username, "password": password})
    assert response.status_code == 302, response.content
    return client


def sends_to_login(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


def sessions_of(username: str) -> int:
    user = User.objects.get(username=username)
    return sum(
        1
        for session in Session.objects.filter(expire_date__gt=timezone.now())
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    )


def test_the_settings_bound_both_lifetimes() -> None:
    assert settings.SESSION_COOKIE_AGE <= 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST  # idle: every request renews the 30 minutes
    assert not settings.SESSION_EXPIRE_AT_BROWSER_CLOSE or settings.SESSION_COOKIE_AGE
    assert settings.ZOUFANG_SESSION_ABSOLUTE_HOURS <= 12


def test_a_session_idle_for_30_minutes_ends(city: Any) -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = logged_in_client("officer", city.password)
        for _ in range(3):  # active: each request renews it
            clock.shift(datetime.timedelta(minutes=29))
            assert client.get(PAGE).status_code == 200
        clock.shift(datetime.timedelta(minutes=31))
        assert sends_to_login(client.get(PAGE))


def test_an_active_session_ends_after_12_hours(city: Any) -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = logged_in_client("officer", city.password)
        for _ in range(28):  # 11 h 40 min, a request every 25 minutes
            clock.shift(datetime.timedelta(minutes=25))
            assert client.get(PAGE).status_code == 200
        clock.shift(datetime.timedelta(minutes=25))  # 12 h 05 min
        assert sends_to_login(client.get(PAGE))
        assert "_auth_user_id" not in client.session


def test_an_api_session_ends_after_12_hours_too(city: Any) -> None:
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = logged_in_client("officer", city.password)
        for _ in range(28):  # kept alive by the API alone (an htmx poller, a script)
            clock.shift(datetime.timedelta(minutes=25))
            assert client.get("/api/v1/units").status_code == 200
        clock.shift(datetime.timedelta(minutes=25))
        assert client.get("/api/v1/units").status_code == 401


def test_login_gives_a_new_session_key(city: Any) -> None:
    client = Client()
    session = client.session
    session["planted"] = "by someone else"
    session.save()
    before = session.session_key
    assert before is not None
    client.cookies[settings.SESSION_COOKIE_NAME] = before
    client.post(LOGIN, {"username": "officer", "password": city.password})
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after and after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.get(PAGE).status_code == 200


def test_logout_ends_every_session_of_the_user(city: Any) -> None:
    desk, phone = (logged_in_client("officer", city.password) for _ in range(2))
    colleague = logged_in_client("unitadmin", city.password)
    assert sessions_of("officer") == 2
    desk.post("/accounts/logout/")
    assert sends_to_login(desk.get(PAGE))
    assert sends_to_login(phone.get(PAGE))
    assert sessions_of("officer") == 0
    assert not UserSession.objects.filter(user__username="officer").exists()
    assert colleague.get(PAGE).status_code == 200  # other users keep theirs
    assert AuditLog.objects.filter(action=AuditAction.LOGOUT).count() == 1


def test_logout_is_post_only(city: Any) -> None:
    client = logged_in_client("officer", city.password)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get(PAGE).status_code == 200


def test_a_password_change_ends_the_other_sessions_and_tokens(city: Any) -> None:
    desk, phone = (logged_in_client("officer", city.password) for _ in range(2))
    token, _ = token_issue(user=city.user("officer"))
    api = {"Authorization": f"Bearer {token}"}
    assert desk.get("/api/v1/units", headers=api).status_code == 200
    changed = desk.post(
        PAGE,
        {
            "old_password": city.password,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 302
    # The other session is gone from the store, not merely refused when next used (Django
    # refuses a session whose password hash is stale, and deletes it then).
    assert sessions_of("officer") == 1
    assert desk.get(PAGE).status_code == 200  # the session that changed it goes on
    assert sends_to_login(phone.get(PAGE))
    assert Client().get("/api/v1/units", headers=api).status_code == 401


def test_deactivation_ends_every_session_and_token(city: Any) -> None:
    desk, phone = (logged_in_client("officer", city.password) for _ in range(2))
    token, _ = token_issue(user=city.user("officer"))
    user_deactivate(actor=city.user("city_admin"), user=city.user("officer"), reason="调离")
    assert sessions_of("officer") == 0
    assert sends_to_login(desk.get(PAGE)) and sends_to_login(phone.get(PAGE))
    refused = Client().get("/api/v1/units", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401
    # Revoked, not only refused while the account is inactive: reactivating it later must
    # not bring the token back.
    assert not ApiToken.objects.filter(user=city.user("officer"), revoked_at=None).exists()
    User.objects.filter(username="officer").update(is_active=True)
    again = Client().get("/api/v1/units", headers={"Authorization": f"Bearer {token}"})
    assert again.status_code == 401
    User.objects.filter(username="officer").update(is_active=False)
    record = AuditLog.objects.filter(action=AuditAction.UPDATE, object_type="org.user").last()
    assert record is not None and record.after == {"is_active": False} and "调离" in record.note
    again = Client().post(LOGIN, {"username": "officer", "password": city.password})
    assert again.status_code == 200  # refused: the form again
