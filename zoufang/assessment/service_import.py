"""Importing 便民服务 records (`ServiceRecord`) from a spreadsheet, and its blank template.

One row is one unit's figures for one service and one period, as the form takes them. Every
row is checked (unit in the importer's scope, the service's name, the dates, the counts);
one wrong row and nothing is written, and every error is listed with its row, column and
reason. A row whose unit, service and period match a record already there changes that
record (as saving the form again does); the preview says which rows add a record, which
change one (from → to) and which change nothing. The write is one transaction with an audit
row per record added or changed and one for the import.

The file is read by `spreadsheet.read_table`, after the ledger's refusals (`check_file`).
The headers and the words of the template are the file format's, so they are Chinese
constants whatever the interface language (like the ledger's template).
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from zoufang.core import validators
from zoufang.core.actors import Actor
from zoufang.core.audit import AuditAction, AuditEntry, audit_bulk, audit_record
from zoufang.core.text import cell_text, to_halfwidth
from zoufang.ledger.columns import Column
from zoufang.ledger.imports import RowError
from zoufang.org.models import Unit
from zoufang.org.permissions import Perm, account_of, require
from zoufang.org.scope import user_scope

from .models import ServiceKind, ServiceRecord
from .spreadsheet import read_table

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COUNT = 10_000_000  # a county's certificates in a year stay far below this


COLUMNS: tuple[Column, ...] = (
    Column("单位编码", "unit", True, "本单位或下属单位的单位编码，见“单位列表”工作表"),
    Column("单位名称", "unit_name", False, "仅供核对，可不填；填写时须与单位编码相符"),
    Column("业务类别", "kind", True, "从下拉列表选择：户政、出入境、车驾管"),
    Column("起始日期", "period_start", True, "统计时段的第一天，如 2022-01-01；不能晚于今天"),
    Column("截止日期", "period_end", True, "统计时段的最后一天，如 2022-03-31；不早于起始日期"),
    Column("下放事项数", "items_delegated", False, "不小于0的整数，空白为0"),
    Column("办证数", "certificates_handled", False, "办理的证件数，不小于0的整数，空白为0"),
)
COLUMN_BY_FIELD = {column.field: column for column in COLUMNS}
KIND_BY_LABEL: dict[str, str] = {
    "户政": ServiceKind.HOUSEHOLD,
    "出入境": ServiceKind.EXIT_ENTRY,
    "车驾管": ServiceKind.VEHICLE_DRIVER,
}
KIND_LABEL = {code: label for label, code in KIND_BY_LABEL.items()}
# Also accepted: "户政业务", "出入境管理", "户籍", "车管", and the codes.
_KIND_ALIASES = {
    **KIND_BY_LABEL,
    **{f"{label}业务": code for label, code in KIND_BY_LABEL.items()},
    **{f"{label}管理": code for label, code in KIND_BY_LABEL.items()},
    "户籍": ServiceKind.HOUSEHOLD,
    "车管": ServiceKind.VEHICLE_DRIVER,
    **{code: code for code in ServiceKind.values},
}


class Action:
    """What confirming does to a row's record."""

    CREATE = "create"
    UPDATE = "update"
    SAME = "same"


@dataclass
class Change:
    """A valid row and what it does: add a record, change one (`before`), or nothing."""

    row: int
    unit: str
    unit_name: str
    kind: str
    period_start: str
    period_end: str
    items_delegated: int
    certificates_handled: int
    action: str
    before: dict[str, int] | None = None


@dataclass
class ServiceImportResult:
    """What an import found and did."""

    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    written: bool = False

    def as_json(self) -> dict[str, Any]:
        """A summary in the shape of `import_ledger --json`."""
        return {
            "file": self.file,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [
                {"row": e.row, "column": e.column, "message": e.message} for e in self.errors
            ],
        }

    def as_stored(self) -> dict[str, Any]:
        """Everything, for the preview page."""
        return asdict(self)


@dataclass(frozen=True)
class _Row:
    row: int
    unit: Unit
    kind: str
    period_start: datetime.date
    period_end: datetime.date
    items_delegated: int
    certificates_handled: int

    @property
    def key(self) -> tuple[int, str, datetime.date, datetime.date]:
        return (self.unit.pk, self.kind, self.period_start, self.period_end)


def parse_count(value: object) -> int:
    """A whole number ≥ 0 (blank is 0), with the counters' messages but a higher ceiling."""
    try:
        return validators.parse_counter(value)
    except ValidationError as error:
        if error.code != "too_large":
            raise
    number = int(to_halfwidth(cell_text(value)).replace(",", "").replace(" ", "").split(".")[0])
    if number > MAX_COUNT:
        raise ValidationError(_("Too large: at most %(max)s") % {"max": MAX_COUNT})
    return number


def parse_kind(value: object) -> str:
    """户政, 出入境 or 车驾管 (also with 业务 or 管理 after it, or the code)."""
    text = to_halfwidth(cell_text(value)).replace(" ", "").replace("　", "")
    if not text:
        raise ValidationError(_("Required"))
    code = _KIND_ALIASES.get(text) or _KIND_ALIASES.get(text.lower())
    if code is None:
        raise ValidationError(
            _("“%(value)s” is not a service; use one of %(labels)s")
            % {"value": text[:20], "labels": "、".join(KIND_BY_LABEL)}
        )
    return code


class _Checker:
    """Turns raw rows into valid rows, with the messages a unit's clerk understands."""

    def __init__(self, *, actor: Actor, today: datetime.date) -> None:
        self.today = today
        self.units = {unit.code.upper(): unit for unit in Unit.objects.all()}
        everything = user_scope(actor).everything
        self.scope: set[int] | None = (
            None if everything else set(Unit.objects.visible_to(actor).values_list("pk", flat=True))
        )

    def check(self, number: int, raw: Mapping[str, object]) -> tuple[_Row | None, list[RowError]]:
        errors: list[RowError] = []

        def fail(name: str, message: str) -> None:
            value = cell_text(raw.get(name))[:50]
            errors.append(RowError(number, COLUMN_BY_FIELD[name].header, message, value))

        parsers = {
            "unit": self._unit,
            "kind": parse_kind,
            "period_start": lambda v: validators.parse_date(v, today=self.today),
            "period_end": lambda v: validators.parse_date(v, today=datetime.date.max),
            "items_delegated": parse_count,
            "certificates_handled": parse_count,
        }
        clean: dict[str, Any] = {}
        for name, parse in parsers.items():
            try:
                clean[name] = parse(raw.get(name))
            except ValidationError as error:
                fail(name, error.messages[0])
        if "unit" in clean and (name := to_halfwidth(cell_text(raw.get("unit_name")))):
            unit = clean["unit"]
            if not any(known and known in name for known in unit_names(unit)):
                fail(
                    "unit_name",
                    _("Unit %(code)s is %(name)s, not this unit")
                    % {"code": unit.code, "name": unit.name},
                )
        start, end = clean.get("period_start"), clean.get("period_end")
        if start and end and end < start:
            fail("period_end", _("The end date is before the start date"))
        if errors:
            return None, errors
        return _Row(row=number, **clean), []

    def _unit(self, value: object) -> Unit:
        code = to_halfwidth(cell_text(value)).strip().upper()
        if not code:
            raise ValidationError(_("Required"))
        unit = self.units.get(code)
        if unit is None or (self.scope is not None and unit.pk not in self.scope):
            # A unit outside the scope is reported as unknown: its existence does not leak.
            raise ValidationError(_("No unit with code %(code)s") % {"code": code})
        if not unit.is_active:
            raise ValidationError(_("Unit %(code)s is no longer in use") % {"code": code})
        return unit


def unit_names(unit: Unit) -> tuple[str, ...]:
    """The names a sheet may give a unit: its name or short name, or a longer name holding
    one (such as the county's name before the station's)."""
    return (unit.name, unit.short_name or "")


def _overlaps(a: _Row, start: datetime.date, end: datetime.date) -> bool:
    return a.period_start <= end and start <= a.period_end


def _period(start: datetime.date, end: datetime.date) -> str:
    return f"{start.isoformat()}—{end.isoformat()}"


def _cross_checks(rows: list[_Row], result: ServiceImportResult) -> list[_Row]:
    """The rows without a repeat or an overlap of an earlier row of the file (both errors:
    the records would be counted twice)."""
    kept: list[_Row] = []
    by_unit_kind: dict[tuple[int, str], list[_Row]] = {}
    for row in rows:
        earlier = by_unit_kind.setdefault((row.unit.pk, row.kind), [])
        clash = next((e for e in earlier if _overlaps(e, row.period_start, row.period_end)), None)
        if clash is not None:
            message = (
                _("Same unit, service and period as row %(row)s")
                if clash.key == row.key
                else _("The period overlaps row %(row)s (%(period)s) of the same unit and service")
            ) % {"row": clash.row, "period": _period(clash.period_start, clash.period_end)}
            header = COLUMN_BY_FIELD["period_start"].header
            result.errors.append(RowError(row.row, header, message, row.period_start.isoformat()))
            continue
        earlier.append(row)
        kept.append(row)
    return kept


def _existing(rows: Iterable[_Row], *, lock: bool) -> list[ServiceRecord]:
    """Records of the rows' units and services that overlap any row's period."""
    rows = list(rows)
    if not rows:
        return []
    records = ServiceRecord.objects.filter(
        unit_id__in={row.unit.pk for row in rows},
        kind__in={row.kind for row in rows},
        period_start__lte=max(row.period_end for row in rows),
        period_end__gte=min(row.period_start for row in rows),
    )
    if lock:
        records = records.select_for_update()
    return list(records.order_by("pk"))


def _plan(rows: list[_Row], records: list[ServiceRecord], result: ServiceImportResult) -> None:
    """Each row's action, and a warning where a row's period overlaps another record's."""
    exact = {(r.unit_id, r.kind, r.period_start, r.period_end): r for r in records}
    by_unit_kind: dict[tuple[int, str], list[ServiceRecord]] = {}
    for each in records:
        by_unit_kind.setdefault((each.unit_id, each.kind), []).append(each)
    for row in rows:
        record = exact.get(row.key)
        before = None
        if record is None:
            action = Action.CREATE
        else:
            before = {
                "items_delegated": record.items_delegated,
                "certificates_handled": record.certificates_handled,
            }
            same = before == {
                "items_delegated": row.items_delegated,
                "certificates_handled": row.certificates_handled,
            }
            action = Action.SAME if same else Action.UPDATE
        for other in by_unit_kind.get((row.unit.pk, row.kind), []):
            if other is not record and _overlaps(row, other.period_start, other.period_end):
                result.warnings.append(
                    _(
                        "Row %(row)s: the period %(period)s overlaps the record of "
                        "%(other)s of %(unit)s; certificates in both would be counted twice"
                    )
                    % {
                        "row": row.row,
                        "period": _period(row.period_start, row.period_end),
                        "other": _period(other.period_start, other.period_end),
                        "unit": row.unit.name,
                    }
                )
        result.changes.append(
            Change(
                row=row.row,
                unit=row.unit.code,
                unit_name=row.unit.name,
                kind=row.kind,
                period_start=row.period_start.isoformat(),
                period_end=row.period_end.isoformat(),
                items_delegated=row.items_delegated,
                certificates_handled=row.certificates_handled,
                action=action,
                before=before,
            )
        )
    result.created = sum(c.action == Action.CREATE for c in result.changes)
    result.updated = sum(c.action == Action.UPDATE for c in result.changes)
    result.unchanged = sum(c.action == Action.SAME for c in result.changes)


def service_records_import(
    *,
    actor: Actor,
    source: bytes,
    filename: str,
    write: bool,
    today: datetime.date | None = None,
) -> ServiceImportResult:
    """Check a 便民服务 sheet and, when every row is right and `write` is set, add and change
    the records it holds, all or nothing. Raises sheets.SheetError for an unusable file and
    PermissionDenied for a role that does not record 便民服务."""
    require(actor, Perm.SERVICE_RECORD)
    result = ServiceImportResult(file=filename)
    headers = {column.header: column.field for column in COLUMNS}
    table = read_table(
        source=source,
        filename=filename,
        headers=headers,
        required=[column.header for column in COLUMNS if column.required],
        max_bytes=MAX_BYTES,
        max_rows=MAX_ROWS,
    )
    result.warnings = [
        _("Unknown column “%(header)s” is ignored") % {"header": header}
        for header in table.unknown_headers
    ]
    checker = _Checker(actor=actor, today=today or timezone.localdate())
    rows: list[_Row] = []
    for number, raw in table.rows:
        result.rows += 1
        row, errors = checker.check(number, raw)
        result.errors.extend(errors)
        if row is not None:
            rows.append(row)
    rows = _cross_checks(rows, result)
    result.errors.sort(key=lambda error: error.row)
    write = write and not result.errors
    try:
        with transaction.atomic():
            records = _existing(rows, lock=write)
            _plan(rows, records, result)
            if write:
                _write(actor=actor, rows=rows, records=records, result=result)
    except IntegrityError as exc:
        raise ValidationError(
            _("Another import wrote the same records just now; check the file again")
        ) from exc
    return result


def _write(
    *, actor: Actor, rows: list[_Row], records: list[ServiceRecord], result: ServiceImportResult
) -> None:
    """Add and change the records (the plan is in `result.changes`), with their audit rows."""
    by_row = {row.row: row for row in rows}
    user = account_of(actor)
    existing = {(r.unit_id, r.kind, r.period_start, r.period_end): r for r in records}
    new: list[ServiceRecord] = []
    changed: list[tuple[ServiceRecord, dict[str, int]]] = []
    for change in result.changes:
        row = by_row[change.row]
        if change.action == Action.CREATE:
            new.append(
                ServiceRecord(
                    unit=row.unit,
                    kind=row.kind,
                    period_start=row.period_start,
                    period_end=row.period_end,
                    items_delegated=row.items_delegated,
                    certificates_handled=row.certificates_handled,
                    created_by=user,
                )
            )
        elif change.action == Action.UPDATE:
            record = existing[row.key]
            before = {
                "items_delegated": record.items_delegated,
                "certificates_handled": record.certificates_handled,
            }
            record.items_delegated = row.items_delegated
            record.certificates_handled = row.certificates_handled
            record.created_by = user
            changed.append((record, before))
    created = ServiceRecord.objects.bulk_create(new)
    ServiceRecord.objects.bulk_update(
        [record for record, _before in changed],
        ["items_delegated", "certificates_handled", "created_by"],
    )
    entries = [
        AuditEntry(action=AuditAction.CREATE, actor=actor, target=record, after=_snapshot(record))
        for record in created
        if record.pk
    ]
    entries += [
        AuditEntry(
            action=AuditAction.UPDATE,
            actor=actor,
            target=record,
            before=before,
            after={
                "items_delegated": record.items_delegated,
                "certificates_handled": record.certificates_handled,
            },
            note=result.file[:200],
        )
        for record, before in changed
    ]
    audit_bulk(entries)
    audit_record(
        action=AuditAction.IMPORT,
        actor=actor,
        object_type="assessment.servicerecord",
        object_repr=result.file[:200],
        after={
            "file": result.file,
            "rows": result.rows,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        },
    )
    result.written = True


def _snapshot(record: ServiceRecord) -> dict[str, Any]:
    return {
        "unit": record.unit.code,
        "kind": record.kind,
        "from": record.period_start.isoformat(),
        "to": record.period_end.isoformat(),
        "items_delegated": record.items_delegated,
        "certificates_handled": record.certificates_handled,
    }


# ---------------------------------------------------------------------------------------------
# The blank template

TEMPLATE_TITLE = (
    "便民服务数据（红色表头为必填列；请勿修改表头文字；从第3行起填写，每行一个单位一项业务"
    "一个统计时段；单位编码见“单位列表”工作表）"
)
TEMPLATE_ROWS = 2000  # rows below the header that get the drop-down list
_REQUIRED_FILL = PatternFill("solid", fgColor="F8CBAD")
_OPTIONAL_FILL = PatternFill("solid", fgColor="DDEBF7")
_WIDTHS = {"unit": 14, "unit_name": 24, "kind": 12, "period_start": 13, "period_end": 13}


def template_workbook(*, units: Iterable[Unit]) -> bytes:
    """The blank template (.xlsx): a title row, the header row, and a sheet listing the
    units the user may record for (code and name)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "便民服务"
    sheet.append([TEMPLATE_TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A1"].alignment = Alignment(wrap_text=True, vertical="center")
    sheet.row_dimensions[1].height = 36
    sheet.append([column.header for column in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=2, column=index)
        cell.fill = _REQUIRED_FILL if column.required else _OPTIONAL_FILL
        cell.font = Font(bold=True, color="C00000" if column.required else None)
        cell.comment = Comment(column.accepts, "走访系统")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = _WIDTHS.get(column.field, 12)
        if column.field in ("period_start", "period_end"):
            for row in range(3, TEMPLATE_ROWS + 3):
                sheet.cell(row=row, column=index).number_format = "yyyy-mm-dd"
    kinds = DataValidation(
        type="list",
        formula1='"' + ",".join(KIND_BY_LABEL) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="业务类别",
        error="请从下拉列表选择：" + "、".join(KIND_BY_LABEL),
    )
    letter = get_column_letter(list(COLUMN_BY_FIELD).index("kind") + 1)
    kinds.add(f"{letter}3:{letter}{TEMPLATE_ROWS + 2}")
    sheet.add_data_validation(kinds)
    sheet.freeze_panes = "A3"

    listing = workbook.create_sheet("单位列表")
    listing.append(["编码", "名称"])
    for cell in listing[1]:
        cell.font = Font(bold=True)
    for unit in units:
        listing.append([unit.code, unit.name])
    listing.column_dimensions["A"].width = 14
    listing.column_dimensions["B"].width = 30
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()
