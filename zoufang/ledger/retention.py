"""Retention of the ledger's personal data: visits past `ZOUFANG_VISIT_RETENTION_DAYS` are
anonymised (docs/security.md, "Retention").

What goes: the phone and ID number (ciphertext, keyed hash, masked form), the visited
person's or organisation's name (replaced by `ANONYMISED_NAME`), the address, the summary
and the note (free text that may name people), and the duplicate key (a SHA-1 over the
date, unit, officers and the name, which would confirm a guessed name; it becomes
`anonymised:<id>`, which also marks the visit as done). What stays: the date, unit,
officers, target type, channel, return-visit flag, the counters and donations, so the daily
roll-ups, dashboards, assessments and notices read exactly the same figures as before.

Batches of rows, each one transaction with its rows locked; a run can stop anywhere and the
next one carries on (the selection skips what is marked). Each run writes one audit record
with its counts (also when it stops on an error); a dry run writes nothing. The visit's
`version` goes up, so an edit form opened before cannot write the old values back.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from zoufang.core.actors import SYSTEM, Actor
from zoufang.core.audit import audit_run_record

from .models import Visit

# The placeholder name: data, like the template's labels (ledger.columns), not interface text.
ANONYMISED_NAME = "已匿名"
ANONYMISED_KEY_PREFIX = "anonymised:"
MIN_RETENTION_DAYS = 365
DEFAULT_BATCH = 1000
# Every column that may hold personal data, and what it becomes.
CLEARED = {
    "target_name": ANONYMISED_NAME,
    "phone_cipher": "",
    "phone_hash": "",
    "phone_masked": "",
    "id_number_cipher": "",
    "id_number_hash": "",
    "id_number_masked": "",
    "address": "",
    "summary": "",
    "note": "",
}


class RetentionError(ValueError):
    """An anonymisation the retention rule does not allow."""


@dataclass
class AnonymiseResult:
    """What a run found or did."""

    before: datetime.date
    retention_days: int
    dry_run: bool = False
    anonymised: int = 0
    first_id: int | None = None
    last_id: int | None = None
    batches: int = 0
    completed: bool = False

    def as_audit(self) -> dict[str, Any]:
        """The audit record's `after`."""
        return {
            "before": self.before.isoformat(),
            "retention_days": self.retention_days,
            "anonymised": self.anonymised,
            "first_id": self.first_id,
            "last_id": self.last_id,
            "batches": self.batches,
            "completed": self.completed,
        }


def retention_days() -> int:
    """`ZOUFANG_VISIT_RETENTION_DAYS`; a setting under a year is refused."""
    days = int(settings.ZOUFANG_VISIT_RETENTION_DAYS)
    if days < MIN_RETENTION_DAYS:
        raise RetentionError(
            f"ZOUFANG_VISIT_RETENTION_DAYS is {days}: visits are kept "
            f"{MIN_RETENTION_DAYS} days at least"
        )
    return days


def retention_cutoff(
    *, before: datetime.date | None = None, today: datetime.date | None = None
) -> datetime.date:
    """Visits dated before this day are anonymised: `before` if given, never later than
    today minus the retention."""
    latest = (today or timezone.localdate()) - datetime.timedelta(days=retention_days())
    if before is None:
        return latest
    if before > latest:
        raise RetentionError(
            f"visits are kept {retention_days()} days: the date must be on or before "
            f"{latest:%Y-%m-%d}, not {before:%Y-%m-%d}"
        )
    return before


def _due(before: datetime.date) -> Any:
    return Visit._base_manager.filter(visit_date__lt=before).exclude(
        dedup_key__startswith=ANONYMISED_KEY_PREFIX
    )


def _anonymise_batch(
    before: datetime.date, after_pk: int, size: int, result: AnonymiseResult
) -> int | None:
    """Anonymise the next batch after `after_pk` in one transaction; its last id, or None
    when nothing is left. Walking the ids forward means a run always ends."""
    with transaction.atomic():
        ids = list(
            _due(before)
            .filter(pk__gt=after_pk)
            .order_by("pk")
            .select_for_update()
            .values_list("pk", flat=True)[:size]
        )
        if not ids:
            return None
        Visit._base_manager.filter(pk__in=ids).update(
            **CLEARED,
            dedup_key=Concat(Value(ANONYMISED_KEY_PREFIX), Cast("pk", output_field=CharField())),
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
    result.anonymised += len(ids)
    result.first_id = ids[0] if result.first_id is None else result.first_id
    result.last_id = ids[-1]
    result.batches += 1
    return ids[-1]


def visits_anonymise(
    *,
    actor: Actor = SYSTEM,
    before: datetime.date | None = None,
    dry_run: bool = False,
    batch_size: int = DEFAULT_BATCH,
    today: datetime.date | None = None,
    on_batch: Callable[[AnonymiseResult], None] | None = None,
) -> AnonymiseResult:
    """Anonymise the visits dated before the retention cutoff (or the earlier `before`);
    with `dry_run`, count them and change nothing."""
    cutoff = retention_cutoff(before=before, today=today)
    result = AnonymiseResult(before=cutoff, retention_days=retention_days(), dry_run=dry_run)
    if dry_run:
        result.anonymised = _due(cutoff).count()
        result.completed = True
        return result
    try:
        after_pk = 0
        while (last := _anonymise_batch(cutoff, after_pk, batch_size, result)) is not None:
            after_pk = last
            if on_batch is not None:
                on_batch(result)
        result.completed = True
    finally:
        _audit(result, actor)
    return result


def _audit(result: AnonymiseResult, actor: Actor) -> None:
    """One audit record per run (also when the run stopped)."""
    audit_run_record(
        completed=result.completed,
        actor=actor,
        object_type="ledger.visit",
        object_repr=_("Anonymisation of visits before %(date)s")
        % {"date": result.before.isoformat()},
        after=result.as_audit(),
    )
