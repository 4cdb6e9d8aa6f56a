"""`zoufang compile_translations`: build the .mo files from the .po catalogs."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from zoufang.core.i18n import compile_catalogs


class Command(BaseCommand):
    help = "Compile the translation catalogs (.po → .mo) without needing GNU gettext."
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        for path in compile_catalogs():
            self.stdout.write(f"compiled {path}")
