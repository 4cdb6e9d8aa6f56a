"""`zoufang seal_audit [--database ALIAS]`: link the new audit rows into the hash chain.

Prints how many rows were sealed and the chain's head (record it elsewhere: it is what shows
a chain rewritten from some row on, or cut short). Exit code 0. Run it often (cron).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS

from zoufang.core.auditchain import chain_head, seal


class Command(BaseCommand):
    help = "Link the audit rows written since the last run into the audit hash chain."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, database: str, **options: Any) -> None:
        count = seal(using=database)
        self.stdout.write(f"sealed {count} audit rows; chain head: {chain_head(using=database)}")
