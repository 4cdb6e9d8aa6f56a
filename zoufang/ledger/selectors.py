"""Reads of the ledger shared by pages, exports, the API and the dashboards."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet, Sum

from zoufang.core.actors import Actor
from zoufang.core.models import AuditLog
from zoufang.org.models import Officer, Unit
from zoufang.org.scope import user_scope

from .models import TargetType, Visit, VisitDaily, VisitDailyCity
from .querysets import sees_sensitive


@dataclass(frozen=True)
class VisitFilters:
    """The ledger list's filters; every field is optional."""

    since: datetime.date | None = None
    until: datetime.date | None = None
    unit: Unit | None = None
    target_type: str = ""
    channel: str = ""
    officer: Officer | None = None
    is_return_visit: bool | None = None
    target_name: str = ""


def visit_list(*, user: Actor, filters: VisitFilters | None = None) -> QuerySet[Visit]:
    """Visits the user may see, filtered, newest first, with unit and officers loaded."""
    filters = filters or VisitFilters()
    visits = Visit.objects.visible_to(user).between(filters.since, filters.until)
    if filters.unit is not None:
        visits = visits.of_units(Unit.objects.subtree(filters.unit))
    if filters.target_type:
        visits = visits.filter(target_type=filters.target_type)
    if filters.channel:
        visits = visits.filter(channel=filters.channel)
    if filters.officer is not None:
        visits = visits.filter(officers=filters.officer)
    if filters.is_return_visit is not None:
        visits = visits.filter(is_return_visit=filters.is_return_visit)
    if filters.target_name:
        visits = visits.name_contains(filters.target_name)
    return (
        visits.select_related("unit")
        .prefetch_related(
            Prefetch(
                "officers", queryset=Officer.objects.select_related("user").order_by("badge_no")
            )
        )
        .order_by("-visit_date", "-id")
    )


def visit_get(*, user: Actor, pk: int) -> Visit:
    """One visit the user may see (Visit.DoesNotExist otherwise, which views answer with 404)."""
    return visit_list(user=user).get(pk=pk)


def visit_in_scope(*, user: Actor, pk: int) -> Visit | None:
    """A visit the user may see, or None (for other apps linking to a visit)."""
    return Visit.objects.visible_to(user).filter(pk=pk).first()


def visit_history(*, visit: Visit) -> QuerySet[AuditLog]:
    """The audit records of a visit, oldest first."""
    return AuditLog.objects.filter(object_type="ledger.visit", object_id=str(visit.pk)).order_by(
        "at", "id"
    )


def hidden_target_types(*, user: Actor) -> frozenset[str]:
    """The target types whose visits the user's counts leave out (none for cleared users), so
    a page can drop those figures rather than show a misleading zero."""
    return frozenset() if sees_sensitive(user) else TargetType.sensitive()


def _rollups(
    *, user: Actor, since: datetime.date | None, until: datetime.date | None, unit: Unit | None
) -> QuerySet[Any]:
    """The roll-ups behind the user's figures: the city-wide ones when the user sees the whole
    city and asks for all of it, else the unit roll-ups of the user's scope (or of `unit`'s
    subtree within it). Both leave out sensitive target types for the uncleared."""
    if unit is None and user_scope(user).everything:
        return VisitDailyCity.objects.visible_to(user).between(since, until)
    rollups = VisitDaily.objects.visible_to(user).between(since, until)
    if unit is not None:
        rollups = rollups.filter(unit__in=Unit.objects.subtree(unit).values("pk"))
    return rollups


def visit_totals(
    *,
    user: Actor,
    since: datetime.date | None,
    until: datetime.date | None,
    group_by: tuple[str, ...] = (),
    unit: Unit | None = None,
) -> list[dict[str, Any]]:
    """Sums of the daily roll-ups in the user's scope, grouped by the named columns (without
    the sensitive target types unless the user is cleared: `VisitDaily.visible_to`)."""
    rollups = _rollups(user=user, since=since, until=until, unit=unit)
    sums = {
        "visits": Sum("visits"),
        "return_visits": Sum("return_visits"),
        "opinions_collected": Sum("opinions_collected"),
        "disputes_mediated": Sum("disputes_mediated"),
        "hazards_found": Sum("hazards_found"),
        "households_helped": Sum("households_helped"),
        "donation_cents": Sum("donation_cents"),
    }
    if group_by:
        rows = rollups.values(*group_by).annotate(**sums).order_by(*group_by)
        return [{key: value or 0 for key, value in row.items()} for row in rows]
    total = rollups.aggregate(**sums)
    return [{key: value or 0 for key, value in total.items()}]


def rollups_by_unit(*, since: datetime.date, until: datetime.date) -> dict[int, dict[str, int]]:
    """City-wide, per unit: visits, return visits, online visits, visits by target type and the
    counters, summed from the roll-ups between two days (for assessment; no user scope)."""
    from .models import Channel

    rows = (
        VisitDaily.objects.between(since, until)
        .values("unit_id", "target_type", "channel")
        .annotate(
            visits=Sum("visits"),
            return_visits=Sum("return_visits"),
            opinions_collected=Sum("opinions_collected"),
            disputes_mediated=Sum("disputes_mediated"),
            hazards_found=Sum("hazards_found"),
            households_helped=Sum("households_helped"),
            donation_cents=Sum("donation_cents"),
        )
        .order_by()
    )
    online = Channel.online()
    result: dict[int, dict[str, int]] = {}
    for row in rows:
        unit = result.setdefault(row["unit_id"], {})
        for key in (
            "visits",
            "return_visits",
            "opinions_collected",
            "disputes_mediated",
            "hazards_found",
            "households_helped",
            "donation_cents",
        ):
            unit[key] = unit.get(key, 0) + (row[key] or 0)
        unit[f"type:{row['target_type']}"] = (
            unit.get(f"type:{row['target_type']}", 0) + row["visits"]
        )
        if row["channel"] in online:
            unit["online_visits"] = unit.get("online_visits", 0) + row["visits"]
    return result


def visit_trend(
    *, user: Actor, since: datetime.date, until: datetime.date, unit: Unit | None = None
) -> list[dict[str, Any]]:
    """Visits per week (weeks starting Monday) from the roll-ups, with the online share."""
    from .models import Channel

    rollups = _rollups(user=user, since=since, until=until, unit=unit)
    rows = rollups.values("day", "channel").annotate(visits=Sum("visits")).order_by()
    online = Channel.online()
    weeks: dict[datetime.date, dict[str, Any]] = {}
    monday = since - datetime.timedelta(days=since.weekday())
    while monday <= until:
        weeks[monday] = {"week": monday.isoformat(), "visits": 0, "online": 0}
        monday += datetime.timedelta(days=7)
    for row in rows:
        start = row["day"] - datetime.timedelta(days=row["day"].weekday())
        bucket = weeks.setdefault(start, {"week": start.isoformat(), "visits": 0, "online": 0})
        bucket["visits"] += row["visits"] or 0
        if row["channel"] in online:
            bucket["online"] += row["visits"] or 0
    return [weeks[key] for key in sorted(weeks)]
