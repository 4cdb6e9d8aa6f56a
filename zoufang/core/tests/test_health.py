"""The health check: anonymous, JSON, never cached, and no database work at all."""

from __future__ import annotations

from typing import Any

from django.urls import reverse


def test_health_is_at_healthz() -> None:
    assert reverse("core:health") == "/healthz"


def test_health_answers_json_without_login_or_database(client: Any) -> None:
    # No `db` fixture: any query (session, user, audit) would fail the test.
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


def test_health_head_is_allowed_and_post_is_not(client: Any) -> None:
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
