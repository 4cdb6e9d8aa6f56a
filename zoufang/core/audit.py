"""Writing the audit trail. Every service that changes data calls one of these explicitly.

Both write in the caller's transaction, so when the audit write fails the action fails with
it. Each row gets its `row_hash` here (no lock, no query); `core.auditchain` seals rows into
the hash chain later and verifies it.
"""

from __future__ import annotations

import datetime
import decimal
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone

from .actors import Actor, Citizen
from .auditchain import row_digest
from .context import current_meta
from .models import AuditAction, AuditLog

logger = logging.getLogger(__name__)


def jsonable(value: Any) -> Any:
    """A value as it is stored in an audit snapshot (dates as ISO text, decimals as text)."""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set):
        return [jsonable(item) for item in value]
    return value


def snapshot(instance: models.Model, fields: Sequence[str]) -> dict[str, Any]:
    """The named fields of a record, as JSON, for the before/after columns."""
    data: dict[str, Any] = {}
    for name in fields:
        field_ = instance._meta.get_field(name)
        attname = getattr(field_, "attname", name)
        data[name] = jsonable(getattr(instance, attname))
    return data


def changed_only(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """The before and after snapshots cut down to the fields that changed."""
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


def object_type_of(instance: models.Model) -> str:
    """The `app_label.model` name of a record."""
    return instance._meta.label_lower


@dataclass
class AuditEntry:
    """One audit row to write; `audit_bulk` writes many at once."""

    action: str
    actor: Actor | None = None
    target: models.Model | None = None
    object_type: str = ""
    object_id: str = ""
    object_repr: str = ""
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    note: str = ""
    at: datetime.datetime = field(default_factory=timezone.now)

    def to_model(self) -> AuditLog:
        """The unsaved audit row, with the request's address and channel, and its hash."""
        meta = current_meta()
        actor_id = getattr(self.actor, "pk", None) or None  # an account; None for the system
        object_type, object_id, object_repr = self.object_type, self.object_id, self.object_repr
        if self.target is not None:
            object_type = object_type or object_type_of(self.target)
            object_id = object_id or str(self.target.pk)
            object_repr = object_repr or str(self.target)[:200]
        row = AuditLog(
            at=self.at,
            actor_id=actor_id,
            actor_name=actor_name(self.actor),
            ip=meta.ip,
            channel=meta.channel,
            action=self.action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr[:200],
            before=self.before,
            after=self.after,
            note=self.note,
        )
        row.row_hash = row_digest(row)
        return row


def actor_name(actor: Actor | None) -> str:
    """How an actor is named in the trail: the user name, or `system` for commands (and for
    no actor at all), `citizen` for the public pages."""
    if isinstance(actor, Citizen):
        return "citizen"
    if actor is None or not getattr(actor, "pk", None):
        return "system"
    full_name = getattr(actor, "full_name", "")
    return f"{actor.get_username()} {full_name}".strip()[:150]


def audit_record(
    *,
    action: str,
    actor: Actor | None = None,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditLog:
    """Write one audit row in the current transaction."""
    entry = AuditEntry(
        action=action,
        actor=actor,
        target=target,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        before=before,
        after=after,
        note=note,
    )
    row = entry.to_model()
    row.save(force_insert=True)
    return row


def audit_run_record(*, completed: bool, **fields: Any) -> None:
    """The audit record of a long run (a key rotation, an anonymisation), written in its own
    transaction when the run ends, also when it stopped halfway. If the record cannot be
    written, a completed run fails with that error; a run that stopped keeps its own."""
    from django.db import transaction

    try:
        with transaction.atomic():
            audit_record(action=AuditAction.UPDATE, **fields)
    except Exception:
        if completed:
            raise
        # The run is failing already (perhaps the database is gone): keep its own error.
        logger.exception("could not write the audit record of a stopped run")


def audit_bulk(entries: Iterable[AuditEntry]) -> int:
    """Write many audit rows in the current transaction; returns how many."""
    from zoufang.core.bulk import bulk_create_models

    rows = [entry.to_model() for entry in entries]
    bulk_create_models(rows, ids=False)
    return len(rows)


__all__ = [
    "AuditAction",
    "AuditEntry",
    "audit_bulk",
    "audit_record",
    "audit_run_record",
    "changed_only",
    "jsonable",
    "snapshot",
]
