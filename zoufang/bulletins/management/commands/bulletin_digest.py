"""`zoufang bulletin_digest --campaign SLUG [--since DATE --until DATE] --out FILE.docx`: the
digest of the bulletins adopted in a week (by default last week, or the week of the latest
adoption when nothing was adopted since), as a .docx in the official layout."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from zoufang.bulletins.selectors import digest_default_period
from zoufang.bulletins.services import bulletin_digest_export
from zoufang.campaigns.models import Campaign
from zoufang.core.actors import SYSTEM
from zoufang.core.commands import date_option


class Command(BaseCommand):
    help = "Write the digest of the bulletins adopted in a week (or the given days) as a .docx."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--campaign", required=True)
        parser.add_argument(
            "--since", type=date_option, help="first day (default: last week's Monday)"
        )
        parser.add_argument("--until", type=date_option, help="last day (default: six days later)")
        parser.add_argument("--out", required=True)

    def handle(
        self,
        *args: Any,
        campaign: str,
        since: datetime.date | None,
        until: datetime.date | None,
        out: str,
        **options: Any,
    ) -> None:
        found = Campaign.objects.filter(slug=campaign).first()
        if found is None:
            raise CommandError(f"No campaign {campaign!r}")
        if since is None:
            since, default_until = digest_default_period(campaign=found)
            until = until or default_until
        elif until is None:
            until = since + datetime.timedelta(days=6)
        try:
            content, count = bulletin_digest_export(
                actor=SYSTEM, campaign=found, since=since, until=until
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        Path(out).write_bytes(content)
        self.stdout.write(
            f"{out}: {count} bulletins adopted from {since} to {until}, {len(content)} bytes"
        )
