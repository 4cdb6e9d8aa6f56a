"""`zoufang check_translations`: fail when a message the code uses has no translation."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zoufang.core.i18n import catalog_paths, catalog_problems


def _expected_msgids(language: str) -> set[tuple[str, str]] | None:
    """The msgids makemessages extracts from the code now (None without GNU gettext)."""
    if shutil.which("xgettext") is None:
        return None
    root = Path(settings.BASE_DIR) / "zoufang"
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(root / "locale", Path(tmp) / "locale")
        target = root / "locale" / language / "LC_MESSAGES" / "django.po"
        original = target.read_bytes()
        try:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "zoufang.cli",
                    "makemessages",
                    "-l",
                    language,
                    "--no-location",
                    "--no-obsolete",
                    "-i",
                    "node_modules/*",
                ],
                cwd=root,
                check=True,
                capture_output=True,
            )
            fresh = polib.pofile(str(target))
        finally:
            target.write_bytes(original)
    return {(entry.msgctxt or "", entry.msgid) for entry in fresh if not entry.obsolete}


class Command(BaseCommand):
    help = "Check that every catalog is complete and covers every message in the code."
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        failures = []
        for path in catalog_paths():
            language = path.parent.parent.name
            expected = _expected_msgids(language)
            if expected is None:
                self.stderr.write("xgettext not found: only checking the catalog is complete")
            failures += [f"{language}: {p}" for p in catalog_problems(path, expected)]
        if failures:
            raise CommandError("Translation catalog problems:\n  " + "\n  ".join(failures))
        self.stdout.write("translations complete")
