"""Loading many rows into one table fast: COPY on PostgreSQL, executemany on SQLite.

For the ledger's bulk writes (import, demo): no model instances, no per-row SQL. The rows
are tuples of database values in `columns` order; the caller has validated them. Call inside
a transaction (the ids handed out assume nobody else writes the table in between on SQLite,
which holds one writer at a time from the first write to the commit).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
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


# ---------------------------------------------------------------------------------------------
# Loading millions of rows (PostgreSQL): text-format COPY, ids reserved, indexes built after

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: Any) -> str:
    """One value in COPY's text format (None is NULL)."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    return str(value)


def copy_line(values: Sequence[Any]) -> str:
    """A row in COPY's text format, with its newline."""
    return "\t".join(copy_text(value) for value in values) + "\n"


def copy_data(model: type[Model], columns: Sequence[str], data: bytes) -> None:
    """Send rows already in COPY's text format (UTF-8) to the model's table."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN") as copy,
    ):
        copy.write(data)


def reserve_ids(model: type[Model], count: int) -> int:
    """Move the id sequence on by `count`; returns the first of the ids reserved."""
    pk = model._meta.pk
    assert pk is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, pk.column])
        sequence = cursor.fetchone()[0]
        cursor.execute(f"LOCK TABLE {connection.ops.quote_name(model._meta.db_table)}")
        cursor.execute(
            f"SELECT setval(%s, GREATEST((SELECT COALESCE(MAX({pk.column}), 0) FROM "
            f"{connection.ops.quote_name(model._meta.db_table)}), "
            f"(SELECT last_value FROM {sequence})) + %s)",
            [sequence, count],
        )
        last = int(cursor.fetchone()[0])
    return last - count + 1


# The memory PostgreSQL may use to build an index after a bulk load (SET LOCAL).
BUILD_MEMORY = "512MB"


@contextmanager
def secondary_indexes_dropped(*models: type[Model]) -> Iterator[None]:
    """Drop the tables' indexes, unique and foreign-key constraints (not their primary keys)
    for the block, and build them again after it: loading millions of rows and then building
    each index once is several times faster than keeping them up to date row by row. Run it
    inside a transaction (PostgreSQL's DDL is transactional: a failure restores them)."""
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s) "
            "AND contype IN ('u', 'f') ORDER BY contype DESC, conname",
            [tables],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
            "FROM pg_index i WHERE i.indrelid::regclass::text = ANY(%s) "
            "AND NOT i.indisprimary AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [tables],
        )
        indexes = cursor.fetchall()
        for table, name, _definition in constraints:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cursor:
        # Deferred checks queued by the block (a delete checks the tables that refer to it)
        # run now: PostgreSQL builds no index on a table with pending trigger events.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        # Room to sort in memory rather than on disk (this transaction only).
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
        for _name, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in constraints:
            cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
