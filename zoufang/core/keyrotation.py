"""Rotating the personal-data keys: re-seal every stored value under the current keys.

Every sealed value (`core.personal.sealed_columns`: the visits' phone and ID numbers, the
opinions' submitter phones, whatever model declares `sealed_fields` next) whose ciphertext
does not begin with the current keys' prefix is decrypted (current or previous key),
encrypted again under the current key and hashed again under the current hash key. Rows go
in batches, each batch one transaction with its rows locked, in primary-key order, so:

- a run can stop anywhere (crash, Ctrl-C, deploy): what it committed is done, the rest is
  still readable through the previous keys, and the next run picks up only what is left
  (the selection is "not yet under the current keys", so nothing is redone);
- a concurrent edit of the same row waits for the batch, then writes under the new key.

A value no configured key opens is counted as unreadable, named by id and left alone;
the run goes on and reports failure. Each run writes one audit record (what was pending,
what it re-sealed, what it could not read, whether it finished), also when it is stopped.
The records' `version` and `updated_at` are not touched: the values people see are the same.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from .actors import SYSTEM, Actor
from .audit import audit_run_record
from .personal import SealedColumns, decrypt, is_current, keyring, seal, sealed_columns

logger = logging.getLogger(__name__)
DEFAULT_BATCH = 500
UNREADABLE_IDS_KEPT = 20


@dataclass
class RotationResult:
    """What a rotation run did, per sealed value (`ledger.visit.phone`)."""

    key_prefix: str
    pending: dict[str, int] = field(default_factory=dict)
    resealed: Counter[str] = field(default_factory=Counter)
    unreadable: dict[str, list[int]] = field(default_factory=dict)
    batches: int = 0
    completed: bool = False

    @property
    def unreadable_count(self) -> int:
        """How many values no configured key could open."""
        return sum(len(ids) for ids in self.unreadable.values())

    def as_audit(self) -> dict[str, Any]:
        """The audit record's `after`."""
        return {
            "keys": self.key_prefix.rstrip("."),
            "resealed": dict(self.resealed),
            "unreadable": {
                label: ids[:UNREADABLE_IDS_KEPT] for label, ids in self.unreadable.items()
            },
            "batches": self.batches,
            "completed": self.completed,
        }


def _stale(columns: list[SealedColumns], prefix: str) -> Q:
    """Rows with at least one value not sealed under the current keys."""
    condition = Q()
    for column in columns:
        cipher = f"{column.prefix}_cipher"
        condition |= ~Q(**{cipher: ""}) & ~Q(**{f"{cipher}__startswith": prefix})
    return condition


def _by_model() -> dict[Any, list[SealedColumns]]:
    grouped: dict[Any, list[SealedColumns]] = {}
    for column in sealed_columns():
        grouped.setdefault(column.model, []).append(column)
    return grouped


def rotation_pending() -> dict[str, int]:
    """Per sealed value, how many stored values are not yet under the current keys."""
    prefix = keyring().prefix
    counts: dict[str, int] = {}
    for model, columns in _by_model().items():
        for column in columns:
            counts[column.label] = model._base_manager.filter(_stale([column], prefix)).count()
    return counts


def _rotate_batch(
    model: Any, columns: list[SealedColumns], after_pk: int, size: int, result: RotationResult
) -> int | None:
    """Re-seal one batch of rows after `after_pk`, in one transaction; the last pk or None.

    The batch's counts join `result` only once its transaction has committed."""
    prefix = result.key_prefix
    names = [name for column in columns for name in column.fields]
    resealed: Counter[str] = Counter()
    unreadable: dict[str, list[int]] = {}
    with transaction.atomic():
        rows = list(
            model._base_manager.filter(_stale(columns, prefix), pk__gt=after_pk)
            .order_by("pk")
            .select_for_update()
            .only("pk", *names)[:size]
        )
        if not rows:
            return None
        changed = []
        for row in rows:
            touched = False
            for column in columns:
                cipher_name, hash_name, masked_name = column.fields
                token = getattr(row, cipher_name)
                if is_current(token):
                    continue
                try:
                    clear = decrypt(token, purpose=column.purpose)
                except ValueError as error:
                    unreadable.setdefault(column.label, []).append(row.pk)
                    logger.warning("%s of %s %s: %s", column.prefix, model.__name__, row.pk, error)
                    continue
                sealed = seal(clear, purpose=column.purpose)
                setattr(row, cipher_name, sealed.cipher)
                setattr(row, hash_name, sealed.digest)
                setattr(row, masked_name, sealed.masked)
                resealed[column.label] += 1
                touched = True
            if touched:
                changed.append(row)
        if changed:
            model._base_manager.bulk_update(changed, names)
    result.resealed.update(resealed)
    for label, ids in unreadable.items():
        result.unreadable.setdefault(label, []).extend(ids)
    result.batches += 1
    return int(rows[-1].pk)


def field_keys_rotate(
    *,
    batch_size: int = DEFAULT_BATCH,
    actor: Actor = SYSTEM,
    on_batch: Callable[[RotationResult], None] | None = None,
) -> RotationResult:
    """Re-seal every stored personal value not yet under the current keys (see the module
    docstring); resumable, one transaction per batch, one audit record per run."""
    ring = keyring()
    result = RotationResult(key_prefix=ring.prefix, pending=rotation_pending())
    try:
        for model, columns in _by_model().items():
            after_pk = 0
            while True:
                last = _rotate_batch(model, columns, after_pk, batch_size, result)
                if last is None:
                    break
                after_pk = last
                if on_batch is not None:
                    on_batch(result)
        result.completed = True
    finally:
        _audit(result, actor)
    return result


def _audit(result: RotationResult, actor: Actor) -> None:
    """The run's audit record (also when the run was stopped)."""
    audit_run_record(
        completed=result.completed,
        actor=actor,
        object_type="core.personal",
        object_repr=_("Personal-data key rotation"),
        before={"pending": result.pending},
        after=result.as_audit(),
    )
