"""`zoufang verify_audit [--database ALIAS] [--no-seal]`: check the audit trail's hash chain.

Seals new rows first (unless `--no-seal`, e.g. on a read-only replica), then recomputes every
row's hash and every link from the first row, or from the latest purge's anchor. Prints
`OK: N audit rows ...` and exits 0, or names the first tampered row (id, time, action,
object) and why, and exits 1.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from zoufang.core.auditchain import seal, verify


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; name the first tampered row (exit 1)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument(
            "--no-seal", action="store_true", help="do not seal new rows first (read-only)"
        )

    def handle(self, *args: Any, database: str, no_seal: bool, **options: Any) -> None:
        if not no_seal:
            seal(using=database)
        report = verify(using=database)
        if not report.ok:
            first, *others = report.problems
            lines = [f"TAMPERED: {first}"]
            lines += [f"  also: {problem}" for problem in others]
            if report.more_problems:
                lines.append(f"  and {report.more_problems} more")
            raise CommandError("\n".join(lines), returncode=1)
        anchor = report.anchor
        start = f" after purge anchor at position {anchor.through_seq}" if anchor else ""
        self.stdout.write(
            f"OK: {report.checked} audit rows, chain intact{start};"
            f" head {report.head}; {report.unsealed} not yet sealed"
        )
