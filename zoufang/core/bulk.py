"""Loading many rows into one table fast: COPY on PostgreSQL, executemany on SQLite.

For the ledger's bulk writes (import, demo): no model instances, no per-row SQL. The rows
are tuples of database values in `columns` order; the caller has validated them. Call inside
a transaction (the ids handed out assume nobody else writes the table in between on SQLite,
which holds one writer at a time from the first write to the commit).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model


def bulk_insert(
    model: type[Model], columns: Sequence[str], rows: Sequence[Sequence[Any]], *, ids: bool
) -> list[int]:
    """Insert the rows; with `ids`, return the new primary keys in row order (else [])."""
    if not rows:
        return []
    table = connection.ops.quote_name(model._meta.db_table)
    if connection.vendor == "postgresql":
        return _copy(table, model, columns, rows, ids=ids)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join("%s" for _ in columns)
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
        if not ids:
            return []
        cursor.execute("SELECT last_insert_rowid()")
        last = int(cursor.fetchone()[0])
    return list(range(last - len(rows) + 1, last + 1))


def _copy(
    table: str,
    model: type[Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    ids: bool,
) -> list[int]:
    quote = connection.ops.quote_name
    new_ids: list[int] = []
    with connection.cursor() as cursor:
        if ids:
            pk = model._meta.pk
            assert pk is not None
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, pk.column, len(rows)],
            )
            new_ids = [row[0] for row in cursor.fetchall()]
            names = ", ".join(quote(c) for c in (pk.column, *columns))
        else:
            names = ", ".join(quote(c) for c in columns)
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            if ids:
                for pk_value, row in zip(new_ids, rows, strict=True):
                    copy.write_row((pk_value, *row))
            else:
                for row in rows:
                    copy.write_row(row)
    return new_ids
