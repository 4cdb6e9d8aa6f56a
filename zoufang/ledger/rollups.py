"""Daily roll-ups of the ledger, kept in the same transaction as each write.

Two grains: per unit (VisitDaily: unit, day, target type, channel), which scoped pages and
assessment read, and city-wide (VisitDailyCity: day, target type, channel, the same sums over
every unit), which the city office's dashboards read — at millions of visits a phase is a few
thousand city-wide rows against hundreds of thousands of unit rows.

A ledger write turns into deltas per unit key; `rollup_apply` adds them, and their sums per
city-wide key, with upserts (INSERT … ON CONFLICT DO UPDATE, on SQLite and PostgreSQL alike),
so concurrent writers never lose a count. Keys are applied in sorted order so two writers
never wait on each other's rows crosswise; a city-wide row is shared by every unit's writes
of that day, type and channel, so it is held only until the writing transaction commits.
`rollup_rebuild` recomputes both from the visits (after a bulk load, or to check them).

A third roll-up, `VisitTarget`, keeps the distinct targets of some target types
(`DISTINCT_TARGET_TYPES`) per unit and day, with the number of visits to each: the figures
that count places and persons once (`places_visited`, `key_persons`) count its distinct
`target` values in a period instead of reading the visits. The same writes keep it: a visit
adds one to its target's row, a change or deletion takes one off, and a row at 0 is removed.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, Protocol

from django.db import connection

from zoufang.core.bulk import id_runs

from .models import (
    DISTINCT_TARGET_TYPES,
    TargetType,
    Visit,
    VisitDaily,
    VisitDailyCity,
    VisitTarget,
)

RollupKey = tuple[int, datetime.date, str, str]
TargetKey = tuple[str, datetime.date, int, str]  # target type, day, unit, target
UNIT_KEY = ("unit_id", "day", "target_type", "channel")
CITY_KEY = ("day", "target_type", "channel")
MEASURES = (
    "visits",
    "return_visits",
    "opinions_collected",
    "disputes_mediated",
    "hazards_found",
    "households_helped",
    "donation_cents",
)


# The measures of a group of visits, in MEASURES order, as SQL over the visits table.
_VISIT_SUMS = (
    "COUNT(*), SUM(CASE WHEN is_return_visit THEN 1 ELSE 0 END), SUM(opinions_collected), "
    "SUM(disputes_mediated), SUM(hazards_found), SUM(households_helped), "
    "CAST(ROUND(SUM(donation_amount) * 100) AS BIGINT)"
)

# The measures of a group of roll-up rows, summed.
_ROLLUP_SUMS = ", ".join(f"SUM({name})" for name in MEASURES)


def _added_on_conflict(table: str, keys: Sequence[str]) -> str:
    """The upsert clause that adds the new measures to a roll-up row that exists."""
    updates = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in MEASURES)
    return f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"


#: Target types that are places: one place is a name within a unit, ID number or not.
PLACE_TYPES = frozenset({TargetType.ENTERPRISE.value, TargetType.VENUE.value})


def target_key(*, unit_id: int, target_type: str, target_name: str, id_number_hash: str) -> str:
    """What one target is, for the distinct counts: a person with an ID number is that
    number's keyed hash, whichever unit visited; a place, or a person without one, is the
    name within the unit (spaces around it dropped)."""
    if id_number_hash and target_type not in PLACE_TYPES:
        return f"id:{id_number_hash}"
    return f"{unit_id}:{target_name.strip(' ')}"


def _target_key_sql() -> str:
    """`target_key` as SQL over the visits table's columns."""
    places = ", ".join(f"'{code}'" for code in sorted(PLACE_TYPES))
    return (
        f"CASE WHEN target_type NOT IN ({places}) AND id_number_hash <> '' "
        "THEN 'id:' || id_number_hash "
        "ELSE CAST(unit_id AS TEXT) || ':' || TRIM(target_name) END"
    )


def _distinct_types_sql() -> str:
    return ", ".join(f"'{code}'" for code in DISTINCT_TARGET_TYPES)


class VisitLike(Protocol):
    unit_id: int
    visit_date: datetime.date
    target_type: str
    channel: str
    target_name: str
    id_number_hash: str
    is_return_visit: bool
    opinions_collected: int
    disputes_mediated: int
    hazards_found: int
    households_helped: int
    donation_amount: Any


def visit_measures(visit: VisitLike) -> list[int]:
    """The roll-up measures one visit contributes, in MEASURES order."""
    return [
        1,
        1 if visit.is_return_visit else 0,
        visit.opinions_collected,
        visit.disputes_mediated,
        visit.hazards_found,
        visit.households_helped,
        int((Decimal(str(visit.donation_amount)) * 100).to_integral_value()),
    ]


class RollupDeltas:
    """Deltas collected over a write, applied at its end."""

    def __init__(self) -> None:
        self._deltas: dict[RollupKey, list[int]] = defaultdict(lambda: [0] * len(MEASURES))
        self._targets: dict[TargetKey, int] = defaultdict(int)

    def add(self, visit: VisitLike, sign: int = 1) -> None:
        """Count a visit in (sign 1) or out (sign -1)."""
        key = (visit.unit_id, visit.visit_date, visit.target_type, visit.channel)
        totals = self._deltas[key]
        for index, value in enumerate(visit_measures(visit)):
            totals[index] += sign * value
        if visit.target_type in DISTINCT_TARGET_TYPES:
            target = target_key(
                unit_id=visit.unit_id,
                target_type=visit.target_type,
                target_name=visit.target_name,
                id_number_hash=visit.id_number_hash,
            )
            self._targets[(visit.target_type, visit.visit_date, visit.unit_id, target)] += sign

    def add_all(self, visits: Iterable[VisitLike], sign: int = 1) -> None:
        """Count many visits."""
        for visit in visits:
            self.add(visit, sign)

    def items(self) -> list[tuple[RollupKey, list[int]]]:
        """The non-zero deltas."""
        return [(key, values) for key, values in self._deltas.items() if any(values)]

    def target_items(self) -> list[tuple[TargetKey, int]]:
        """The non-zero changes of the distinct targets, in key order."""
        return sorted((key, n) for key, n in self._targets.items() if n)


def rollup_apply(deltas: RollupDeltas) -> None:
    """Add the deltas to the roll-ups in the current transaction."""
    _apply_targets(deltas.target_items())
    items = sorted(deltas.items(), key=lambda item: item[0])
    if not items:
        return
    city: dict[tuple[datetime.date, str, str], list[int]] = {}
    for key, values in items:
        totals = city.setdefault(key[1:], [0] * len(MEASURES))
        for index, value in enumerate(values):
            totals[index] += value
    _upsert(VisitDaily._meta.db_table, UNIT_KEY, ("int", "date", "text", "text"), items)
    city_items = sorted((key, values) for key, values in city.items() if any(values))
    _upsert(VisitDailyCity._meta.db_table, CITY_KEY, ("date", "text", "text"), city_items)


def _apply_targets(items: Sequence[tuple[TargetKey, int]]) -> None:
    """Add the visits to their targets' rows; remove the rows no visit counts in any more."""
    if not items:
        return
    table = connection.ops.quote_name(VisitTarget._meta.db_table)
    keys = ("target_type", "day", "unit_id", "target")
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(keys)}, visits) VALUES (%s, %s, %s, %s, %s) "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET visits = {table}.visits + "
            "excluded.visits",
            [(*key, n) for key, n in items],
        )
    emptied = [key for key, n in items if n < 0]
    for target_type, day, unit_id, target in emptied:
        VisitTarget.objects.filter(
            target_type=target_type, day=day, unit_id=unit_id, target=target, visits__lte=0
        ).delete()


def _targets_from_visits(where: str) -> str:
    """SQL adding the visits that `where` selects to the distinct targets' rows."""
    visits = connection.ops.quote_name(Visit._meta.db_table)
    table = connection.ops.quote_name(VisitTarget._meta.db_table)
    keys = "target_type, day, unit_id, target"
    return (
        f"INSERT INTO {table} ({keys}, visits) SELECT target_type, visit_date, unit_id, "
        f"{_target_key_sql()} AS target, COUNT(*) FROM {visits} "
        f"WHERE {where} AND target_type IN ({_distinct_types_sql()}) "
        f"GROUP BY target_type, visit_date, unit_id, {_target_key_sql()} "
        f"ORDER BY 1, 2, 3, 4 ON CONFLICT ({keys}) DO UPDATE SET visits = {table}.visits + "
        "excluded.visits"
    )


def rollup_add_visits(ids: Sequence[int]) -> None:
    """Add visits just written (in the current transaction) to both roll-ups, summed by the
    database from the visits themselves, whatever their number: on PostgreSQL one statement
    that reads the visits once (the unit sums, upserted, then summed again for the city),
    elsewhere one statement per grain. Keys are taken in sorted order, as `rollup_apply`
    does. A bulk writer adds all its visits at its end: each roll-up row is then written
    once, not once per batch."""
    if not ids:
        return
    visits = connection.ops.quote_name(Visit._meta.db_table)
    params: list[Any]
    runs = id_runs(ids)
    if len(runs) == 1:  # a range: every id in it is one of ours
        where, params = "id BETWEEN %s AND %s", list(runs[0])
    elif connection.vendor == "postgresql":  # others took ids in between: not ours to count
        where, params = "id = ANY(%s)", [list(ids)]
    else:
        for first, last in runs:
            rollup_add_visits(range(first, last + 1))
        return
    names = ", ".join(MEASURES)
    unit = connection.ops.quote_name(VisitDaily._meta.db_table)
    city = connection.ops.quote_name(VisitDailyCity._meta.db_table)

    def upsert(table: str, keys: tuple[str, ...], measures: str, source: str) -> str:
        group = ", ".join(keys)
        return (
            f"INSERT INTO {table} ({group}, {names}) SELECT {group}, {measures} "
            f"FROM {source} WHERE true GROUP BY {group} ORDER BY {group} "
            + _added_on_conflict(table, keys)
        )

    with connection.cursor() as cursor:
        cursor.execute(_targets_from_visits(where), params)
        if connection.vendor == "postgresql":
            # d holds one row per unit key: summing it again gives the unit rows as they are
            unit_sums = upsert(unit, UNIT_KEY, _ROLLUP_SUMS, "d")
            city_sums = upsert(city, CITY_KEY, _ROLLUP_SUMS, "d")
            cursor.execute(
                f"WITH d ({', '.join(UNIT_KEY)}, {names}) AS (SELECT unit_id, visit_date, "
                f"target_type, channel, {_VISIT_SUMS} FROM {visits} WHERE {where} "
                f"GROUP BY unit_id, visit_date, target_type, channel), u AS ({unit_sums}) "
                f"{city_sums}",
                params,
            )
            return
        # SQLite: no data-modifying WITH; each grain sums the visits.
        source = (
            "(SELECT unit_id, visit_date AS day, target_type, channel, is_return_visit, "
            "opinions_collected, disputes_mediated, hazards_found, households_helped, "
            f"donation_amount FROM {visits} WHERE {where})"
        )
        for table, keys in ((unit, UNIT_KEY), (city, CITY_KEY)):
            cursor.execute(upsert(table, keys, _VISIT_SUMS, source), params)


def _upsert(
    db_table: str,
    key_columns: tuple[str, ...],
    key_types: tuple[str, ...],
    items: Sequence[tuple[tuple[Any, ...], list[int]]],
) -> None:
    """Add measures to the rows of a roll-up table, creating the rows that are missing."""
    if not items:
        return
    table = connection.ops.quote_name(db_table)
    names = ", ".join((*key_columns, *MEASURES))
    conflict = _added_on_conflict(table, key_columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(items) > 1:
            # One statement for the lot: the keys and measures as arrays (sent as array
            # literals: adapting long Python lists value by value costs more than the insert),
            # unnested in order.
            columns_of = [*zip(*(key for key, _ in items), strict=True)]
            columns_of += [*zip(*(m for _, m in items), strict=True)]
            arrays = [_array_literal(values) for values in columns_of]
            types = (*key_types, *(["bigint"] * len(MEASURES)))
            unnest = ", ".join(f"%s::{kind}[]" for kind in types)
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT {names} "
                f"FROM unnest({unnest}) WITH ORDINALITY AS d ({names}, n) ORDER BY n {conflict}",
                arrays,
            )
            return
        placeholders = ", ".join(["%s"] * (len(key_columns) + len(MEASURES)))
        cursor.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({placeholders}) {conflict}",
            [(*key, *values) for key, values in items],
        )


def _array_literal(values: Iterable[Any]) -> str:
    """A PostgreSQL array literal of ints, dates or text."""
    return "{" + ",".join(_array_item(value) for value in values) + "}"


def _array_item(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


def rollup_rebuild() -> int:
    """Recompute the roll-ups from the visits; returns the number of unit roll-up rows."""
    visits = connection.ops.quote_name(Visit._meta.db_table)
    table = connection.ops.quote_name(VisitDaily._meta.db_table)
    city = connection.ops.quote_name(VisitDailyCity._meta.db_table)
    measures = ", ".join(MEASURES)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(VisitTarget._meta.db_table)}")
        cursor.execute(_targets_from_visits("true"))
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(
            f"INSERT INTO {table} (unit_id, day, target_type, channel, {measures}) "
            f"SELECT unit_id, visit_date, target_type, channel, {_VISIT_SUMS} "
            f"FROM {visits} GROUP BY unit_id, visit_date, target_type, channel"
        )
        cursor.execute(f"DELETE FROM {city}")
        cursor.execute(
            f"INSERT INTO {city} (day, target_type, channel, {measures}) "
            f"SELECT day, target_type, channel, {_ROLLUP_SUMS} "
            f"FROM {table} GROUP BY day, target_type, channel"
        )
    return VisitDaily.objects.count()
