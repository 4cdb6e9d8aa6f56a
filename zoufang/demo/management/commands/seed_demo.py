"""`zoufang seed_demo --scale tiny|small|medium|large [--seed N] [--visits N]
[--ledger-files DIR]`: build the demo city, and the ledger files to try the import with."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zoufang.demo.services import DEMO_LOGINS, DEMO_PASSWORD, SCALES, demo_build, demo_exists


class Command(BaseCommand):
    help = "Build the demo city 江州市公安局: units, officers, the 2022 campaign and its ledger."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--scale", choices=list(SCALES), default="small")
        parser.add_argument("--seed", type=int, default=2022)
        parser.add_argument(
            "--visits", type=int, help="this many visits instead of the scale's (benchmarks)"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when the database has data"
        )
        parser.add_argument(
            "--ledger-files",
            type=Path,
            default=None,
            help="where to write the ledger files to try the import page with (default: var/demo/)",
        )

    def handle(
        self,
        *args: Any,
        scale: str,
        seed: int,
        if_empty: bool,
        visits: int | None = None,
        ledger_files: Path | None = None,
        **options: Any,
    ) -> None:
        ledger_files = ledger_files or Path(settings.VAR_DIR) / "demo"
        if visits is not None and visits < 0:
            raise CommandError("--visits must not be negative.")
        if demo_exists():
            if if_empty:
                self.stdout.write("The database already has data; seed_demo left it as it is.")
                if ledger_files.is_dir() and any(ledger_files.glob("*.xlsx")):
                    self.stdout.write(f"Ledger files to try the import page with: {ledger_files}")
                self.print_logins([(str(r), u, c) for r, u, c in DEMO_LOGINS])
                return
            raise CommandError(
                "The database already has data. Use an empty database "
                "(e.g. remove var/zoufang.sqlite3 and migrate) or pass --if-empty."
            )
        summary = demo_build(
            scale=scale,
            seed=seed,
            progress=self.stdout.write,
            visits=visits,
            ledger_files=ledger_files,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo city built (scale {summary.scale}, seed {summary.seed}) in "
                f"{summary.seconds:.1f} s: {summary.units} units, {summary.officers} officers, "
                f"{summary.visits} visits ({summary.duplicates} generated duplicates skipped), "
                f"{summary.opinions} opinions."
            )
        )
        clean, wrong = summary.ledger_files
        self.stdout.write(
            f"Ledger files to try the import page with (log in as officer):\n"
            f"  {clean} (imported while building: {summary.imported} visits; "
            "uploading it again adds nothing)\n"
            f"  {wrong} (has mistakes on a few rows)"
        )
        self.print_logins(summary.logins)

    def print_logins(self, logins: list[tuple[str, str, str]]) -> None:
        """One demo login per role."""
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
        for role, username, code in logins:
            self.stdout.write(f"  {role:<11} {username:<10} unit {code}")
