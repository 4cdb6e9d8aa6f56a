"""Bulk-load helpers on PostgreSQL: binary COPY of numpy records, indexes and keys dropped for
a load and built again."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction

from zoufang.core.bulk import binary_data, binary_records, copy_data
from zoufang.core.bulk import secondary_indexes_dropped as dropped
from zoufang.ledger.models import Visit, VisitOfficer

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'"),
]


TABLES = ("ledger_visit", "ledger_visitofficer")


def constraints() -> set[tuple[str, str, str]]:
    """The keys of the visits and their officers, and the foreign keys that refer to them:
    (table, name, definition)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint "
            "WHERE contype IN ('p', 'u', 'f') AND ("
            "conrelid::regclass::text IN ('ledger_visit', 'ledger_visitofficer') "
            "OR confrelid::regclass::text IN ('ledger_visit', 'ledger_visitofficer'))"
        )
        return set(cursor.fetchall())


def test_binary_copy() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE t (id bigint, day date, n smallint, ok boolean, k text)"
        )
    fields = [("id", ">i8"), ("day", ">i4"), ("n", ">i2"), ("ok", "?"), ("k", "S3")]
    records = binary_records(fields, 2)
    records["id"] = [1, 2**40]
    records["day"] = [0, (datetime.date(2022, 1, 1) - datetime.date(2000, 1, 1)).days]
    records["n"] = [-1, 300]
    records["ok"] = [True, False]
    records["k"] = [b"abc", b"xyz"]
    copy_data("t", [name for name, _kind in fields], binary_data(records), binary=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM t ORDER BY id")
        assert cursor.fetchall() == [
            (1, datetime.date(2000, 1, 1), -1, True, "abc"),
            (2**40, datetime.date(2022, 1, 1), 300, False, "xyz"),
        ]
    copy_data("t", [name for name, _kind in fields], binary_data(records[:0]), binary=True)


def test_primary_keys_dropped_and_built_again() -> None:
    before = constraints()
    kinds = {definition.split(" (")[0] for _table, _name, definition in before}
    assert {"PRIMARY KEY", "UNIQUE", "FOREIGN KEY"} <= kinds
    assert any(table not in TABLES for table, _name, _definition in before)
    with transaction.atomic():
        with dropped(Visit, VisitOfficer, primary_keys=True):
            assert constraints() == set()  # the opinions' key to the visits went too
        assert constraints() == before
    with (
        pytest.raises(RuntimeError),
        transaction.atomic(),
        dropped(Visit, VisitOfficer, primary_keys=True),
    ):
        raise RuntimeError
    assert constraints() == before
    with transaction.atomic(), dropped(Visit, VisitOfficer):
        assert constraints() == {
            (table, name, definition)
            for table, name, definition in before
            if definition.startswith("PRIMARY KEY") or table not in TABLES
        }
