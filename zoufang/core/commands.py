"""Helpers shared by the management commands."""

from __future__ import annotations

import datetime

from django.core.management.base import CommandError


def date_option(value: str | None) -> datetime.date | None:
    """A command's day option (YYYY-MM-DD); None when not given, a CommandError when wrong."""
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value}") from error
