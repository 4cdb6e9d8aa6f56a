"""Backing up and restoring the whole database, the audit chain sealed and checked.

Backup writes an `export` audit row (the backup is an export of everything), seals the audit
chain, then copies the database to a temporary file beside the target (created mode 0600: it
holds every record, personal data still encrypted) and renames it into place. PostgreSQL:
`pg_dump --format=custom`, one consistent snapshot taken while the application runs. SQLite:
the online backup API (`sqlite3.Connection.backup`), consistent page by page; the copy is
switched to a rollback journal so that it is one self-contained file.

Restore refuses a database that has any table unless forced (a restore replaces what is
there). PostgreSQL: `pg_restore --clean --if-exists --no-owner --single-transaction`, all or
nothing; stop the application first, its sessions would block the DROPs. SQLite: the backup
API from the file into the configured database. Then it writes an `import` audit row, seals
and verifies the restored chain. Connection parameters come from the Django connection's
settings; the password goes to the client tools in PGPASSWORD, never on the command line.
After restoring a backup taken by an older version, run `zoufang migrate`.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from .audit import AuditEntry
from .auditchain import ChainHead, ChainReport, chain_head, seal, verify
from .models import AuditAction

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
_PG_SETTINGS = (
    ("NAME", "PGDATABASE"),
    ("USER", "PGUSER"),
    ("PASSWORD", "PGPASSWORD"),
    ("HOST", "PGHOST"),
    ("PORT", "PGPORT"),
)
_PG_OPTIONS = (
    ("sslmode", "PGSSLMODE"),
    ("sslrootcert", "PGSSLROOTCERT"),
    ("sslcert", "PGSSLCERT"),
    ("sslkey", "PGSSLKEY"),
    ("passfile", "PGPASSFILE"),
    ("service", "PGSERVICE"),
)


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why."""


@dataclass(frozen=True)
class BackupResult:
    """A backup written: where, how big, and the audit chain's head when it was taken."""

    path: Path
    size: int
    head: ChainHead


@dataclass(frozen=True)
class RestoreResult:
    """A restore done: from which file, into which database, and the restored chain's state."""

    path: Path
    database: str
    report: ChainReport


def _record(action: str, *, repr_: str, note: str, using: str) -> None:
    """Write an audit row about the database as a whole, committed at once."""
    with transaction.atomic(using=using):
        entry = AuditEntry(action=action, object_type="database", object_repr=repr_, note=note)
        entry.to_model().save(using=using)


def pg_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The environment for pg_dump / pg_restore: libpq variables from the Django settings."""
    env = dict(os.environ)
    for key, variable in _PG_SETTINGS:
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    options = settings_dict.get("OPTIONS") or {}
    for key, variable in _PG_OPTIONS:
        if options.get(key):
            env[variable] = str(options[key])
    return env


def _run(args: list[str], *, env: dict[str, str]) -> None:
    """Run a PostgreSQL client tool; its error output becomes the error's message."""
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise BackupError(f"{args[0]} not found: install the PostgreSQL client tools") from error
    if done.returncode != 0:
        raise BackupError(f"{args[0]} failed ({done.returncode}): {done.stderr.strip()}")


def _dump(using: str, target: Path) -> None:
    """Copy the database into `target` (an empty file)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        env = pg_environment(connection.settings_dict)
        _run(["pg_dump", "--format=custom", "--no-password", f"--file={target}"], env=env)
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
    else:
        raise BackupError(f"no backup for a {connection.vendor} database")


def backup_database(*, out: str | Path, using: str = DEFAULT_DB_ALIAS) -> BackupResult:
    """Back up the database to `out`, after recording the backup and sealing the audit chain."""
    path = Path(out).resolve()
    if not path.parent.is_dir():
        raise BackupError(f"no such directory: {path.parent}")
    _record(AuditAction.EXPORT, repr_="database backup", note=f"backup to {path}", using=using)
    seal(using=using)
    head = chain_head(using=using)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        _dump(using, temporary)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
    return BackupResult(path=path, size=path.stat().st_size, head=head)


def backup_kind(path: Path) -> str:
    """What a backup file holds: `postgresql`, `sqlite`, or `unknown`."""
    with path.open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    return "unknown"


def database_is_empty(*, using: str = DEFAULT_DB_ALIAS) -> bool:
    """True when the database has no table at all."""
    return not connections[using].introspection.table_names()


def _load(using: str, source: Path) -> None:
    """Replace the database's content with the backup's."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        connection.close()
        env = pg_environment(connection.settings_dict)
        name = str(connection.settings_dict["NAME"])
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--no-password",
                f"--dbname={name}",
                str(source),
            ],
            env=env,
        )
    else:
        connection.ensure_connection()
        backup = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)
        try:
            backup.backup(connection.connection)
        finally:
            backup.close()


def restore_database(
    *, source: str | Path, force: bool = False, using: str = DEFAULT_DB_ALIAS
) -> RestoreResult:
    """Restore a backup into the database (empty unless forced), then check the audit chain."""
    path = Path(source).resolve()
    if not path.is_file():
        raise BackupError(f"no such file: {path}")
    connection = connections[using]
    kind = backup_kind(path)
    if kind != connection.vendor:
        raise BackupError(f"{path} is not a {connection.vendor} backup (it looks like {kind})")
    if connection.in_atomic_block:
        raise BackupError("a restore cannot run inside a transaction")
    name = str(connection.settings_dict["NAME"])
    if not force and not database_is_empty(using=using):
        raise BackupError(f"the database {name} is not empty: restore with --force to replace it")
    _load(using, path)
    _record(AuditAction.IMPORT, repr_="database restore", note=f"restored from {path}", using=using)
    seal(using=using)
    return RestoreResult(path=path, database=name, report=verify(using=using))
