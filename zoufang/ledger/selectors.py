"""Reads of the ledger shared by pages, exports, the API and the dashboards."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet, Sum

from zoufang.core.actors import Actor
from zoufang.core.models import AuditLog
from zoufang.org.models import Officer, Unit
from zoufang.org.scope import user_scope

from .models import TargetType, Visit, VisitDaily, VisitDailyCity, VisitTarget
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


# --- for the figure registry (zoufang.figures) ------------------------------------------------

#: The counters a visit carries and the roll-ups sum (`rollups.MEASURES` less the count).
COUNTERS = (
    "opinions_collected",
    "disputes_mediated",
    "hazards_found",
    "households_helped",
)


def _own_sensitive(
    *, user: Actor, since: datetime.date | None, until: datetime.date | None, unit: Unit | None
) -> QuerySet[Visit] | None:
    """The sensitive visits a user not cleared for them still sees (his own: recorded or
    made by him), which the roll-ups he reads leave out; None for cleared users."""
    if sees_sensitive(user):
        return None
    visits = Visit.objects.visible_to(user).filter(target_type__in=TargetType.sensitive())
    visits = visits.between(since, until)
    if unit is not None:
        visits = visits.of_units(Unit.objects.subtree(unit))
    return visits


def visible_visit_rows(
    *,
    user: Actor,
    since: datetime.date | None,
    until: datetime.date | None,
    unit: Unit | None = None,
) -> list[dict[str, Any]]:
    """Per target type and channel, the visits the user may see between two days in his scope
    (or the unit's subtree) — count, return visits, the counters and the donations in cents —
    so that every count equals the visit list's: the roll-ups, and for a user not cleared for
    the sensitive types his own visits of those types (a bounded read of his visits: the
    roll-ups cannot tell whose visits they sum)."""
    group = ("target_type", "channel")
    rows = visit_totals(user=user, since=since, until=until, group_by=group, unit=unit)
    own = _own_sensitive(user=user, since=since, until=until, unit=unit)
    if own is None:
        return rows
    by_key = {(row["target_type"], row["channel"]): row for row in rows}
    extra = (
        own.order_by()
        .values(*group)
        .annotate(
            visits=Count("id"),
            return_visits=Count("id", filter=Q(is_return_visit=True)),
            donation=Sum("donation_amount"),
            **{name: Sum(name) for name in COUNTERS},
        )
    )
    for row in extra:
        key = (row["target_type"], row["channel"])
        target = by_key.setdefault(
            key,
            {
                "target_type": key[0],
                "channel": key[1],
                **dict.fromkeys(("visits", "return_visits", *COUNTERS, "donation_cents"), 0),
            },
        )
        for name in ("visits", "return_visits", *COUNTERS):
            target[name] += row[name] or 0
        target["donation_cents"] += int((row["donation"] or 0) * 100)
    return sorted(by_key.values(), key=lambda row: (row["target_type"], row["channel"]))


def _targets(
    *,
    user: Actor,
    since: datetime.date | None,
    until: datetime.date | None,
    target_types: tuple[str, ...],
    unit: Unit | None,
) -> QuerySet[VisitTarget]:
    rows = VisitTarget.objects.visible_to(user).between(since, until)
    rows = rows.filter(target_type__in=target_types)
    if unit is not None:
        rows = rows.filter(unit__in=Unit.objects.subtree(unit).values("pk"))
    return rows


def distinct_targets(
    *,
    user: Actor,
    since: datetime.date | None,
    until: datetime.date | None,
    target_types: tuple[str, ...],
    unit: Unit | None = None,
) -> int | None:
    """How many distinct targets of these types (`rollups.target_key`) were visited between
    two days in the user's scope (or the unit's subtree), from the distinct-target roll-up;
    None when a type is sensitive and the user is not cleared for it."""
    if hidden_target_types(user=user).intersection(target_types):
        return None
    rows = _targets(user=user, since=since, until=until, target_types=target_types, unit=unit)
    return rows.values("target").distinct().count()


def distinct_target_list(
    *,
    user: Actor,
    since: datetime.date | None,
    until: datetime.date | None,
    target_types: tuple[str, ...],
    unit: Unit | None = None,
) -> QuerySet[Any]:
    """The distinct targets `distinct_targets` counts, one row each (target, visits, first
    and last day), by target; empty for a user not cleared."""
    if hidden_target_types(user=user).intersection(target_types):
        return VisitTarget.objects.none().values("target")
    rows = _targets(user=user, since=since, until=until, target_types=target_types, unit=unit)
    return (
        rows.values("target")
        .annotate(visits=Sum("visits"), first=Min("day"), last=Max("day"))
        .order_by("target")
    )


def target_details(
    *, user: Actor, targets: list[str], target_types: tuple[str, ...]
) -> dict[str, dict[str, Any]]:
    """For targets of a page of `distinct_target_list`: the name, masked ID number and unit
    of the latest visit the user may see to each (keyed by target)."""
    by_hash = {t[3:]: t for t in targets if t.startswith("id:")}
    by_name: dict[tuple[int, str], str] = {}
    for target in targets:
        if not target.startswith("id:") and ":" in target:
            unit_part, name = target.split(":", 1)
            by_name[(int(unit_part), name)] = target
    condition = Q(id_number_hash__in=list(by_hash)) if by_hash else Q(pk__in=[])
    for unit_pk, name in by_name:
        condition |= Q(unit_id=unit_pk, target_name=name)
    visits = (
        Visit.objects.visible_to(user)
        .filter(condition, target_type__in=target_types)
        .select_related("unit")
        .order_by("visit_date", "id")
    )
    details: dict[str, dict[str, Any]] = {}
    for visit in visits:
        key = by_hash.get(visit.id_number_hash) or by_name.get(
            (visit.unit_id, visit.target_name.strip(" "))
        )
        if key is not None:
            details[key] = {
                "name": visit.target_name,
                "id_number": visit.id_number_masked,
                "unit": visit.unit,
            }
    return details


def visits_behind(
    *,
    user: Actor,
    since: datetime.date | None,
    until: datetime.date | None,
    target_types: tuple[str, ...],
    unit: Unit | None = None,
    return_visits: bool = False,
    counter: str = "",
) -> QuerySet[Visit]:
    """The visits the user may see that a visit figure counts: of these target types between
    two days in the scope (or the unit's subtree), only return visits or only visits with
    the counter above 0 if asked; newest first."""
    visits = visit_list(
        user=user,
        filters=VisitFilters(
            since=since, until=until, unit=unit, is_return_visit=True if return_visits else None
        ),
    ).filter(target_type__in=target_types)
    if counter == "donation_amount":
        visits = visits.filter(donation_amount__gt=0)
    elif counter:
        visits = visits.filter(**{f"{counter}__gt": 0})
    return visits
