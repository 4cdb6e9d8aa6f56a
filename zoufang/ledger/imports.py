"""Importing a ledger file (台账): every row checked with the validators the quick-entry form
uses, against lookups loaded once; nothing written when a row is wrong (unless told to skip
the wrong rows); duplicates of the ledger or of earlier rows counted, not written; the write is
`visits_bulk_create`, in one transaction, with roll-ups and audit.

The file is read by `sheets.py` (which refuses unusable files before parsing).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoufang.core import validators
from zoufang.core.audit import AuditAction, audit_record
from zoufang.core.text import cell_text, to_halfwidth
from zoufang.org.models import Officer, Unit

from .columns import CHANNEL_BY_LABEL, COLUMN_BY_FIELD, TARGET_TYPE_BY_LABEL
from .models import VisitSource
from .services import (
    VisitInput,
    existing_dedup_keys,
    input_dedup_key,
    scope_unit_ids_of,
    visit_input_errors,
    visits_bulk_create,
)
from .sheets import DEFAULT_MAX_BYTES, Source, open_sheet

Progress = Callable[[str, int], None]
PERSONAL_FIELDS = ("phone", "id_number")
# Rows checked, then written, at a time; and how often the progress bar moves.
BATCH_ROWS = 5000
PROGRESS_EVERY = 2000


@dataclass
class RowError:
    """A problem with one cell (or row): the row as Excel numbers it, the column's header."""

    row: int
    column: str
    message: str
    value: str = ""


@dataclass
class ImportResult:
    """What an import found and did."""

    file: str
    rows: int = 0
    valid: int = 0
    imported: int = 0
    duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    def as_json(self) -> dict[str, Any]:
        """The summary `import_ledger --json` prints (DESIGN.md)."""
        return {
            "file": self.file,
            "rows": self.rows,
            "imported": self.imported,
            "duplicates": self.duplicates,
            "errors": [
                {"row": e.row, "column": e.column, "message": e.message} for e in self.errors
            ],
        }

    def as_stored(self) -> dict[str, Any]:
        """Everything, for an import job (the preview page)."""
        return {**asdict(self), "errors": [asdict(e) for e in self.errors]}


def masked_value(field_name: str, value: object) -> str:
    """A cell's value as the preview shows it: personal data masked."""
    text = cell_text(value)
    if field_name in PERSONAL_FIELDS and text:
        return text[:3] + "*" * max(len(text) - 7, 3) + text[-4:] if len(text) > 7 else "***"
    return text[:50]


class RowChecker:
    """Turns raw rows into VisitInputs, with the messages an officer understands."""

    def __init__(self, *, actor: Any, today: datetime.date | None = None) -> None:
        self.today = today or timezone.localdate()
        self.scope = scope_unit_ids_of(actor)
        self.units = {u.code.upper(): u for u in Unit.objects.all()}
        self.officers = {
            o.badge_no.upper(): o
            for o in Officer.objects.select_related("unit").filter(user__is_active=True)
        }
        self._parse = self._parsers()

    def check(
        self, excel_row: int, raw: Mapping[str, object]
    ) -> tuple[VisitInput | None, list[RowError]]:
        """The row's VisitInput, or the errors that keep it out."""
        errors: list[RowError] = []
        clean: dict[str, Any] = {}

        def fail(name: str, message: str) -> None:
            errors.append(
                RowError(
                    excel_row,
                    COLUMN_BY_FIELD[name].header,
                    message,
                    masked_value(name, raw.get(name)),
                )
            )

        for name, parse in self._parse.items():
            try:
                clean[name] = parse(raw.get(name))
            except ValidationError as error:
                fail(name, error.messages[0])
        if errors:
            return None, errors
        data = VisitInput(**clean)
        rules = visit_input_errors(data, scope_unit_ids=self.scope, today=self.today)
        for name, message in rules.items():
            fail(name, message)
        return (None, errors) if errors else (data, [])

    def _parsers(self) -> dict[str, Callable[[object], Any]]:
        return {
            "visit_date": lambda v: validators.parse_date(v, today=self.today),
            "unit": self._unit,
            "officers": self._officers,
            "target_type": lambda v: _vocabulary(
                v, TARGET_TYPE_BY_LABEL, gettext_lazy("target type")
            ),
            "channel": lambda v: _vocabulary(v, CHANNEL_BY_LABEL, gettext_lazy("channel")),
            "is_return_visit": validators.parse_bool,
            "target_name": lambda v: validators.clean_text(v, max_length=100, required=True),
            "phone": validators.normalize_phone,
            "id_number": validators.normalize_id_number,
            "address": lambda v: validators.clean_text(v, max_length=200),
            "opinions_collected": validators.parse_counter,
            "disputes_mediated": validators.parse_counter,
            "hazards_found": validators.parse_counter,
            "households_helped": validators.parse_counter,
            "donation_amount": validators.parse_amount,
            "summary": lambda v: validators.clean_text(v, max_length=1000),
            "note": lambda v: validators.clean_text(v, max_length=500),
            "opinions": validators.split_opinions,
        }

    def _unit(self, value: object) -> Unit:
        code = to_halfwidth(cell_text(value)).strip().upper()
        if not code:
            raise ValidationError(_("Required"))
        unit = self.units.get(code)
        if unit is None:
            raise ValidationError(_("No unit with code %(code)s") % {"code": code})
        return unit

    def _officers(self, value: object) -> tuple[Officer, ...]:
        badges = validators.split_badges(value)
        if not badges:
            raise ValidationError(_("Name at least one officer"))
        unknown = [b for b in badges if b not in self.officers]
        if unknown:
            raise ValidationError(
                _("No officer with badge number %(badges)s") % {"badges": "、".join(unknown)}
            )
        return tuple(self.officers[b] for b in badges)


def _vocabulary(value: object, labels: dict[str, str], what: Any) -> str:
    text = to_halfwidth(cell_text(value)).replace(" ", "")
    if not text:
        raise ValidationError(_("Required"))
    if text in labels:
        return labels[text]
    raise ValidationError(
        _("“%(value)s” is not a %(what)s; use one of %(labels)s")
        % {"value": text[:20], "what": what, "labels": "、".join(labels)}
    )


class _Batches:
    """Valid rows gathered into batches: duplicates counted, the rest written (or not)."""

    def __init__(self, *, actor: Any, result: ImportResult, write: bool) -> None:
        self.actor = actor
        self.result = result
        self.write = write
        self.pending: list[VisitInput] = []
        self.seen: set[str] = set()
        self.ids: list[int] = []

    def add(self, row: VisitInput) -> None:
        self.pending.append(row)
        if len(self.pending) >= BATCH_ROWS:
            self.flush()

    def stop_writing(self) -> None:
        """A row is wrong and wrong rows are not skipped: nothing more is written."""
        self.write = False

    def flush(self) -> None:
        rows, self.pending = self.pending, []
        if not rows:
            return
        keys = [input_dedup_key(row) for row in rows]
        taken = existing_dedup_keys([key for key in keys if key not in self.seen])
        fresh: list[VisitInput] = []
        fresh_keys: list[str] = []
        for row, key in zip(rows, keys, strict=True):
            if key in self.seen or key in taken:
                self.result.duplicates += 1
                continue
            self.seen.add(key)
            fresh.append(row)
            fresh_keys.append(key)
        self.result.valid += len(rows)
        if self.write and fresh:
            written = visits_bulk_create(
                actor=self.actor,
                rows=fresh,
                source=VisitSource.IMPORT,
                audit="caller",
                keys=fresh_keys,
            )
            self.ids += written.created_ids
            self.result.imported += len(written.created_ids)


def ledger_import(
    *,
    actor: Any,
    source: Source,
    filename: str,
    dry_run: bool = False,
    skip_invalid: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Progress | None = None,
) -> ImportResult:
    """Check a ledger file and, unless a row is wrong (and not skipped) or it is a dry run,
    write its new rows. Raises sheets.SheetError for an unusable file.

    The file is read once, in batches of BATCH_ROWS rows: each batch is checked and
    written in one transaction around the whole file, so memory stays flat however long
    the file is, and a wrong row found late rolls back what was written before it.
    """
    result = ImportResult(file=filename, dry_run=dry_run)
    checker = RowChecker(actor=actor)
    with open_sheet(source=source, filename=filename, max_bytes=max_bytes) as sheet:
        result.warnings = list(sheet.warnings())
        with transaction.atomic():
            batches = _Batches(actor=actor, result=result, write=not dry_run)
            step = "checking" if dry_run else "writing"
            for excel_row, raw in sheet.rows():
                result.rows += 1
                data, errors = checker.check(excel_row, raw)
                if errors:
                    result.errors.extend(errors)
                    if not skip_invalid:
                        batches.stop_writing()
                else:
                    assert data is not None
                    batches.add(data)
                if progress and result.rows % PROGRESS_EVERY == 0:
                    progress(step, result.rows)
            batches.flush()
            if dry_run or (result.errors and not skip_invalid):
                transaction.set_rollback(True)
                result.imported = 0
                return result
            audit_record(
                action=AuditAction.IMPORT,
                actor=actor,
                object_type="ledger.visit",
                object_repr=filename[:200],
                after={
                    "file": filename,
                    "rows": result.rows,
                    "imported": result.imported,
                    "duplicates": result.duplicates,
                    "errors": len(result.errors),
                    "first_id": min(batches.ids, default=None),
                    "last_id": max(batches.ids, default=None),
                },
            )
    return result
