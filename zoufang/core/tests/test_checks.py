"""The deploy checks of the controls a deployment's environment could weaken."""

from __future__ import annotations

from typing import Any

from zoufang.core.checks import session_lifetimes


def ids(messages: list[Any]) -> list[str]:
    return [message.id for message in messages]


def test_the_configured_lifetimes_pass() -> None:
    assert session_lifetimes() == []


def test_a_longer_idle_time_is_a_deploy_warning(settings: Any) -> None:
    settings.SESSION_COOKIE_AGE = 31 * 60
    assert ids(session_lifetimes()) == ["zoufang.W003"]


def test_an_idle_time_not_renewed_is_a_deploy_warning(settings: Any) -> None:
    settings.SESSION_SAVE_EVERY_REQUEST = False
    assert ids(session_lifetimes()) == ["zoufang.W003"]


def test_a_longer_absolute_age_is_a_deploy_warning(settings: Any) -> None:
    settings.ZOUFANG_SESSION_ABSOLUTE_HOURS = 13
    assert ids(session_lifetimes()) == ["zoufang.W003"]
    settings.ZOUFANG_SESSION_ABSOLUTE_HOURS = 0
    assert ids(session_lifetimes()) == ["zoufang.W003"]
