"""Loading many rows into one table fast: COPY on PostgreSQL, executemany on SQLite.

For the ledger's bulk writes (import, demo): no model instances, no per-row SQL. The rows
are tuples of database values in `columns` order; the caller has validated them. Call inside
a transaction (the ids handed out assume nobody else writes the table in between on SQLite,
which holds one writer at a time from the first write to the commit).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, connections, models
from django.db.models import Field, Model

if TYPE_CHECKING:
    import numpy as np


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


def bulk_create_models(objs: Sequence[Model], *, ids: bool = True) -> None:
    """Insert unsaved model instances of one model with `bulk_insert`, as `bulk_create`
    would (each field's pre-save and database value; no save() or signals), without the ORM
    compiling SQL for every batch; with `ids`, set their primary keys."""
    if not objs:
        return
    model = type(objs[0])
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    database = connections[connection.alias]  # not the proxy: looked up for every value
    value_makers = [_db_value_maker(field, database) for field in fields]
    rows = [tuple(value(obj) for value in value_makers) for obj in objs]
    new_ids = bulk_insert(model, [field.column for field in fields], rows, ids=ids)
    for obj, pk in zip(objs, new_ids, strict=False):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


# Field classes whose database value is the attribute itself when it has one of these types
# (their get_db_prep_save turns nothing else into it): no calls down Django's chain of
# conversions for most values of most fields. Exact classes only: a subclass may convert.
_PLAIN_FIELDS: dict[type[Field[Any, Any]], tuple[type, ...]] = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.IntegerField: (int,),
    models.BigIntegerField: (int,),
    models.SmallIntegerField: (int,),
    models.PositiveIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.PositiveBigIntegerField: (int,),
    models.BooleanField: (bool,),
}


# Field classes that write None as NULL without a word (their other values are converted).
_NONE_IS_NULL = (models.DateField, models.GenericIPAddressField)


def _db_value_maker(field: Field[Any, Any], database: Any) -> Callable[[Model], Any]:
    """A function of an unsaved instance: the field's value as `bulk_create` writes it."""

    def converted(obj: Model) -> Any:
        return field.get_db_prep_save(field.pre_save(obj, True), connection=database)

    if type(field) is models.DateTimeField and not (field.auto_now or field.auto_now_add):
        return _datetime_value_maker(field, database, converted)
    if type(field) in _NONE_IS_NULL and not (
        getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ):
        attname = field.attname

        def none_or_converted(obj: Model) -> Any:
            return None if obj.__dict__.get(attname, obj) is None else converted(obj)

        return none_or_converted
    # A foreign key's value is its target's: an id, as a plain integer.
    target = field.target_field if type(field) is models.ForeignKey else field
    plain = _PLAIN_FIELDS.get(type(target))
    if type(target) in (models.AutoField, models.BigAutoField):
        plain = (int,)
    if plain is None:
        return converted
    attname = field.attname
    if target is field and plain == (int,):
        # The backend may wrap an integer for its driver (psycopg's Int2, Int4, Int8).
        adapt = database.ops.adapt_integerfield_value
        internal_type = field.get_internal_type()

        def integer_value(obj: Model) -> Any:
            value = obj.__dict__.get(attname, obj)
            if type(value) is int:
                return adapt(value, internal_type)
            return None if value is None else converted(obj)

        return integer_value
    accepted = (*plain, type(None))
    strings = plain == (str,)  # str subclasses too, as TextChoices members

    def plain_value(obj: Model) -> Any:
        value = obj.__dict__.get(attname, obj)
        kind = type(value)
        if kind in accepted or (strings and isinstance(value, str)):
            return value
        return converted(obj)

    return plain_value


def _datetime_value_maker(
    field: Field[Any, Any], database: Any, converted: Callable[[Model], Any]
) -> Callable[[Model], Any]:
    """A datetime's database value: adapted for the backend straight away when it is of the
    kind the settings expect (aware with USE_TZ), else converted the long way (with
    Django's warning about a naive datetime)."""
    attname = field.attname
    aware = settings.USE_TZ
    adapt = database.ops.adapt_datetimefield_value

    def datetime_value(obj: Model) -> Any:
        value = obj.__dict__.get(attname, obj)
        if value is None:
            return None
        if type(value) is not datetime.datetime or (value.tzinfo is not None) != aware:
            return converted(obj)
        return adapt(value)

    return datetime_value


def _copy(
    table: str,
    model: type[Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    ids: bool,
) -> list[int]:
    quote = connection.ops.quote_name
    new_ids = next_ids(model, len(rows)) if ids else []
    with connection.cursor() as cursor:
        if ids:
            pk = model._meta.pk
            assert pk is not None
            names = ", ".join(quote(c) for c in (pk.column, *columns))
        else:
            names = ", ".join(quote(c) for c in columns)
        with (
            connection.wrap_database_errors,  # Django's exceptions, as for any statement
            cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            if ids:
                for pk_value, row in zip(new_ids, rows, strict=True):
                    copy.write_row((pk_value, *row))
            else:
                for row in rows:
                    copy.write_row(row)
    return new_ids


def id_runs(ids: Sequence[int]) -> list[tuple[int, int]]:
    """The ids as ranges of consecutive ids (first, last), in order: a bulk write's ids in
    a few pairs (one on SQLite; on PostgreSQL other writers may take ids in between)."""
    runs: list[tuple[int, int]] = []
    for pk in sorted(ids):
        if runs and pk == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], pk)
        elif not runs or pk != runs[-1][1]:
            runs.append((pk, pk))
    return runs


def next_ids(model: type[Model], count: int) -> list[int]:
    """`count` new primary keys from the table's sequence (PostgreSQL), in one statement.
    Other writers may take ids in between: the list is not always a range."""
    pk = model._meta.pk
    assert pk is not None
    with connection.cursor() as cursor:
        # The sequence looked up first: pg_get_serial_sequence in the select list would be
        # called for every id (15 ms for 5,000 ids against 2.5 ms).
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, pk.column])
        (sequence,) = cursor.fetchone()
        cursor.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count]
        )
        return [row[0] for row in cursor.fetchall()]


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
        # Most text needs no escape: looking is much cheaper than translating.
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            return value.translate(_COPY_ESCAPES)
        return value
    return str(value)


def copy_fields(values: Sequence[Any]) -> str:
    """Values in COPY's text format, tab-separated (part of a line, no newline)."""
    return "\t".join(copy_text(value) for value in values)


def copy_data(
    target: type[Model] | str, columns: Sequence[str], data: bytes, *, binary: bool = False
) -> None:
    """Send rows already in COPY's text format (UTF-8), or whole in its binary format
    (`binary_records`), to a model's table or a table named."""
    quote = connection.ops.quote_name
    table = target if isinstance(target, str) else target._meta.db_table
    names = ", ".join(quote(c) for c in columns)
    options = " (FORMAT BINARY)" if binary else ""
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,  # Django's exceptions, as for any statement
        cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN{options}") as copy,
    ):
        copy.write(data)


# COPY's binary format: a header, then per row the number of fields and each field as its
# length and its bytes (big-endian), then a trailer. Rows of fixed-width fields (integers,
# dates as days since 2000-01-01, booleans, text of one length) make one numpy record each.
_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
_BINARY_TRAILER = b"\xff\xff"


def binary_records(
    fields: Sequence[tuple[str, str]], size: int, *, columns: int | None = None
) -> np.ndarray:
    """`size` empty rows for binary COPY: fields are (name, numpy type), e.g. ("id", ">i8"),
    ("day", ">i4") for a date, ("done", "?") for a boolean, ("key", "S40") for text of 40
    bytes. Fill the named fields; the counts and lengths are set. `columns`: how many fields
    a row has in all, when the caller appends more to each record (texts of any length)."""
    import numpy as np

    layout: list[tuple[str, str]] = [("_fields", ">i2")]
    for name, kind in fields:
        layout += [(f"_{name}_length", ">i4"), (name, kind)]
    records = np.empty(size, dtype=np.dtype(layout))
    records["_fields"] = len(fields) if columns is None else columns
    for name, _kind in fields:
        records[f"_{name}_length"] = records.dtype[name].itemsize
    return records


def binary_data(rows: np.ndarray | bytes) -> bytes:
    """Rows (records, or their bytes) in COPY's binary format, header and trailer included."""
    data = rows if isinstance(rows, bytes) else rows.tobytes()
    return _BINARY_HEADER + data + _BINARY_TRAILER


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
def secondary_indexes_dropped(*models: type[Model], primary_keys: bool = False) -> Iterator[None]:
    """Drop the tables' indexes, unique and foreign-key constraints for the block, and build
    them again after it: loading millions of rows and then building each index once is
    several times faster than keeping them up to date row by row. With `primary_keys`, their
    primary keys too, and the foreign keys of other tables that refer to them (the block must
    then keep the keys unique itself). Run it inside a transaction (PostgreSQL's DDL is
    transactional: a failure restores them)."""
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE (conrelid::regclass::text = ANY(%(tables)s) "
            "AND contype = ANY(%(kinds)s)) OR (%(primary)s AND contype = 'f' "
            "AND confrelid::regclass::text = ANY(%(tables)s)) "
            "ORDER BY CASE contype WHEN 'p' THEN 0 WHEN 'u' THEN 1 ELSE 2 END, conname",
            {
                "tables": tables,
                "kinds": ["u", "f", *(["p"] if primary_keys else [])],
                "primary": primary_keys,
            },
        )
        constraints = cursor.fetchall()  # built in this order: primary, unique, foreign keys
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
            "FROM pg_index i WHERE i.indrelid::regclass::text = ANY(%s) "
            "AND NOT i.indisprimary AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [tables],
        )
        indexes = cursor.fetchall()
        for table, name, _definition in reversed(constraints):
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
        for table, name, definition in constraints:
            if definition.startswith("PRIMARY KEY"):
                cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        for _name, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in constraints:
            if not definition.startswith("PRIMARY KEY"):
                cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
