"""Every write to the ledger: one visit at a time (entry, API) or in bulk (import, demo).

Each write keeps the daily roll-ups and the audit trail in the same transaction.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from zoufang.core.actors import Actor
from zoufang.core.audit import AuditAction, AuditEntry, audit_bulk, audit_record, changed_only
from zoufang.core.bulk import bulk_insert, copy_data, copy_fields, next_ids
from zoufang.core.errors import ConflictError
from zoufang.core.personal import EMPTY, KeyRing, Sealed, seal_id_number, seal_phone
from zoufang.core.text import squash_spaces, to_halfwidth
from zoufang.org.models import Officer, Unit
from zoufang.org.permissions import account_of

from .models import Visit, VisitOfficer, VisitSource
from .permissions import visit_can_change, visit_can_delete
from .rollups import RollupDeltas, rollup_add_visits, rollup_apply

VisitOpinionsWriter = Callable[..., Any]
_visit_opinions_writers: list[VisitOpinionsWriter] = []


def register_visit_opinions_writer(writer: VisitOpinionsWriter) -> None:
    """Let the opinions app register the opinions written on visits (意见建议 column).

    The writer is called as `writer(actor=..., items=[(visit, texts), ...])` in the same
    transaction as the visits; the ledger itself does not import the opinions app.
    """
    if writer not in _visit_opinions_writers:
        _visit_opinions_writers.append(writer)


def _write_visit_opinions(actor: Actor, items: Sequence[tuple[Any, Sequence[str]]]) -> None:
    if items:
        for writer in _visit_opinions_writers:
            writer(actor=actor, items=items)


AUDIT_FIELDS = (
    "visit_date",
    "unit",
    "target_type",
    "channel",
    "is_return_visit",
    "target_name",
    "phone_masked",
    "id_number_masked",
    "address",
    "opinions_collected",
    "disputes_mediated",
    "hazards_found",
    "households_helped",
    "donation_amount",
    "summary",
    "note",
)


@dataclass(frozen=True)
class VisitInput:
    """The clean fields of one ledger row, as forms, the API and the importer produce them.

    `phone` and `id_number` are normalised (core.validators); on an update, None keeps the
    stored value and "" clears it.
    """

    visit_date: datetime.date
    unit: Unit
    officers: tuple[Officer, ...]
    target_type: str
    channel: str
    target_name: str
    is_return_visit: bool = False
    phone: str | None = ""
    id_number: str | None = ""
    address: str = ""
    opinions_collected: int = 0
    disputes_mediated: int = 0
    hazards_found: int = 0
    households_helped: int = 0
    donation_amount: Decimal = Decimal("0.00")
    summary: str = ""
    note: str = ""
    opinions: tuple[str, ...] = field(default=())

    @classmethod
    def from_fields(cls, values: Mapping[str, Any]) -> VisitInput:
        """A VisitInput from a value for each of its fields, as `cls(**values)` makes it
        but without the frozen class's field-by-field set-up: the importer makes one for
        every row of a sheet."""
        if values.keys() != _VISIT_INPUT_FIELDS:
            raise TypeError(f"VisitInput needs {sorted(_VISIT_INPUT_FIELDS)}, got {list(values)}")
        data = object.__new__(cls)
        data.__dict__.update(values)
        return data


_VISIT_INPUT_FIELDS = frozenset(f.name for f in fields(VisitInput))


def normalize_target_name(name: str) -> str:
    """The target name as compared for duplicates: half-width, single spaces."""
    return squash_spaces(to_halfwidth(name))


def dedup_key(
    *,
    visit_date: datetime.date,
    unit_id: int,
    officer_ids: Sequence[int],
    target_type: str,
    channel: str,
    target_name: str,
) -> str:
    """Date, unit, sorted officers, target type, channel and name: equal keys are duplicates."""
    officers = ",".join(str(pk) for pk in sorted(set(officer_ids)))
    raw = "|".join(
        (
            visit_date.isoformat(),
            str(unit_id),
            officers,
            target_type,
            channel,
            normalize_target_name(target_name),
        )
    )
    return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()


def input_dedup_key(data: VisitInput) -> str:
    """The duplicate key of a row to write."""
    return dedup_key(
        visit_date=data.visit_date,
        unit_id=data.unit.id,
        officer_ids=[officer.id for officer in data.officers],
        target_type=data.target_type,
        channel=data.channel,
        target_name=data.target_name,
    )


UnitRules = Callable[[Unit, Sequence[Officer], "set[int] | None"], dict[str, str]]


def visit_unit_errors(
    unit: Unit, officers: Sequence[Officer], scope_unit_ids: set[int] | None
) -> dict[str, str]:
    """The rules on a row's unit and officers: the unit in scope and in use, at least one
    officer, every officer of the unit or a sub-unit. Returns {field: message}."""
    errors: dict[str, str] = {}
    if scope_unit_ids is not None and unit.pk not in scope_unit_ids:
        errors["unit"] = _("Unit %(code)s is not within your scope") % {"code": unit.code}
    if not unit.is_active:
        errors["unit"] = _("Unit %(code)s is no longer in use") % {"code": unit.code}
    if not officers:
        errors["officers"] = _("Name at least one officer")
    else:
        strangers = [o.badge_no for o in officers if not o.unit.path.startswith(unit.path)]
        if strangers:
            errors["officers"] = _(
                "Officer(s) %(badges)s do not belong to unit %(code)s or its sub-units"
            ) % {"badges": "、".join(strangers), "code": unit.code}
    return errors


def visit_input_errors(
    data: VisitInput,
    *,
    scope_unit_ids: set[int] | None,
    today: datetime.date | None = None,
    unit_rules: UnitRules = visit_unit_errors,
) -> dict[str, str]:
    """Rules a row must keep beyond its fields' formats; `scope_unit_ids` None means any unit.
    `unit_rules`: visit_unit_errors, or a cache of it (the importer checks the same unit and
    officers on many rows).

    Returns {field: message}; empty when the row may be written.
    """
    errors = dict(unit_rules(data.unit, data.officers, scope_unit_ids))
    if data.visit_date > (today or timezone.localdate()):
        errors["visit_date"] = _("The date is in the future")
    return errors


def scope_unit_ids_of(actor: Actor | None) -> set[int] | None:
    """The ids of the units the actor may write to; None for the whole city (or the system:
    SYSTEM, or None where the importer is called without a user)."""
    from zoufang.org.scope import user_scope

    if actor is None:
        return None
    scope = user_scope(actor)
    if scope.everything:
        return None
    if scope.units is None:
        return set()
    return set(scope.units.values_list("pk", flat=True))


def _seal(value: str | None, sealer: Any) -> Sealed | None:
    if value is None:
        return None
    return sealer(value) if value else EMPTY


def _apply_input(visit: Visit, data: VisitInput) -> None:
    visit.visit_date = data.visit_date
    visit.unit = data.unit
    visit.target_type = data.target_type
    visit.channel = data.channel
    visit.is_return_visit = data.is_return_visit
    visit.target_name = data.target_name
    for prefix, sealed in (
        ("phone", _seal(data.phone, seal_phone)),
        ("id_number", _seal(data.id_number, seal_id_number)),
    ):
        if sealed is not None:
            setattr(visit, f"{prefix}_cipher", sealed.cipher)
            setattr(visit, f"{prefix}_hash", sealed.digest)
            setattr(visit, f"{prefix}_masked", sealed.masked)
    visit.address = data.address
    visit.opinions_collected = max(data.opinions_collected, len(data.opinions))
    visit.disputes_mediated = data.disputes_mediated
    visit.hazards_found = data.hazards_found
    visit.households_helped = data.households_helped
    visit.donation_amount = data.donation_amount
    visit.summary = data.summary
    visit.note = data.note
    visit.dedup_key = input_dedup_key(data)


def visit_snapshot(visit: Visit, badges: Sequence[str]) -> dict[str, Any]:
    """A visit as the audit trail records it: masked personal data, officers by badge."""
    from zoufang.core.audit import snapshot

    return {**snapshot(visit, AUDIT_FIELDS), "officers": sorted(badges)}


def _duplicate_error() -> ValidationError:
    return ValidationError(
        {
            "target_name": _(
                "The same visit (date, unit, officers, type, channel, name) "
                "is already in the ledger"
            )
        }
    )


def _raise_errors(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError({name: [message] for name, message in errors.items()})


@transaction.atomic
def visit_create(
    *, actor: Actor, data: VisitInput, source: VisitSource | str = VisitSource.ENTRY
) -> Visit:
    """Record one visit, its officers, its roll-ups and its audit record."""
    _raise_errors(visit_input_errors(data, scope_unit_ids=scope_unit_ids_of(actor)))
    visit = Visit(source=source, created_by=account_of(actor))
    _apply_input(visit, replace(data, phone=data.phone or "", id_number=data.id_number or ""))
    try:
        with transaction.atomic():
            visit.save(force_insert=True)
    except IntegrityError as exc:
        raise _duplicate_error() from exc
    VisitOfficer.objects.bulk_create(
        [VisitOfficer(visit=visit, officer=officer) for officer in data.officers]
    )
    deltas = RollupDeltas()
    deltas.add(visit)
    rollup_apply(deltas)
    audit_record(
        action=AuditAction.CREATE,
        actor=actor,
        target=visit,
        after=visit_snapshot(visit, [o.badge_no for o in data.officers]),
    )
    _write_visit_opinions(actor, [(visit, data.opinions)] if data.opinions else [])
    return visit


def _locked_visit(visit_id: int, expected_version: int) -> Visit:
    visit = Visit.objects.select_for_update().get(pk=visit_id)
    if visit.version != expected_version:
        raise ConflictError(
            _(
                "Someone else changed this visit since you opened it (now version %(now)s, "
                "yours %(yours)s). The current data is shown; make your change again."
            )
            % {"now": visit.version, "yours": expected_version},
            extra={"current_version": visit.version},
        )
    return visit


@transaction.atomic
def visit_update(*, actor: Actor, visit_id: int, expected_version: int, data: VisitInput) -> Visit:
    """Change a visit if nobody changed it since `expected_version` (else ConflictError)."""
    visit = _locked_visit(visit_id, expected_version)
    if not visit_can_change(actor, visit):
        raise PermissionDenied(_("You may only change visits you recorded"))
    old_badges = list(visit.officers.values_list("badge_no", flat=True))
    before = visit_snapshot(visit, old_badges)
    _raise_errors(visit_input_errors(data, scope_unit_ids=scope_unit_ids_of(actor)))
    deltas = RollupDeltas()
    deltas.add(visit, -1)
    _apply_input(visit, data)
    visit.version += 1
    try:
        with transaction.atomic():
            visit.save()
    except IntegrityError as exc:
        raise _duplicate_error() from exc
    new_ids = {officer.pk for officer in data.officers}
    VisitOfficer.objects.filter(visit=visit).exclude(officer_id__in=new_ids).delete()
    kept = set(VisitOfficer.objects.filter(visit=visit).values_list("officer_id", flat=True))
    VisitOfficer.objects.bulk_create(
        [VisitOfficer(visit=visit, officer_id=pk) for pk in sorted(new_ids - kept)]
    )
    deltas.add(visit, 1)
    rollup_apply(deltas)
    old, new = changed_only(before, visit_snapshot(visit, [o.badge_no for o in data.officers]))
    audit_record(action=AuditAction.UPDATE, actor=actor, target=visit, before=old, after=new)
    return visit


@transaction.atomic
def visit_delete(*, actor: Actor, visit_id: int, expected_version: int) -> None:
    """Delete a visit, taking it out of the roll-ups."""
    visit = _locked_visit(visit_id, expected_version)
    if not visit_can_delete(actor, visit):
        raise PermissionDenied(_("You may not delete visits"))
    before = visit_snapshot(visit, list(visit.officers.values_list("badge_no", flat=True)))
    deltas = RollupDeltas()
    deltas.add(visit, -1)
    pk, label = visit.pk, str(visit)
    try:
        with transaction.atomic():
            visit.delete()
    except ProtectedError as exc:
        raise ConflictError(
            _("Opinions were registered from this visit, so it cannot be deleted")
        ) from exc
    rollup_apply(deltas)
    audit_record(
        action=AuditAction.DELETE,
        actor=actor,
        object_type="ledger.visit",
        object_id=str(pk),
        object_repr=label,
        before=before,
    )


@dataclass
class BulkResult:
    """What a bulk write did: the new visits' ids, and the indexes of rows skipped as duplicates."""

    created_ids: list[int]
    duplicate_rows: list[int]


def existing_dedup_keys(keys: Sequence[str]) -> set[str]:
    """The keys among `keys` that visits in the ledger already have.

    One statement with the keys as one parameter — an array on PostgreSQL, a JSON array on
    SQLite (read by json_each) — as a list of thousands of parameters would cost more to
    send and plan than the lookup, and meets SQLite's limit on parameters. On PostgreSQL
    each key is looked up in the unique index (the LATERAL … LIMIT 1): with `= ANY(keys)`
    the planner scans the whole table while it thinks it small — as it does for a ledger
    filling up in an import's own transaction, batch after batch (0.7 s of a 100,000-row
    import, against 0.3 s)."""
    found: set[str] = set()
    if not keys:
        return found
    table = connection.ops.quote_name(Visit._meta.db_table)
    if connection.vendor == "postgresql":
        sql = (
            "SELECT k.key FROM unnest(%s::varchar[]) AS k(key), LATERAL "
            f"(SELECT 1 FROM {table} v WHERE v.dedup_key = k.key LIMIT 1) AS hit"
        )
        parameter: Any = list(keys)
    else:
        sql = f"SELECT dedup_key FROM {table} WHERE dedup_key IN (SELECT value FROM json_each(%s))"
        parameter = json.dumps(list(keys))
    with connection.cursor() as cursor:
        cursor.execute(sql, [parameter])
        found.update(key for (key,) in cursor.fetchall())
    return found


# The visits table's columns a bulk write fills: a prepared record, then the constants.
BULK_COLUMNS = (
    "visit_date",
    "unit_id",
    "target_type",
    "channel",
    "is_return_visit",
    "target_name",
    "phone_cipher",
    "phone_hash",
    "phone_masked",
    "id_number_cipher",
    "id_number_hash",
    "id_number_masked",
    "address",
    "opinions_collected",
    "disputes_mediated",
    "hazards_found",
    "households_helped",
    "donation_amount",
    "summary",
    "note",
    "dedup_key",
    "source",
    "created_by_id",
    "created_at",
    "updated_at",
    "version",
)


CENTS = Decimal("0.01")


@dataclass(slots=True)
class PreparedVisit:
    """A checked row ready to be written: its duplicate key, its unit, officers and opinion
    texts, and its database values (personal data sealed) in BULK_COLUMNS order up to
    `dedup_key` — as one line of COPY's text format on PostgreSQL, a list elsewhere.

    Built by `prepare_visit` where the row is checked: in this process, or in the child
    process that reads a large sheet (`ledger.xlsxworker`), which sends it as plain lists
    (`as_json` / `from_json`)."""

    key: str
    unit_id: int
    officer_ids: list[int]
    record: str | list[Any]
    opinions: list[str]

    def as_json(self) -> list[Any]:
        return [self.key, self.unit_id, self.officer_ids, self.record, self.opinions]

    @classmethod
    def from_json(cls, value: list[Any]) -> PreparedVisit:
        key, unit_id, officer_ids, record, opinions = value
        return cls(str(key), int(unit_id), [int(o) for o in officer_ids], record, opinions)


def prepare_visit(
    row: VisitInput, key: str, *, copy_format: bool, ring: KeyRing | None = None
) -> PreparedVisit:
    """Seal and lay out a checked row (see PreparedVisit). No database access, so the
    import's child process can do it; `copy_format`: the record as a COPY text line
    (PostgreSQL) rather than a list of JSON-ready values (dates and amounts as text);
    `ring`: the keys, looked up once for many rows."""
    phone = seal_phone(row.phone, ring=ring) if row.phone else EMPTY
    id_number = seal_id_number(row.id_number, ring=ring) if row.id_number else EMPTY
    values = (
        row.visit_date.isoformat(),
        row.unit.id,
        str(row.target_type),  # a TextChoices member's value, as a plain string
        str(row.channel),
        row.is_return_visit,
        row.target_name,
        phone.cipher,
        phone.digest,
        phone.masked,
        id_number.cipher,
        id_number.digest,
        id_number.masked,
        row.address,
        max(row.opinions_collected, len(row.opinions)),
        row.disputes_mediated,
        row.hazards_found,
        row.households_helped,
        str(row.donation_amount.quantize(CENTS)),
        row.summary,
        row.note,
        key,
    )
    return PreparedVisit(
        key=key,
        unit_id=row.unit.id,
        officer_ids=sorted({officer.id for officer in row.officers}),
        record=copy_fields(values) if copy_format else list(values),
        opinions=list(row.opinions),
    )


def copy_format() -> bool:
    """Whether prepared records are COPY lines: the database is PostgreSQL."""
    return connection.vendor == "postgresql"


@dataclass(slots=True)
class _VisitRef:
    """What the opinions hook needs of a visit written in bulk."""

    pk: int
    unit_id: int


def visits_write(
    *,
    actor: Actor,
    prepared: Sequence[PreparedVisit],
    source: VisitSource | str,
    audit: Literal["each", "batch", "caller"] = "each",
    note: str = "",
    rollups: bool = True,
) -> list[int]:
    """Write prepared visits that are not duplicates (the caller has made sure), with their
    officers, roll-ups, opinions and audit (see visits_bulk_create); returns their ids in
    order. Call inside a transaction. Without `rollups` the caller adds the ids to the
    roll-ups itself (`rollups.rollup_add_visits`) before the transaction ends: the importer,
    once for the whole file."""
    if not prepared:
        return []
    ids = _insert_visits(prepared, source=str(source), created_by=getattr(actor, "pk", None))
    if rollups:
        rollup_add_visits(ids)
    if audit == "each":
        _audit_each_visit(actor, ids, prepared, note)
    elif audit == "batch":
        audit_record(
            action=AuditAction.IMPORT,
            actor=actor,
            object_type="ledger.visit",
            object_repr=_("%(count)s visits") % {"count": len(ids)},
            after={"count": len(ids), "first_id": min(ids), "last_id": max(ids)},
            note=note,
        )
    _write_visit_opinions(
        actor,
        [
            (_VisitRef(pk, visit.unit_id), visit.opinions)
            for pk, visit in zip(ids, prepared, strict=True)
            if visit.opinions
        ],
    )
    return ids


def _insert_visits(
    prepared: Sequence[PreparedVisit], *, source: str, created_by: int | None
) -> list[int]:
    """Insert the visits and their officers (COPY on PostgreSQL, multi-row INSERTs
    elsewhere); their ids in order."""
    now = timezone.now()
    if copy_format():
        ids = next_ids(Visit, len(prepared))
        tail = copy_fields((source, created_by, now, now, 1))
        copy_data(
            Visit,
            ("id", *BULK_COLUMNS),
            "".join(
                f"{pk}\t{visit.record}\t{tail}\n" for pk, visit in zip(ids, prepared, strict=True)
            ).encode(),
        )
        copy_data(
            VisitOfficer,
            ("visit_id", "officer_id"),
            "".join(
                f"{pk}\t{officer}\n"
                for pk, visit in zip(ids, prepared, strict=True)
                for officer in visit.officer_ids
            ).encode(),
        )
        return ids
    stamp = connection.ops.adapt_datetimefield_value(now)
    tail_values = (source, created_by, stamp, stamp, 1)
    ids = bulk_insert(
        Visit, BULK_COLUMNS, [(*visit.record, *tail_values) for visit in prepared], ids=True
    )
    bulk_insert(
        VisitOfficer,
        ("visit_id", "officer_id"),
        [
            (pk, officer)
            for pk, visit in zip(ids, prepared, strict=True)
            for officer in visit.officer_ids
        ],
        ids=False,
    )
    return ids


def _audit_each_visit(
    actor: Actor, ids: list[int], prepared: Sequence[PreparedVisit], note: str
) -> None:
    """One audit row per written visit, with its snapshot and officers' badges."""
    named = {officer for visit in prepared for officer in visit.officer_ids}
    officers = dict(Officer.objects.filter(pk__in=named).values_list("pk", "badge_no"))
    badges = {
        pk: [officers[o] for o in visit.officer_ids]
        for pk, visit in zip(ids, prepared, strict=True)
    }
    # By range, not an IN list of every id (SQLite's limit on parameters); the range may
    # hold other writers' visits on PostgreSQL, which `badges` leaves out.
    visits = Visit.objects.filter(pk__gte=min(ids), pk__lte=max(ids)).select_related("unit")
    audit_bulk(
        AuditEntry(
            action=AuditAction.CREATE,
            actor=actor,
            target=visit,
            after=visit_snapshot(visit, badges[visit.pk]),
            note=note,
        )
        for visit in visits.order_by("pk").iterator(chunk_size=2000)
        if visit.pk in badges
    )


@transaction.atomic
def visits_bulk_create(
    *,
    actor: Actor,
    rows: Sequence[VisitInput],
    source: VisitSource | str,
    audit: Literal["each", "batch", "caller"] = "each",
    note: str = "",
) -> BulkResult:
    """Write many checked rows at once, skipping duplicates of the ledger or of earlier rows.

    The rows go in with COPY (PostgreSQL) or executemany (SQLite) through `core.bulk`, with
    their officers, roll-ups and opinions, in one transaction. `audit`: "each" gives every
    visit its audit record (its snapshot, as a single write would); "batch" one record for
    the batch (its size and range of ids: the demo loader); "caller" none, the caller writing
    its own record in the same transaction.
    """
    keys = [input_dedup_key(row) for row in rows]
    taken = existing_dedup_keys(keys)
    fresh: list[PreparedVisit] = []
    duplicates: list[int] = []
    layout = copy_format()
    for index, (row, key) in enumerate(zip(rows, keys, strict=True)):
        if key in taken:
            duplicates.append(index)
            continue
        taken.add(key)
        fresh.append(prepare_visit(row, key, copy_format=layout))
    ids = visits_write(actor=actor, prepared=fresh, source=source, audit=audit, note=note)
    return BulkResult(created_ids=ids, duplicate_rows=duplicates)
