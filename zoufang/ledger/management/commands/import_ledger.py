"""`zoufang import_ledger FILE [--as USERNAME] [--dry-run] [--skip-invalid] [--json]`.

Exit 0: imported (or, with --skip-invalid, the good rows imported); 1: row errors, nothing
written; 2: the file is unusable (wrong type, damaged, missing columns …).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from zoufang.ledger.imports import ledger_import
from zoufang.ledger.sheets import SheetError
from zoufang.org.models import User


class Command(BaseCommand):
    help = "Import a ledger file (.xlsx, .xls, .csv) in the template's columns."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--as", dest="username", help="import with this user's scope")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="write the good rows, report the bad"
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(
        self,
        *args: Any,
        file: str,
        username: str | None,
        dry_run: bool,
        skip_invalid: bool,
        json: bool,
        **options: Any,
    ) -> None:
        actor = None
        if username:
            actor = User.objects.filter(username=username, is_active=True).first()
            if actor is None:
                # 2, as for a file it cannot use: 1 means rows were wrong (../shared/DESIGN.md)
                raise CommandError(f"No active user {username!r}", returncode=2)
        path = Path(file)
        with translation.override("zh-hans"):
            try:
                if not path.is_file():
                    raise SheetError(f"{file}: no such file", code="missing")
                result = ledger_import(
                    actor=actor,
                    source=str(path),
                    filename=path.name,
                    dry_run=dry_run,
                    skip_invalid=skip_invalid,
                )
            except SheetError as error:
                if json:
                    self.stdout.write(
                        _dumps(
                            {
                                "file": file,
                                "rows": 0,
                                "imported": 0,
                                "duplicates": 0,
                                "errors": [{"row": 0, "column": "", "message": error.message}],
                            }
                        )
                    )
                else:
                    self.stderr.write(error.message)
                sys.exit(2)
        result.file = file
        for warning in result.warnings:
            self.stderr.write(warning)
        if json:
            self.stdout.write(_dumps(result.as_json()))
        else:
            for problem in result.errors:
                self.stdout.write(f"第{problem.row}行 {problem.column}：{problem.message}")
            if dry_run:
                verb, count = "would import", result.valid - result.duplicates
            else:
                verb, count = "imported", result.imported
            self.stdout.write(
                f"{result.rows} rows: {verb} {count}, {result.duplicates} duplicates, "
                f"{len(result.errors)} errors"
            )
        if result.errors and not skip_invalid:
            sys.exit(1)


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)
