"""Importing a ledger file (台账): every row checked with the validators the quick-entry form
uses, against lookups loaded once; nothing written when a row is wrong (unless told to skip
the wrong rows); duplicates of the ledger or of earlier rows counted, not written; the write is
`services.visits_write`, in one transaction for the file, with roll-ups and audit.

The file is read by `sheets.py` (which refuses unusable files before parsing). A large .xlsx
is read by a child process (`xlsxworker`), which also checks and prepares the rows
(`check_in_worker`) while this process writes; other files are checked here (`check_rows`
either way). docs/ledger-files.md tells where the time goes.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoufang.core import validators
from zoufang.core.audit import AuditAction, audit_record
from zoufang.core.bulk import id_runs
from zoufang.core.collector import collect_young, collector_paused
from zoufang.core.personal import is_masked, keyring
from zoufang.core.text import cell_text, to_halfwidth
from zoufang.org.models import Officer, Unit

from .columns import CHANNEL_BY_LABEL, COLUMN_BY_FIELD, COLUMNS, TARGET_TYPE_BY_LABEL
from .models import VisitSource
from .rollups import rollup_add_visits
from .services import (
    PreparedVisit,
    VisitInput,
    copy_format,
    existing_dedup_keys,
    input_dedup_key,
    prepare_visit,
    scope_unit_ids_of,
    visit_input_errors,
    visit_unit_errors,
    visits_write,
)
from .sheets import (
    Cell,
    Sheet,
    Source,
    as_cell,
    damaged_error,
    open_sheet,
    worker_data_rows,
)
from .xlsxworker import WorkerError

Progress = Callable[[str, int], None]
PERSONAL_FIELDS = ("phone", "id_number")
# Rows checked, then written, at a time (the progress bar moves after each batch).
BATCH_ROWS = 5000
FIRST_BATCH_ROWS = 1000
# Fields whose cells repeat a few values down a sheet: each distinct value is parsed once
# (`RowChecker.check`), remembering at most MEMO_SIZE values a field.
REPEATING_FIELDS = frozenset(
    {
        "visit_date",
        "unit",
        "officers",
        "target_type",
        "channel",
        "is_return_visit",
        "opinions_collected",
        "disputes_mediated",
        "hazards_found",
        "households_helped",
        "donation_amount",
        "note",
    }
)
MEMO_SIZE = 50_000
COLUMN_ORDER = {column.header: index for index, column in enumerate(COLUMNS)}


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
    """Turns raw rows into VisitInputs, with the messages an officer understands.

    Works from lookups loaded once (`for_actor`), which can be handed to the child process
    that reads a large sheet (`as_lookups`, `from_lookups`): checking needs no database."""

    def __init__(
        self,
        *,
        units: Iterable[Unit],
        officers: Iterable[Officer],
        scope: set[int] | None,
        today: datetime.date,
        inactive_badges: Iterable[str] = (),
        cells: Callable[[object], Cell] | None = None,
    ) -> None:
        """`cells`: the rows hold values as the reader gives them, which this turns into
        cells (`sheets.as_cell`) before parsing them; None when they are cells already."""
        self.today = today
        self.inactive_badges = {badge.upper() for badge in inactive_badges}
        self.scope = scope
        self.units = {u.code.upper(): u for u in units}
        self.officers = {o.badge_no.upper(): o for o in officers}
        # A badge with leading zeros typed into a number cell loses them (000123 → 123):
        # such a cell names the badge it can only mean.
        padded: dict[str, list[str]] = {}
        for badge in self.officers:
            if badge.isdigit() and badge.startswith("0"):
                padded.setdefault(badge.lstrip("0"), []).append(badge)
        self._padded = {
            number: badges[0]
            for number, badges in padded.items()
            if len(badges) == 1 and number not in self.officers
        }
        parsers = self._parsers()
        for name in PERSONAL_FIELDS:
            parsers[name] = self._unless_masked(name, parsers[name])
        self._cell = cells
        # (field, parse, outcomes of values seen, whether to remember more): see `check`.
        self._fields: list[tuple[str, Callable[[object], Any], dict[object, Any], bool]] = [
            (name, parse, self._blank_outcomes(parse), name in REPEATING_FIELDS)
            for name, parse in parsers.items()
        ]
        # Cells of each personal column holding a masked value, since the last batch.
        self.masked: Counter[str] = Counter()
        self._unit_rules_seen: dict[tuple[int, ...], dict[str, str]] = {}

    @classmethod
    def for_actor(cls, actor: Any, *, today: datetime.date | None = None) -> RowChecker:
        """A checker for rows `actor` imports: units and active officers from the database."""
        return cls(
            units=Unit.objects.all(),
            officers=Officer.objects.select_related("unit").filter(user__is_active=True),
            scope=scope_unit_ids_of(actor),
            today=today or timezone.localdate(),
            inactive_badges=Officer.objects.filter(user__is_active=False).values_list(
                "badge_no", flat=True
            ),
        )

    def as_lookups(self) -> dict[str, Any]:
        """What the checker knows, as JSON (see from_lookups)."""
        return {
            "today": self.today.isoformat(),
            "scope": None if self.scope is None else sorted(self.scope),
            "units": [[u.pk, u.code, u.path, u.is_active] for u in self.units.values()],
            "officers": [[o.pk, o.badge_no, o.unit_id] for o in self.officers.values()],
            "inactive_badges": sorted(self.inactive_badges),
        }

    @classmethod
    def from_lookups(
        cls, lookups: Mapping[str, Any], *, cells: Callable[[object], Cell] | None = None
    ) -> RowChecker:
        """A checker from `as_lookups`' JSON, without the database (the child process)."""
        units = {
            pk: Unit(pk=pk, code=code, path=path, is_active=active)
            for pk, code, path, active in lookups["units"]
        }
        officers = []
        for pk, badge_no, unit_id in lookups["officers"]:
            officer = Officer(pk=pk, badge_no=badge_no, unit_id=unit_id)
            officer.unit = units[unit_id]
            officers.append(officer)
        scope = lookups["scope"]
        return cls(
            units=units.values(),
            officers=officers,
            scope=None if scope is None else set(scope),
            today=datetime.date.fromisoformat(lookups["today"]),
            inactive_badges=lookups["inactive_badges"],
            cells=cells,
        )

    def check(
        self, excel_row: int, raw: Mapping[str, object]
    ) -> tuple[VisitInput | None, list[RowError]]:
        """The row's VisitInput, or the errors that keep it out.

        A column that repeats a few values down the sheet (REPEATING_FIELDS: 单位代码,
        走访方式, ...) has each distinct value parsed once: its outcome, or its refusal's
        message, is remembered (at most MEMO_SIZE values a column); other columns remember
        what an empty cell gives. The values are told apart by type too, as 1, 1.0 and True
        are equal and parse differently."""
        clean: dict[str, Any] = {}
        refused: list[tuple[str, str]] = []
        cell = self._cell
        for name, parse, seen, remember in self._fields:
            value = raw.get(name)
            key = value if type(value) is str else (type(value), value)
            outcome = seen.get(key, _UNSEEN)
            if outcome is _UNSEEN:
                outcome = _outcome(parse, value if cell is None else cell(value))
                if remember:
                    if len(seen) >= MEMO_SIZE:
                        seen.clear()
                    seen[key] = outcome
            if type(outcome) is _Refusal:
                refused.append((name, outcome.message))
            else:
                clean[name] = outcome
        if not refused:
            data = VisitInput.from_fields(clean)
            rules = visit_input_errors(
                data, scope_unit_ids=self.scope, today=self.today, unit_rules=self._unit_rules
            )
            if not rules:
                return data, []
            return None, [self._error(excel_row, raw, n, m) for n, m in rules.items()]
        # The unit and officer rules still apply when those two columns are readable, so
        # the preview shows every problem of the row at once.
        if "unit" in clean and "officers" in clean:
            rules = self._unit_rules(clean["unit"], clean["officers"], self.scope)
            refused += rules.items()
        errors = [self._error(excel_row, raw, name, message) for name, message in refused]
        return None, sorted(errors, key=lambda error: COLUMN_ORDER[error.column])

    def _blank_outcomes(self, parse: Callable[[object], Any]) -> dict[object, Any]:
        """A column's outcomes for an empty cell, and for a column the sheet lacks."""
        outcome = _outcome(parse, "")
        return {"": outcome, (type(None), None): _outcome(parse, None)}

    def _error(
        self, excel_row: int, raw: Mapping[str, object], name: str, message: str
    ) -> RowError:
        value = raw.get(name)
        if self._cell is not None:
            value = self._cell(value)
        return RowError(excel_row, COLUMN_BY_FIELD[name].header, message, masked_value(name, value))

    def _unit_rules(
        self, unit: Unit, officers: Sequence[Officer], scope: set[int] | None
    ) -> dict[str, str]:
        """visit_unit_errors, once for each unit and officers (`scope` is always the
        checker's own). The key is the objects' ids: the checker holds every unit and
        officer it hands out, so an id stays theirs."""
        key = (id(unit), *map(id, officers))
        errors = self._unit_rules_seen.get(key)
        if errors is None:
            if len(self._unit_rules_seen) >= MEMO_SIZE:
                self._unit_rules_seen.clear()
            errors = self._unit_rules_seen[key] = visit_unit_errors(unit, officers, scope)
        return errors

    def _unless_masked(self, name: str, parse: Callable[[object], Any]) -> Callable[[object], Any]:
        """`parse`, but a masked value (a sheet exported by this system) is read as empty
        and counted: the full value is not in the file, and the rest of the row is good."""

        def parsed(value: object) -> Any:
            if type(value) is str and is_masked(value):
                self.masked[name] += 1
                return ""
            return parse(value)

        return parsed

    def _parsers(self) -> dict[str, Callable[[object], Any]]:
        target_type, channel = gettext_lazy("target type"), gettext_lazy("channel")
        return {
            "visit_date": lambda v: validators.parse_date(v, today=self.today),
            "unit": self._unit,
            "officers": self._officers,
            "target_type": lambda v: _vocabulary(v, TARGET_TYPE_BY_LABEL, target_type),
            "channel": lambda v: _vocabulary(v, CHANNEL_BY_LABEL, channel),
            "is_return_visit": validators.parse_bool,
            "target_name": lambda v: validators.clean_text(v, max_length=100, required=True),
            "phone": validators.normalize_phone,
            "id_number": lambda v: validators.normalize_id_number(v, today=self.today),
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
        if isinstance(value, int | float) and not isinstance(value, bool):
            badges = [self._padded.get(badge, badge) for badge in badges]
        if not badges:
            raise ValidationError(_("Name at least one officer"))
        retired = [b for b in badges if b not in self.officers and b in self.inactive_badges]
        unknown = [b for b in badges if b not in self.officers and b not in retired]
        problems = []
        if unknown:
            problems.append(
                _("No officer with badge number %(badges)s") % {"badges": "、".join(unknown)}
            )
        if retired:
            problems.append(
                _("The officer with badge number %(badges)s is no longer active")
                % {"badges": "、".join(retired)}
            )
        if problems:
            raise ValidationError("；".join(problems))
        return tuple(self.officers[b] for b in badges)


@dataclass(frozen=True, slots=True)
class _Refusal:
    message: str


def _outcome(parse: Callable[[object], Any], value: object) -> Any:
    """What `parse` makes of `value`, or its refusal."""
    try:
        return parse(value)
    except ValidationError as error:
        return _Refusal(error.messages[0])


_UNSEEN = object()


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


@dataclass
class CheckedBatch:
    """Up to BATCH_ROWS rows read and checked: how many, their errors, the valid ones
    prepared for writing (only their duplicate keys once nothing is to be written)."""

    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    visits: list[PreparedVisit] = field(default_factory=list)
    masked: dict[str, int] = field(default_factory=dict)  # see RowChecker._unless_masked

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "errors": [[e.row, e.column, e.message, e.value] for e in self.errors],
            "visits": [visit.as_json() for visit in self.visits],
            "masked": self.masked,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> CheckedBatch:
        return cls(
            rows=int(value["rows"]),
            errors=[RowError(int(r), str(c), str(m), str(v)) for r, c, m, v in value["errors"]],
            visits=[PreparedVisit.from_json(visit) for visit in value["visits"]],
            masked={str(name): int(count) for name, count in value["masked"].items()},
        )


def check_rows(
    rows: Iterable[tuple[int, Mapping[str, object]]],
    checker: RowChecker,
    *,
    write: bool,
    skip_invalid: bool,
    copy_format: bool,
) -> Iterator[CheckedBatch]:
    """Check rows and prepare the valid ones (sealed, laid out: `services.prepare_visit`),
    in batches of BATCH_ROWS rows read. Once nothing can be written (not `write`, or a wrong
    row and not `skip_invalid`), valid rows keep only their duplicate keys, which still
    count the duplicates. Runs in the import's child process for a large sheet, else here."""
    batch = CheckedBatch()
    size = FIRST_BATCH_ROWS  # small, so the writing starts early
    ring = keyring()
    for excel_row, raw in rows:
        batch.rows += 1
        data, errors = checker.check(excel_row, raw)
        if errors:
            batch.errors.extend(errors)
            write = write and skip_invalid
        else:
            assert data is not None
            key = input_dedup_key(data)
            if write:
                batch.visits.append(prepare_visit(data, key, copy_format=copy_format, ring=ring))
            else:
                batch.visits.append(PreparedVisit(key, data.unit.pk, [], "", []))
        if batch.rows >= size:
            batch.masked, checker.masked = dict(checker.masked), Counter()
            yield batch
            batch, size = CheckedBatch(), BATCH_ROWS
    if batch.rows:
        batch.masked = dict(checker.masked)
        yield batch


class _Writer:
    """Checked batches in, duplicates counted, the rest written (or not)."""

    def __init__(self, *, actor: Any, result: ImportResult, write: bool) -> None:
        self.actor = actor
        self.result = result
        self.write = write
        self.seen: set[str] = set()
        self.ids: list[int] = []
        self.masked: Counter[str] = Counter()

    def add(self, batch: CheckedBatch, *, skip_invalid: bool) -> None:
        result = self.result
        result.rows += batch.rows
        result.errors.extend(batch.errors)
        self.masked.update(batch.masked)
        if batch.errors and not skip_invalid:
            self.write = False  # a wrong row: nothing more is written
        keys = [visit.key for visit in batch.visits]
        taken = existing_dedup_keys([key for key in keys if key not in self.seen])
        fresh: list[PreparedVisit] = []
        for visit in batch.visits:
            if visit.key in self.seen or visit.key in taken:
                result.duplicates += 1
                continue
            self.seen.add(visit.key)
            fresh.append(visit)
        result.valid += len(batch.visits)
        if self.write and fresh:
            ids = visits_write(
                actor=self.actor,
                prepared=fresh,
                source=VisitSource.IMPORT,
                audit="caller",
                rollups=False,  # added once at the end (`finish`)
            )
            self.ids += ids
            result.imported += len(ids)

    def masked_warnings(self) -> list[str]:
        """A warning for each personal column with masked values read as empty."""
        return [
            _(
                "%(column)s: %(count)s rows hold a masked value, as exports show it; "
                "it is not imported"
            )
            % {"column": COLUMN_BY_FIELD[name].header, "count": self.masked[name]}
            for name in PERSONAL_FIELDS
            if self.masked[name]
        ]

    def finish(self) -> None:
        """Add the visits written to the roll-ups: once, each roll-up row written once."""
        rollup_add_visits(self.ids)


def ledger_import(
    *,
    actor: Any,
    source: Source,
    filename: str,
    dry_run: bool = False,
    skip_invalid: bool = False,
    max_bytes: int | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Check a ledger file and, unless a row is wrong (and not skipped) or it is a dry run,
    write its new rows. Raises sheets.SheetError for an unusable file.

    The rows are checked and prepared in batches of BATCH_ROWS (`check_rows`) — by the child
    process that reads a large .xlsx, while this process writes the batches it has already
    sent — and written in one transaction around the whole file, so memory stays flat
    however long the file is, and a wrong row found late rolls back what was written before.
    """
    result = ImportResult(file=filename, dry_run=dry_run)
    checker = RowChecker.for_actor(actor)
    with open_sheet(source=source, filename=filename, max_bytes=max_bytes) as sheet:
        result.warnings = list(sheet.warnings())
        options = {"write": not dry_run, "skip_invalid": skip_invalid, "copy_format": copy_format()}
        batches: Iterable[CheckedBatch]
        if sheet.worker is not None:
            batches = _checked_in_worker(sheet, checker, options)
        else:
            batches = check_rows(sheet.rows(), checker, **options)
        step = "checking" if dry_run else "writing"
        with transaction.atomic(), collector_paused():
            writer = _Writer(actor=actor, result=result, write=not dry_run)
            for batch in batches:
                writer.add(batch, skip_invalid=skip_invalid)
                collect_young()
                if progress:
                    progress(step, result.rows)
            result.warnings += writer.masked_warnings()
            if dry_run or (result.errors and not skip_invalid):
                transaction.set_rollback(True)
                result.imported = 0
                return result
            writer.finish()
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
                    "first_id": min(writer.ids, default=None),
                    "last_id": max(writer.ids, default=None),
                    # exactly the visits written: other writers' ids may lie in between
                    "id_ranges": id_runs(writer.ids),
                },
            )
    return result


def _checked_in_worker(
    sheet: Sheet, checker: RowChecker, options: dict[str, Any]
) -> Iterator[CheckedBatch]:
    """Batches checked by the child process reading the sheet (see `check_in_worker`)."""
    worker = sheet.worker
    assert worker is not None
    job = {
        **options,
        "keys": {name: getattr(django_settings, name, None) for name in KEY_SETTINGS},
        "language": translation.get_language(),
        "header_row": sheet.header_row,
        "columns": sheet.columns,
        "lookups": checker.as_lookups(),
    }
    try:
        for message in worker.check(job):
            yield CheckedBatch.from_json(message)
    except WorkerError as exc:  # the child died halfway, as the sheet's reader would
        raise damaged_error() from exc


# The settings sealing reads, handed to the child as they are here (tests override them).
KEY_SETTINGS = (
    "ZOUFANG_FIELD_KEY",
    "ZOUFANG_FIELD_KEYS_PREVIOUS",
    "ZOUFANG_FIELD_HASH_KEY",
    "ZOUFANG_FIELD_HASH_KEYS_PREVIOUS",
)


def check_in_worker(sheet: Any, job: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """In the child process (`ledger.xlsxworker`, after Django is set up): the loaded
    calamine worksheet's rows checked and prepared as `ledger_import` asked, as plain lists,
    strings and numbers (`CheckedBatch.as_json`; the child sends them as marshal data)."""
    for name, value in job["keys"].items():
        setattr(django_settings, name, value)
    translation.activate(job["language"] or django_settings.LANGUAGE_CODE)
    checker = RowChecker.from_lookups(job["lookups"], cells=as_cell)
    start = sheet.start
    rows = worker_data_rows(
        sheet.iter_rows(),
        first_column=0 if start is None else int(start[1]),
        header_row=int(job["header_row"]),
        columns={str(name): int(column) for name, column in job["columns"].items()},
    )
    for batch in check_rows(
        rows,
        checker,
        write=bool(job["write"]),
        skip_invalid=bool(job["skip_invalid"]),
        copy_format=bool(job["copy_format"]),
    ):
        yield batch.as_json()
