"""Each figure's definition as a direct SQL query over the tables the records live in, written
apart from the registry (no roll-up, no selector), for the tests that hold the registry to
its definitions."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection

from zoufang.core.days import day_start
from zoufang.org.models import Unit

PLACES = "('enterprise', 'venue')"
KEY_PERSONS = "('key_person', 'stability_risk')"


def _one(sql: str, params: list[Any]) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _visits(where: str, select: str, unit: Unit, since: datetime.date, until: datetime.date) -> Any:
    return _one(
        f"SELECT {select} FROM ledger_visit v JOIN org_unit u ON u.id = v.unit_id "
        f"WHERE u.path LIKE %s AND v.visit_date >= %s AND v.visit_date <= %s AND {where}",
        [unit.path + "%", since, until],
    )


def _distinct(key: str, types: str, unit: Unit, since: datetime.date, until: datetime.date) -> int:
    result: int = _one(
        f"SELECT COUNT(*) FROM (SELECT DISTINCT {key} FROM ledger_visit v "
        f"JOIN org_unit u ON u.id = v.unit_id WHERE u.path LIKE %s AND v.visit_date >= %s "
        f"AND v.visit_date <= %s AND v.target_type IN {types}) t",
        [unit.path + "%", since, until],
    )
    return result


def _opinions(extra: str, unit: Unit, since: datetime.date, until: datetime.date) -> int:
    def stamp(day: datetime.date) -> Any:  # as the database stores it (SQLite: UTC text)
        return connection.ops.adapt_datetimefield_value(day_start(day))

    end = stamp(until + datetime.timedelta(days=1))
    result: int = _one(
        "SELECT COUNT(*) FROM opinions_opinion o JOIN org_unit u ON u.id = o.origin_unit_id "
        f"WHERE u.path LIKE %s AND o.created_at >= %s AND o.created_at < %s {extra}",
        [unit.path + "%", stamp(since), end, *([end] if extra else [])],
    )
    return result


def direct_figures(unit: Unit, since: datetime.date, until: datetime.date) -> dict[str, Any]:
    """Every figure of the registry for the unit's subtree between two days, by plain SQL."""
    people = f"v.target_type NOT IN {PLACES}"

    def total(column: str, where: str = "1 = 1") -> int:
        return int(_visits(where, f"COALESCE(SUM(v.{column}), 0)", unit, since, until))

    donations = Decimal(
        str(_visits("1 = 1", "COALESCE(SUM(v.donation_amount), 0)", unit, since, until))
    )
    person_key = (
        "CASE WHEN v.id_number_hash <> '' THEN 'id:' || v.id_number_hash "
        "ELSE CAST(v.unit_id AS TEXT) || ':' || TRIM(v.target_name) END"
    )
    certificates = _one(
        "SELECT COALESCE(SUM(s.certificates_handled), 0) FROM assessment_servicerecord s "
        "JOIN org_unit u ON u.id = s.unit_id WHERE u.path LIKE %s AND s.period_start >= %s "
        "AND s.period_end <= %s",
        [unit.path + "%", since, until],
    )
    return {
        "visits_people": _visits(people, "COUNT(*)", unit, since, until),
        "return_visits": _visits(f"{people} AND v.is_return_visit", "COUNT(*)", unit, since, until),
        "places_visited": _distinct("v.unit_id, TRIM(v.target_name)", PLACES, unit, since, until),
        "key_persons": _distinct(person_key, KEY_PERSONS, unit, since, until),
        "hardship_households": total("households_helped"),
        "donations_wan": float(
            (donations / 10000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        ),
        "disputes": total("disputes_mediated"),
        "hazards": total("hazards_found"),
        "opinions_collected": _opinions("", unit, since, until),
        "opinions_closed": _opinions(
            "AND o.status = 'closed' AND o.closed_at < %s", unit, since, until
        ),
        "certificates": int(certificates),
    }
