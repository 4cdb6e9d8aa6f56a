"""`zoufang purge_audit [--before DATE] [--dry-run] [--database ALIAS]`: drop old audit rows.

Removes the oldest audit rows, those older than `ZOUFANG_AUDIT_RETENTION_DAYS` (184 days at
least; a smaller setting is refused) or than `--before` if it is earlier, and writes an audit
row saying what it removed; the chain stays verifiable from the purge's anchor. A `--before`
inside the retention is refused. Exit code 0, or 1 when refused.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from zoufang.core.auditchain import AuditRetentionError, purge
from zoufang.core.commands import date_option


class Command(BaseCommand):
    help = "Remove audit rows older than the retention (184 days at least); record the purge."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--before", help="remove rows before this date (YYYY-MM-DD)")
        parser.add_argument("--dry-run", action="store_true", help="report, remove nothing")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(
        self, *args: Any, before: str | None, dry_run: bool, database: str, **options: Any
    ) -> None:
        try:
            result = purge(before=date_option(before), dry_run=dry_run, using=database)
        except AuditRetentionError as error:
            raise CommandError(str(error)) from error
        cutoff = timezone.localtime(result.cutoff).strftime("%Y-%m-%d %H:%M")
        verb = "would remove" if dry_run else "removed"
        span = (
            f" (chain positions {result.first_seq}–{result.through_seq})" if result.deleted else ""
        )
        self.stdout.write(f"{verb} {result.deleted} audit rows older than {cutoff}{span}")
