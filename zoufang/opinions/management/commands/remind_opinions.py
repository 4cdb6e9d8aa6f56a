"""`zoufang remind_opinions`: remind units of deadlines and close unrated replies (run daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from zoufang.opinions.services import opinions_close_unrated, reminders_generate


class Command(BaseCommand):
    help = (
        "Remind units of opinions due tomorrow, due today or overdue, and close replies "
        "nobody rated within 7 days. Run once a day (cron or a systemd timer)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        reminded = reminders_generate()
        closed = opinions_close_unrated()
        self.stdout.write(f"reminders created: {reminded}; replies closed unrated: {closed}")
