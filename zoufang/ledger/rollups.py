"""Daily roll-ups of the ledger (VisitDaily), kept in the same transaction as each write.

A ledger write turns into deltas per (unit, day, target type, channel); `rollup_apply` adds
them with one upsert statement per key (INSERT … ON CONFLICT DO UPDATE, on SQLite and
PostgreSQL alike), so concurrent writers never lose a count. `rollup_rebuild` recomputes
them from the visits (after a bulk load, or to check them).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol

from django.db import connection

from .models import Visit, VisitDaily

RollupKey = tuple[int, datetime.date, str, str]
MEASURES = (
    "visits",
    "return_visits",
    "opinions_collected",
    "disputes_mediated",
    "hazards_found",
    "households_helped",
    "donation_cents",
)


class VisitLike(Protocol):
    unit_id: int
    visit_date: datetime.date
    target_type: str
    channel: str
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

    def add(self, visit: VisitLike, sign: int = 1) -> None:
        """Count a visit in (sign 1) or out (sign -1)."""
        key = (visit.unit_id, visit.visit_date, visit.target_type, visit.channel)
        totals = self._deltas[key]
        for index, value in enumerate(visit_measures(visit)):
            totals[index] += sign * value

    def add_all(self, visits: Iterable[VisitLike], sign: int = 1) -> None:
        """Count many visits."""
        for visit in visits:
            self.add(visit, sign)

    def items(self) -> list[tuple[RollupKey, list[int]]]:
        """The non-zero deltas."""
        return [(key, values) for key, values in self._deltas.items() if any(values)]


def rollup_apply(deltas: RollupDeltas) -> None:
    """Add the deltas to VisitDaily in the current transaction (keys in sorted order, so two
    writers never wait on each other's rows crosswise)."""
    items = sorted(deltas.items(), key=lambda item: item[0])
    if not items:
        return
    table = connection.ops.quote_name(VisitDaily._meta.db_table)
    columns = ", ".join(MEASURES)
    updates = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in MEASURES)
    conflict = f"ON CONFLICT (unit_id, day, target_type, channel) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(items) > 1:
            # One statement for the lot: the keys and measures as arrays (sent as array
            # literals: adapting long Python lists value by value costs more than the insert),
            # unnested in order.
            columns_of = [*zip(*(key for key, _ in items), strict=True)]
            columns_of += [*zip(*(m for _, m in items), strict=True)]
            arrays = [_array_literal(values) for values in columns_of]
            types = ("int", "date", "text", "text", *(["bigint"] * len(MEASURES)))
            unnest = ", ".join(f"%s::{kind}[]" for kind in types)
            names = f"unit_id, day, target_type, channel, {columns}"
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT {names} "
                f"FROM unnest({unnest}) WITH ORDINALITY AS d ({names}, n) ORDER BY n {conflict}",
                arrays,
            )
            return
        placeholders = ", ".join(["%s"] * (4 + len(MEASURES)))
        cursor.executemany(
            f"INSERT INTO {table} (unit_id, day, target_type, channel, {columns}) "
            f"VALUES ({placeholders}) {conflict}",
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
    """Recompute every roll-up from the visits; returns the number of roll-up rows."""
    visits = connection.ops.quote_name(Visit._meta.db_table)
    table = connection.ops.quote_name(VisitDaily._meta.db_table)
    cents = "CAST(ROUND(SUM(donation_amount) * 100) AS BIGINT)"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(
            f"INSERT INTO {table} (unit_id, day, target_type, channel, {', '.join(MEASURES)}) "
            f"SELECT unit_id, visit_date, target_type, channel, COUNT(*), "
            f"SUM(CASE WHEN is_return_visit THEN 1 ELSE 0 END), SUM(opinions_collected), "
            f"SUM(disputes_mediated), SUM(hazards_found), SUM(households_helped), {cents} "
            f"FROM {visits} GROUP BY unit_id, visit_date, target_type, channel"
        )
    return VisitDaily.objects.count()
