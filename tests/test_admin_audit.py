"""The admin site is no way around the audit trail or the account rules (docs/security.md,
"Audit"): every add, change and delete there is audited with before → after; unticking
"active" ends the user's sessions and tokens; a password an administrator sets must be
changed at the next login and ends the user's sessions and tokens."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from zoufang.api.services import token_issue
from zoufang.core.models import AuditAction, AuditLog
from zoufang.opinions.models import Category
from zoufang.org.models import ApiToken, User

pytestmark = pytest.mark.django_db

ROOT_PASSWORD = "Root#2022-secret"


@pytest.fixture
def root(city: Any) -> Client:
    """A superuser, logged in through the login page."""
    user = User.objects.create_superuser("root", password=ROOT_PASSWORD)
    User.objects.filter(pk=user.pk).update(
        must_change_password=False, password_changed_at=timezone.now()
    )
    client = Client()
    client.post("/accounts/login/", {"username": "root", "password": ROOT_PASSWORD})
    return client


def user_form(user: Any, **changes: Any) -> dict[str, Any]:
    """The admin's change form of a user as it stands, with `changes` (None: left out)."""
    joined = timezone.localtime(user.date_joined)
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "date_joined_0": f"{joined:%Y-%m-%d}",
        "date_joined_1": f"{joined:%H:%M:%S.%f}",
        "initial-date_joined_0": f"{joined:%Y-%m-%d}",
        "initial-date_joined_1": f"{joined:%H:%M:%S.%f}",
    }
    if user.last_login:
        last = timezone.localtime(user.last_login)
        data.update({"last_login_0": f"{last:%Y-%m-%d}", "last_login_1": f"{last:%H:%M:%S.%f}"})
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def records(object_type: str, object_id: Any) -> list[AuditLog]:
    return list(
        AuditLog.objects.filter(object_type=object_type, object_id=str(object_id)).order_by("id")
    )


def test_a_role_change_is_audited(root: Client, city: Any) -> None:
    officer = city.officer
    url = f"/admin/org/officer/{officer.pk}/change/"
    data = {
        "user": officer.user_id,
        "unit": officer.unit_id,
        "badge_no": officer.badge_no,
        "role": "unit_admin",
        "title": "",
    }
    assert root.post(url, data).status_code == 302
    record = records("org.officer", officer.pk)[-1]
    assert record.action == AuditAction.UPDATE and record.actor is not None
    assert record.before == {"role": "officer"} and record.after == {"role": "unit_admin"}
    assert record.actor.username == "root" and record.ip == "127.0.0.1"


def test_group_and_permission_changes_are_audited(root: Client, city: Any) -> None:
    group = Group.objects.create(name="审计员")
    user = city.user("officer")
    url = f"/admin/org/user/{user.pk}/change/"
    user.refresh_from_db()
    assert root.post(url, user_form(user, groups=[group.pk])).status_code == 302
    updates = [r for r in records("org.user", user.pk) if r.action == AuditAction.UPDATE]
    assert len(updates) == 1  # the groups only: fields sent back unchanged are no change
    changed = updates[0]
    assert changed.before == {"groups": []} and changed.after == {"groups": [group.pk]}


def test_the_city_offices_admin_pages_are_audited(city: Any) -> None:
    client = Client()
    client.force_login(city.user("city_admin"))
    data = {
        "code": "zf-admin-test",
        "name": "交通管理",
        "keywords": "红绿灯",
        "accept_days": 1,
        "reply_days": 5,
        "urgent_reply_days": 1,
        "sort_order": 0,
        "is_active": "on",
    }
    assert client.post("/admin/opinions/category/add/", data).status_code == 302
    category = Category.objects.get(code="zf-admin-test")
    client.post(f"/admin/opinions/category/{category.pk}/change/", {**data, "reply_days": 3})
    client.post(f"/admin/opinions/category/{category.pk}/delete/", {"post": "yes"})
    assert not Category.objects.filter(pk=category.pk).exists()
    trail = records("opinions.category", category.pk)
    assert [r.action for r in trail] == [AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE]
    assert trail[0].after is not None and trail[0].after["name"] == "交通管理"
    assert (trail[1].before, trail[1].after) == ({"reply_days": 5}, {"reply_days": 3})
    assert trail[2].before is not None and trail[2].before["code"] == "zf-admin-test"
    assert {r.actor_id for r in trail} == {city.user("city_admin").pk}


def test_a_user_added_in_the_admin_is_audited_without_the_password(root: Client) -> None:
    answer = root.post(
        "/admin/org/user/add/",
        {
            "username": "newcomer",
            "usable_password": "true",
            "password1": "Admin#Set-2022",
            "password2": "Admin#Set-2022",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:3000]
    user = User.objects.get(username="newcomer")
    created = records("org.user", user.pk)[0]
    assert created.action == AuditAction.CREATE and created.after is not None
    assert created.after["username"] == "newcomer"
    assert "password" not in created.after
    for record in AuditLog.objects.all():
        text = f"{record.before} {record.after} {record.note}"
        assert user.password not in text and "Admin#Set-2022" not in text
    fresh = Client()  # the administrator's password is changed at the first login
    fresh.post("/accounts/login/", {"username": "newcomer", "password": "Admin#Set-2022"})
    assert fresh.get("/accounts/password/").status_code == 200
    assert fresh.get("/")["Location"] == "/accounts/password/"


def test_a_password_set_by_an_administrator_must_be_changed(root: Client, city: Any) -> None:
    user = city.user("officer")
    desk = Client()
    desk.post("/accounts/login/", {"username": "officer", "password": city.password})
    token, _ = token_issue(user=user)
    answer = root.post(
        f"/admin/org/user/{user.pk}/password/",
        {"password1": "Admin#Set-2022", "password2": "Admin#Set-2022"},
    )
    assert answer.status_code == 302
    assert desk.get("/accounts/password/")["Location"].startswith("/accounts/login/")
    refused = Client().get("/api/v1/units", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401
    fresh = Client()
    fresh.post("/accounts/login/", {"username": "officer", "password": "Admin#Set-2022"})
    assert fresh.get("/")["Location"] == "/accounts/password/"
    record = [r for r in records("org.user", user.pk) if r.action == AuditAction.UPDATE][-1]
    assert record.actor is not None and record.actor.username == "root"
    assert record.after == {"password": "set by an administrator", "must_change_password": True}


def test_the_admin_site_refuses_an_own_password_kept_as_it_is(root: Client) -> None:
    """Issue 19 item 7, the admin site's password form: setting one's own current password
    again is refused like on the change page."""
    user = User.objects.get(username="root")
    answer = root.post(
        f"/admin/org/user/{user.pk}/password/",
        {"password1": ROOT_PASSWORD, "password2": ROOT_PASSWORD},
    )
    assert answer.status_code == 200
    assert "新密码不能与当前密码相同" in answer.content.decode()
    assert not [r for r in records("org.user", user.pk) if r.action == AuditAction.UPDATE]


def test_deactivation_in_the_admin_ends_every_session_and_token(root: Client, city: Any) -> None:
    user = city.user("officer")
    desk = Client()
    desk.post("/accounts/login/", {"username": "officer", "password": city.password})
    token, _ = token_issue(user=user)
    user.refresh_from_db()
    saved = root.post(f"/admin/org/user/{user.pk}/change/", user_form(user, is_active=None))
    assert saved.status_code == 302
    assert not User.objects.get(pk=user.pk).is_active
    assert desk.get("/accounts/password/")["Location"].startswith("/accounts/login/")
    refused = Client().get("/api/v1/units", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401
    assert not ApiToken.objects.filter(user=user, revoked_at=None).exists()
    from django.contrib.sessions.models import Session

    assert not [
        s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    deactivation = records("org.user", user.pk)[-1]
    assert (deactivation.before, deactivation.after) == ({"is_active": True}, {"is_active": False})
    assert deactivation.actor is not None and deactivation.actor.username == "root"


@pytest.mark.parametrize("role", ["leader", "inspector", "unit_admin", "officer"])
def test_only_the_city_office_and_staff_enter_the_admin_site(city: Any, role: str) -> None:
    client = Client()
    client.force_login(city.user(role))
    refused = client.get("/admin/")
    assert refused.status_code == 302 and refused["Location"].startswith("/admin/login/")
    assert client.get("/admin/opinions/category/").status_code == 302


def test_the_city_office_may_not_manage_users_in_the_admin_site(city: Any) -> None:
    """Accounts and roles are for staff granted Django's own permissions (or superusers)."""
    client = Client()
    client.force_login(city.user("city_admin"))
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/opinions/category/").status_code == 200
    for page in ("/admin/org/user/", "/admin/org/officer/", "/admin/core/auditlog/"):
        assert client.get(page).status_code == 403, page
