"""Exporting the ledger in the template's columns: personal data masked, formulas neutralised
(`workbooks.write_export`), every export audited."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from django.db.models import Prefetch
from django.utils import timezone

from zoufang.core.actors import Actor
from zoufang.core.audit import AuditAction, actor_name, audit_record

from .columns import CHANNEL_LABEL, TARGET_TYPE_LABEL
from .models import Visit
from .selectors import VisitFilters, visit_list
from .workbooks import write_export

CHUNK = 2000


def export_rows(visits: Any) -> Iterator[dict[str, object]]:
    """The template's fields of each visit, with labels and masked personal data; 意见建议
    holds the opinions registered from the visit, one a line, as the importer reads them."""
    opinions = Visit._meta.get_field("opinions").related_model  # the opinions app's model
    assert isinstance(opinions, type)
    visits = visits.prefetch_related(
        Prefetch("opinions", queryset=opinions._default_manager.order_by("pk").only("content"))
    )
    for visit in visits.iterator(chunk_size=CHUNK):
        yield {
            "visit_date": visit.visit_date,
            "unit": visit.unit.code,
            "officers": "、".join(o.badge_no for o in visit.officers.all()),
            "target_type": TARGET_TYPE_LABEL.get(visit.target_type, visit.target_type),
            "channel": CHANNEL_LABEL.get(visit.channel, visit.channel),
            "is_return_visit": visit.is_return_visit,
            "target_name": visit.target_name,
            "phone": visit.phone_masked,
            "id_number": visit.id_number_masked,
            "address": visit.address,
            "opinions_collected": visit.opinions_collected,
            "disputes_mediated": visit.disputes_mediated,
            "hazards_found": visit.hazards_found,
            "households_helped": visit.households_helped,
            "donation_amount": visit.donation_amount,
            "summary": visit.summary,
            "opinions": "\n".join(opinion.content for opinion in visit.opinions.all()),
            "note": visit.note,
        }


def ledger_export(*, actor: Actor, filters: VisitFilters, out: IO[bytes] | str) -> int:
    """Write the visits the actor may see, filtered, to an .xlsx; returns how many."""
    visits = visit_list(user=actor, filters=filters)
    watermark = f"{actor_name(actor)} 导出于 {timezone.localtime():%Y-%m-%d %H:%M}"
    count = write_export(rows=export_rows(visits), out=out, watermark=watermark)
    audit_record(
        action=AuditAction.EXPORT,
        actor=actor,
        object_type="ledger.visit",
        object_repr=f"{count} visits",
        after={
            "count": count,
            "since": str(filters.since or ""),
            "until": str(filters.until or ""),
            "unit": filters.unit.code if filters.unit else "",
            "target_type": filters.target_type,
            "channel": filters.channel,
        },
    )
    return count
