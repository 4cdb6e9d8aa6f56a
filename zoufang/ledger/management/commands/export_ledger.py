"""`zoufang export_ledger --out FILE.xlsx [--unit CODE] [--since DATE] [--until DATE]`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zoufang.core.commands import date_option
from zoufang.ledger.exports import ledger_export
from zoufang.ledger.selectors import VisitFilters
from zoufang.org.models import Unit
from zoufang.org.scope import SYSTEM


class Command(BaseCommand):
    help = "Export the ledger in the import template's columns, personal data masked."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", required=True)
        parser.add_argument("--unit", help="a unit code (its sub-units included)")
        parser.add_argument("--since")
        parser.add_argument("--until")

    def handle(
        self,
        *args: Any,
        out: str,
        unit: str | None,
        since: str | None,
        until: str | None,
        **options: Any,
    ) -> None:
        found = None
        if unit:
            found = Unit.objects.filter(code=unit).first()
            if found is None:
                raise CommandError(f"No unit {unit!r}")
        filters = VisitFilters(since=date_option(since), until=date_option(until), unit=found)
        count = ledger_export(actor=SYSTEM, filters=filters, out=out)
        self.stdout.write(f"{out}: {count} visits")
