"""`zoufang compare_plans BASE FILE... [--json]`: how much of each plan is copied from BASE."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from zoufang.campaigns import comparison
from zoufang.core.documents import DocumentError, read_text


def _names() -> list[str]:
    """The units' names from the database when there is one (generic patterns work without)."""
    from zoufang.campaigns.plans import unit_names

    try:
        return unit_names()
    except DatabaseError:
        return []


def _read(path: str) -> str:
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"{path}: no such file")
    try:
        return read_text(data=file.read_bytes(), filename=file.name)
    except DocumentError as error:
        raise CommandError(f"{path}: {error}") from error


class Command(BaseCommand):
    help = (
        "Compare unit plans (.txt, .docx) with a base plan: similarity is the share of a plan's "
        "text covered by passages of 15+ characters also in the base, after unit and place "
        "names are replaced and white space and punctuation dropped; copied ≥ 0.8, partial ≥ 0.3."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("base")
        parser.add_argument("files", nargs="+")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, base: str, files: list[str], json: bool, **options: Any) -> None:
        names = _names()
        base_text = comparison.normalize(_read(base), names=names)
        results = []
        for path in files:
            result = comparison.compare(
                base=base_text, other=comparison.normalize(_read(path), names=names)
            )
            results.append({"file": path, **result.as_dict()})
        if json:
            self.stdout.write(_dumps({"base": base, "results": results}))
            return
        for row in results:
            share, verdict, passages = row["similarity"], row["verdict"], len(row["passages"])
            self.stdout.write(f"{share:>7.1%}  {verdict:<8}  {passages:>3} passages  {row['file']}")


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)
