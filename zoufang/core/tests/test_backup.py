"""`backup` and `restore`: a restore into an empty database finds every row and a sound chain."""

from __future__ import annotations

import copy
import io
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connections
from django.db.utils import load_backend

from zoufang.core.auditchain import purge
from zoufang.core.models import AuditLog
from zoufang.ledger.tests.factories import make_visit
from zoufang.opinions.services import opinion_register, opinion_transition

from .auditing import tamper, write_rows

# pg_dump reads committed data only, and restoring runs outside any transaction.
pytestmark = pytest.mark.django_db(transaction=True)

TARGET = "restore_target"


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """A second connection to a new, empty database (a fresh file, or a created database)."""
    default = connections["default"]
    config = copy.deepcopy(default.settings_dict)
    postgres = default.vendor == "postgresql"
    name = f"test_zoufang_restore_{os.getpid()}"
    if postgres:
        with default.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        config["NAME"] = name
    else:
        config["NAME"] = str(tmp_path / "restored.sqlite3")
    # Registered as a connection only, not in the settings: the test runner allows that.
    connections[TARGET] = load_backend(config["ENGINE"]).DatabaseWrapper(config, TARGET)
    try:
        yield TARGET
    finally:
        connections[TARGET].close()
        del connections[TARGET]
        if postgres:
            with default.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def row_counts(alias: str) -> dict[str, int]:
    """Every table of a database and its number of rows."""
    connection = connections[alias]
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def audit_rows(alias: str) -> list[tuple[Any, ...]]:
    return list(
        AuditLog.objects.using(alias)
        .order_by("id")
        .values_list("id", "action", "object_type", "row_hash", "chain_seq", "chain_hash")
    )


@pytest.fixture
def purged() -> None:
    """A stretch of the trail purged before anything else was written: the chain's anchor."""
    write_rows(3, days_ago=400)
    assert purge().deleted == 3


def fill(city: Any) -> None:
    """Units and officers (the city), visits, opinions and their loop."""
    for officer in (city.officer, city.officer_b, city.officer):
        make_visit(officer, opinions_collected=1)
    for content in ("希望加强夜间巡逻", "小区门口路灯坏了"):
        opinion = opinion_register(
            actor=city.user("officer"), origin_unit=city.station_a, content=content, source="visit"
        )
    opinion_transition(
        actor=city.user("city_admin"), opinion_id=opinion.pk, action="assign", unit=city.station_a
    )


def run(name: str, *args: Any, **options: Any) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out, **options)
    return out.getvalue()


def test_restore_into_an_empty_database_finds_every_row(
    purged: None, city: Any, empty_database: str, tmp_path: Path
) -> None:
    fill(city)
    path = tmp_path / "zoufang.backup"
    assert run("backup", out=str(path)).startswith(f"backup written: {path} (")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not AuditLog.objects.filter(chain_seq__isnull=True).exists()  # sealed first
    source = row_counts("default")
    assert source["ledger_visit"] == 3
    assert source["core_auditpurge"] == 1

    output = run("restore", str(path), database=empty_database)
    assert "audit chain OK" in output

    restored = row_counts(empty_database)
    assert set(restored) == set(source)
    source["core_auditlog"] += 1  # the restore records itself in the restored trail
    assert restored == source
    assert audit_rows(empty_database)[:-1] == audit_rows("default")
    assert audit_rows(empty_database)[-1][1:3] == ("import", "database")
    assert run("verify_audit", database=empty_database).startswith("OK: ")

    # The copy is guarded like the original: its triggers came along.
    with connections[empty_database].cursor() as cursor, pytest.raises(DatabaseError):
        cursor.execute("UPDATE core_auditlog SET note = 'x'")


def test_restore_refuses_a_database_with_tables_unless_forced(
    city: Any, empty_database: str, tmp_path: Path
) -> None:
    path = tmp_path / "zoufang.backup"
    run("backup", out=str(path))
    with pytest.raises(CommandError, match="not empty"):
        run("restore", str(path))
    run("restore", str(path), database=empty_database)
    make_visit(city.officer)  # the source moves on; the copy has one visit less
    with pytest.raises(CommandError, match="not empty"):
        run("restore", str(path), database=empty_database)
    assert "audit chain OK" in run("restore", str(path), database=empty_database, force=True)
    assert row_counts(empty_database)["ledger_visit"] == row_counts("default")["ledger_visit"] - 1


def test_a_restored_chain_that_was_tampered_with_is_reported(
    city: Any, empty_database: str, tmp_path: Path
) -> None:
    path = tmp_path / "zoufang.backup"
    run("backup", out=str(path))
    victim = AuditLog.objects.order_by("id")[2]
    tamper("UPDATE core_auditlog SET note = 'x' WHERE id = %s", [victim.pk])
    run("backup", out=str(path))
    with pytest.raises(CommandError, match=f"TAMPERED: audit row {victim.pk} "):
        run("restore", str(path), database=empty_database)


def test_a_file_that_is_no_backup_is_refused(empty_database: str, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a backup")
    with pytest.raises(CommandError, match="not a"):
        run("restore", str(path), database=empty_database)
    assert not connections[empty_database].introspection.table_names()
