"""Logins, logouts and failed logins leave audit records."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from zoufang.core.models import AuditAction, AuditLog

pytestmark = pytest.mark.django_db


def test_login_logout_and_failure_are_audited(client: Any, city: Any) -> None:
    login_url = reverse("org:login")
    failed = client.post(login_url, {"username": "officer", "password": "wrong"})
    assert failed.status_code == 200
    assert "请输入一个正确的" in failed.content.decode()  # Django's own Chinese message
    client.post(login_url, {"username": "officer", "password": city.password})
    client.post(reverse("org:logout"))
    user = city.user("officer")
    actions = list(AuditLog.objects.order_by("id").values_list("action", "actor", "object_repr"))
    assert actions[-3:] == [
        (AuditAction.LOGIN_FAILED, None, "officer"),
        (AuditAction.LOGIN, user.pk, str(user)),
        (AuditAction.LOGOUT, user.pk, str(user)),
    ]
    record = AuditLog.objects.get(action=AuditAction.LOGIN)
    assert record.ip == "127.0.0.1" and record.channel == "web"
