"""`zoufang anonymise_visits [--before DATE] [--dry-run] [--batch-size N]`: anonymise visits
past the retention.

Visits dated before today minus `ZOUFANG_VISIT_RETENTION_DAYS` (1095 by default, 365 at
least), or before `--before` if that is earlier, lose their personal data (ledger.retention);
counts, dates, unit, type and channel stay, so statistics do not change. Run it daily from
cron; a run that stops is carried on by the next. Exit code 0, or 1 when refused (a
`--before` inside the retention, a retention under a year).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zoufang.core.commands import date_option
from zoufang.ledger.retention import DEFAULT_BATCH, RetentionError, visits_anonymise


class Command(BaseCommand):
    help = "Anonymise visits older than the retention; counts and statistics stay."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--before", help="anonymise visits dated before this day")
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH)

    def handle(
        self, *args: Any, before: str | None, dry_run: bool, batch_size: int, **options: Any
    ) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        try:
            result = visits_anonymise(
                before=date_option(before), dry_run=dry_run, batch_size=batch_size
            )
        except RetentionError as error:
            raise CommandError(str(error)) from error
        verb = "would anonymise" if dry_run else "anonymised"
        self.stdout.write(
            f"{verb} {result.anonymised} visits dated before {result.before:%Y-%m-%d} "
            f"(retention {result.retention_days} days)"
        )
