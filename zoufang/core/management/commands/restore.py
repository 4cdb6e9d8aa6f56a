"""`zoufang restore PATH [--force] [--database ALIAS]`: restore a backup made by `backup`.

Refuses a database that has tables unless `--force` (it replaces them). PostgreSQL:
pg_restore in one transaction; SQLite: the backup API. Records the restore in the audit
trail and verifies the restored chain. Exit code 0; 1 when refused or failed, or when the
restored audit chain does not verify (the data is restored then; the message names the row).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from zoufang.core.backup import BackupError, restore_database


class Command(BaseCommand):
    help = "Restore a backup into an empty database (or replace one with --force)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", help="a file written by `zoufang backup`")
        parser.add_argument("--force", action="store_true", help="replace a non-empty database")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, path: str, force: bool, database: str, **options: Any) -> None:
        try:
            result = restore_database(source=path, force=force, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"restored {result.path} into {result.database}")
        report = result.report
        if not report.ok:
            raise CommandError(f"restored, but the audit chain is TAMPERED: {report.problems[0]}")
        self.stdout.write(f"audit chain OK: {report.checked} rows; head {report.head}")
