"""Where a figure's definition and records are: the links every page puts on a figure."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.http import urlencode

from zoufang.org.models import Unit


def definition_url(code: str) -> str:
    """The figure's entry on the 指标说明 page."""
    return reverse("figures:definitions") + f"#{code}"


def records_url(
    code: str,
    *,
    since: datetime.date | None,
    until: datetime.date | None,
    unit: Unit | str | None = None,
) -> str:
    """The page listing the records behind a figure, for the same units and days."""
    query = {
        "unit": unit.code if isinstance(unit, Unit) else (unit or ""),
        "since": since.isoformat() if since else "",
        "until": until.isoformat() if until else "",
    }
    return (
        reverse("figures:records", args=[code])
        + "?"
        + urlencode({key: value for key, value in query.items() if value})
    )
