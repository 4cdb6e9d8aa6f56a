"""Drafting, editing and issuing stage notices."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from zoufang.assessment.services import assessment_publish
from zoufang.campaigns.models import Campaign, Phase
from zoufang.core.actors import Actor
from zoufang.core.audit import AuditAction, audit_record
from zoufang.core.errors import ConflictError
from zoufang.core.officialdoc import render_docx
from zoufang.org.permissions import Perm, account_of, require

from . import selectors
from .composer import NARRATIVE_KEYS, NoticeData, compose, default_narrative
from .models import Notice, NoticeStatus


def _require_city_office(actor: Actor) -> None:
    require(actor, Perm.NOTICE_MANAGE)


def notice_title(phase: Phase) -> str:
    """关于2022年大走访开门评活动第二阶段工作情况的通报."""
    from .composer import ordinal

    stage = f"第{ordinal(phase.order)}阶段" if phase.order else phase.name
    return f"关于{phase.campaign.name}活动{stage}工作情况的通报"


def doc_number(year: int, number: int | None) -> str:
    """江公走访〔2022〕3号 (the prefix is a setting)."""
    return f"{settings.ZOUFANG_NOTICE_PREFIX}〔{year}〕{number if number else '　'}号"


@transaction.atomic
def notice_draft(*, actor: Actor, campaign: Campaign, phase: Phase) -> Notice:
    """A draft notice from the phase's latest published assessment (published now if none)."""
    _require_city_office(actor)
    snapshot = selectors.latest_snapshot(phase) or assessment_publish(
        actor=actor, campaign=campaign, phase=phase
    )
    data = selectors.notice_data(
        campaign=campaign, phase=phase, result=snapshot.result, figures=snapshot.figures
    )
    notice = Notice.objects.create(
        campaign=campaign,
        phase=phase,
        assessment=snapshot,
        title=notice_title(phase),
        year=phase.end_date.year,
        data=selectors.data_as_json(data),
        narrative=default_narrative(data),
        created_by=account_of(actor),
    )
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        target=notice,
        after={"phase": phase.slug, "assessment": snapshot.version},
    )
    return notice


@transaction.atomic
def notice_edit(
    *, actor: Actor, notice_id: int, expected_version: int, title: str, narrative: dict[str, str]
) -> Notice:
    """Change a draft's title and narrative paragraphs (the figures stay as computed)."""
    _require_city_office(actor)
    notice = Notice.objects.select_for_update().get(pk=notice_id)
    if notice.status != NoticeStatus.DRAFT:
        raise ConflictError(_("An issued notice cannot be changed"))
    if notice.version != expected_version:
        raise ConflictError(_("Someone else changed this draft; reload it first"))
    if not title.strip():
        raise ValidationError({"title": [_("Required")]})
    before = {"title": notice.title, **notice.narrative}
    notice.title = title.strip()[:200]
    notice.narrative = {key: narrative.get(key, "").strip() for key in NARRATIVE_KEYS}
    notice.version += 1
    notice.save()
    audit_record(
        action=AuditAction.UPDATE,
        actor=actor,
        target=notice,
        before=before,
        after={"title": notice.title, **notice.narrative},
    )
    return notice


def notice_document_bytes(notice: Notice, *, number: int | None = None) -> bytes:
    """The notice as .docx bytes."""
    data = NoticeData(**notice.data)
    document = compose(
        data,
        narrative=notice.narrative,
        issuer=settings.ZOUFANG_NOTICE_ISSUER,
        doc_number=doc_number(notice.year, number or notice.number),
        title=notice.title,
        date=timezone.localdate(notice.issued_at) if notice.issued_at else timezone.localdate(),
    )
    return render_docx(document=document)


@transaction.atomic
def notice_issue(*, actor: Actor, notice_id: int) -> Notice:
    """Issue a draft: number it (the year's next), print it, store the .docx (and a PDF where
    LibreOffice is installed)."""
    _require_city_office(actor)
    notice = Notice.objects.select_for_update().get(pk=notice_id)
    if notice.status != NoticeStatus.DRAFT:
        raise ConflictError(_("This notice is already issued"))
    Notice.objects.select_for_update().filter(year=notice.year).exists()
    number = (Notice.objects.filter(year=notice.year).aggregate(n=Max("number"))["n"] or 0) + 1
    notice.number, notice.doc_number = number, doc_number(notice.year, number)
    notice.status, notice.issued_at = NoticeStatus.ISSUED, timezone.now()
    notice.issued_by = account_of(actor)
    content = notice_document_bytes(notice)
    notice.document.save(f"{notice.year}-{number:03d}.docx", ContentFile(content), save=False)
    pdf = docx_to_pdf(content)
    if pdf:
        notice.pdf.save(f"{notice.year}-{number:03d}.pdf", ContentFile(pdf), save=False)
    notice.version += 1
    notice.save()
    audit_record(
        action=AuditAction.TRANSITION,
        actor=actor,
        target=notice,
        before={"status": "draft"},
        after={"status": "issued", "doc_number": notice.doc_number},
    )
    return notice


def docx_to_pdf(content: bytes) -> bytes | None:
    """A PDF of a .docx by LibreOffice, or None where it is not installed."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "notice.docx"
        source.write_bytes(content)
        try:
            subprocess.run(
                [office, "--headless", "--convert-to", "pdf", "--outdir", folder, str(source)],
                check=True,
                capture_output=True,
                timeout=120,
            )
        except (subprocess.SubprocessError, OSError):
            return None
        target = source.with_suffix(".pdf")
        return target.read_bytes() if target.exists() else None
