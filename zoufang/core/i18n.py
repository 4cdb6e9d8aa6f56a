"""The translation catalogs: compile them without GNU gettext, and check they are complete."""

from __future__ import annotations

from pathlib import Path

import polib
from django.conf import settings


def catalog_paths() -> list[Path]:
    """Every django.po under the project's locale paths."""
    return sorted(
        path
        for root in settings.LOCALE_PATHS
        for path in Path(root).glob("*/LC_MESSAGES/django.po")
    )


def compile_catalogs() -> list[Path]:
    """Write each catalog's .mo beside it (polib, so no gettext install is needed)."""
    written = []
    for path in catalog_paths():
        target = path.with_suffix(".mo")
        polib.pofile(str(path)).save_as_mofile(str(target))
        written.append(target)
    return written


def catalog_problems(path: Path, expected_msgids: set[tuple[str, str]] | None = None) -> list[str]:
    """Untranslated or fuzzy entries, and msgids the code uses that the catalog lacks."""
    po = polib.pofile(str(path))
    problems = []
    have = set()
    for entry in po:
        if entry.obsolete:
            continue
        have.add((entry.msgctxt or "", entry.msgid))
        translated = entry.msgstr or (entry.msgstr_plural and all(entry.msgstr_plural.values()))
        if not translated:
            problems.append(f"untranslated: {entry.msgid!r}")
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
    for msgctxt, msgid in sorted((expected_msgids or set()) - have):
        problems.append(
            f"missing from the catalog: {msgid!r}" + (f" ({msgctxt})" if msgctxt else "")
        )
    return problems
