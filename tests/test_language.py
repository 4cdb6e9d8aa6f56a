"""Every page speaks Simplified Chinese, even to a browser that asks for English."""

from __future__ import annotations

from typing import Any

from django.urls import reverse


def test_a_browser_asking_for_english_gets_chinese(client: Any, db: Any) -> None:
    page = client.get(reverse("org:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert page.status_code == 200
    assert page["Content-Language"] == "zh-hans"
    assert "登录" in page.content.decode()
