"""`zoufang backup --out PATH [--database ALIAS]`: back up the whole database.

PostgreSQL: pg_dump (custom format); SQLite: the online backup API. Records the backup in
the audit trail and seals the chain first; prints the file, its size and the chain's head.
Exit code 0, or 1 when the backup fails (nothing is left at PATH then).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from zoufang.core.backup import BackupError, backup_database


class Command(BaseCommand):
    help = "Back up the database (pg_dump or the SQLite backup API), audit chain sealed."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", required=True, help="the backup file to write")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, out: str, database: str, **options: Any) -> None:
        try:
            result = backup_database(out=out, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"backup written: {result.path} ({result.size} bytes); audit chain head: {result.head}"
        )
