"""`zoufang notice --campaign SLUG --phase SLUG --out FILE.docx`: write the stage notice."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zoufang.assessment.services import assess
from zoufang.campaigns.models import Campaign, Phase
from zoufang.core.officialdoc import render_docx
from zoufang.notices import selectors
from zoufang.notices.composer import compose, default_narrative
from zoufang.notices.models import Notice, NoticeStatus
from zoufang.notices.services import doc_number, notice_document_bytes, notice_title


class Command(BaseCommand):
    help = (
        "Write the stage notice of a phase as a .docx (GB/T 9704-2012): the issued notice if "
        "there is one, else a draft from the latest published assessment (or a live one)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--campaign", required=True)
        parser.add_argument("--phase", required=True)
        parser.add_argument("--out", required=True)

    def handle(self, *args: Any, campaign: str, phase: str, out: str, **options: Any) -> None:
        started = time.monotonic()
        found = Campaign.objects.filter(slug=campaign).first()
        stage = Phase.objects.filter(campaign=found, slug=phase).first() if found else None
        if found is None or stage is None:
            raise CommandError(f"No phase {phase!r} of campaign {campaign!r}")
        issued = (
            Notice.objects.filter(phase=stage, status=NoticeStatus.ISSUED)
            .order_by("-issued_at")
            .first()
        )
        if issued is not None:
            content = notice_document_bytes(issued)
            source = f"issued notice {issued.doc_number}"
        else:
            snapshot = selectors.latest_snapshot(stage)
            if snapshot is not None:
                result, figures = snapshot.result, snapshot.figures
                source = f"published assessment v{snapshot.version}"
            else:
                live = assess(campaign=found, phase=stage)
                result, figures = live, live["figures"]
                source = "live assessment (not published)"
            data = selectors.notice_data(
                campaign=found, phase=stage, result=result, figures=figures
            )
            content = render_docx(
                document=compose(
                    data,
                    narrative=default_narrative(data),
                    issuer=_issuer(),
                    doc_number=doc_number(stage.end_date.year, None),
                    title=notice_title(stage),
                    date=stage.end_date,
                )
            )
        Path(out).write_bytes(content)
        self.stdout.write(
            f"{out}: {len(content)} bytes, from the {source}, in {time.monotonic() - started:.1f} s"
        )


def _issuer() -> str:
    from django.conf import settings

    return settings.ZOUFANG_NOTICE_ISSUER
