"""The audit trail's integrity: row hashes, the hash chain, verification, purge, the guard.

Row hash. Every audit row gets `row_hash` when it is written (`core.audit` computes it, no
lock, no query): SHA-256 over the canonical JSON of its content, `json.dumps(sort_keys=True,
separators=(",", ":"), ensure_ascii=True)` of the fields `at` (UTC ISO with microseconds),
`actor_id`, `actor_name`, `ip`, `channel`, `action`, `object_type`, `object_id`,
`object_repr`, `before`, `after` and `note`. Values are normalised the way the database gives
them back (JSON round-tripped, integral numbers as integers, an IP address as its packed bytes
in hex), so a hash computed before the INSERT equals one recomputed from the stored row.

Chain. Sealing (`seal`, the `seal_audit` command, also run first by `verify_audit`,
`purge_audit` and `backup`) takes the unsealed rows in id order and links each to the one
before: `chain_seq` = previous position + 1 and `chain_hash` = sha256("<previous
chain_hash>:<id>:<row_hash>"), the first previous hash being 64 zeros. It runs in short
batches, each under a lock that only sealers and purges take (PostgreSQL:
`pg_advisory_xact_lock`; SQLite: the write lock every transaction takes at BEGIN IMMEDIATE).
Writers never wait for it: they only insert, and hashing at insert needs nothing from other
rows. Linking at insert instead would need the previous row's hash, so every audit-writing
transaction would hold one global lock from its audit write until its commit and the whole
application would queue behind it on PostgreSQL. The chain follows sealing order, not id
order: on PostgreSQL a transaction may commit a lower id after a higher one was sealed, and it
is simply sealed at the next run. Run `zoufang seal_audit` often (every minute from cron);
until a row is sealed its content is still protected by the triggers and its own hash.

Guard. Triggers (migration 0005) refuse every UPDATE of `core_auditlog` except sealing's
(`chain_seq` and `chain_hash` from NULL to a value, once, every other column unchanged) and
every DELETE except a purge's; on PostgreSQL they also refuse TRUNCATE. `core_auditpurge` is
append-only. The model refuses `save()` of an existing row, `delete()` and queryset
`update()` / `delete()` as well. `guard_suspended` lifts the triggers for one transaction:
`flush` (tests, a developer's reset) and the tamper tests use it; it needs the rights of the
table's owner, which a production application role should not have.

Purge and anchor. `purge` removes the oldest rows only: a prefix of the chain, every row of
it older than the cutoff, which is at least `ZOUFANG_AUDIT_RETENTION_DAYS` (184 at least) days
back. In one transaction it inserts an `AuditPurge` row (cutoff, last position removed and its
chain hash), deletes, and writes an audit row saying what it did. The delete trigger allows
deleting a row only when it is sealed, older than 184 days by the database's own clock, and
at or before the latest purge record's position and older than its cutoff, so even a forged
purge record cannot remove recent rows. Verification starts from the latest purge record:
the first remaining row must sit at the next position and link to the anchor hash.

Limits. A chain without a secret key shows changes, removals and reordering of recorded rows,
but whoever can bypass the triggers could also rewrite the whole chain from the changed row
on, or cut rows off its end: compare the head that `seal_audit`, `verify_audit` and `backup`
print with one recorded elsewhere. Adding a column to `AuditLog` needs a new canonical form
and new triggers (on SQLite, altering the table recreates it without them).
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from .models import AuditAction, AuditLog, AuditPurge

GENESIS_HASH = "0" * 64
MIN_RETENTION_DAYS = 184
SEAL_BATCH = 2000
# pg_advisory_xact_lock key taken by sealing and purging (an arbitrary constant).
_SEAL_LOCK_KEY = 0x7A6F7566616E67
_GUARDED_TABLES = ("core_auditlog", "core_auditpurge")
_EXACT_FLOAT = 2**53


class AuditRetentionError(Exception):
    """A purge that the retention rule does not allow."""


# --- hashing -----------------------------------------------------------------------------


def _canonical_time(value: datetime.datetime) -> str:
    """A time as UTC ISO text with microseconds (naive times are read as Django stores them)."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def _canonical_ip(value: str | None) -> str | None:
    """An address as its packed bytes in hex, whatever notation it was written or read in."""
    if not value:
        return None
    try:
        return ipaddress.ip_address(value).packed.hex()
    except ValueError:
        return str(value)


def _canonical_number(value: Any) -> Any:
    """Numbers as the database may give them back: integral ones as int, huge ones as float."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if abs(value) >= _EXACT_FLOAT:
        return float(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _canonical_json(value: Any) -> Any:
    """A JSON snapshot as it reads back from either database."""
    if value is None:
        return None

    def walk(item: Any) -> Any:
        if isinstance(item, dict):
            return {key: walk(inner) for key, inner in item.items()}
        if isinstance(item, list):
            return [walk(inner) for inner in item]
        return _canonical_number(item)

    return walk(json.loads(json.dumps(value)))


def _text(value: Any) -> str:
    """A character column's value as the database stores it."""
    return "" if value is None else str(value)


def canonical_content(row: Any) -> str:
    """The canonical JSON of an audit row's content (any object with AuditLog's attributes)."""
    content = {
        "at": _canonical_time(row.at),
        "actor_id": None if row.actor_id is None else int(row.actor_id),
        "actor_name": _text(row.actor_name),
        "ip": _canonical_ip(row.ip),
        "channel": _text(row.channel),
        "action": _text(row.action),
        "object_type": _text(row.object_type),
        "object_id": _text(row.object_id),
        "object_repr": _text(row.object_repr),
        "before": _canonical_json(row.before),
        "after": _canonical_json(row.after),
        "note": _text(row.note),
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def row_digest(row: Any) -> str:
    """The SHA-256 (hex) of an audit row's canonical content."""
    return hashlib.sha256(canonical_content(row).encode("ascii")).hexdigest()


def link_digest(*, previous: str, row_id: int, row_hash: str) -> str:
    """The chain hash of a row: sha256 over the previous chain hash, its id and its hash."""
    return hashlib.sha256(f"{previous}:{row_id}:{row_hash}".encode("ascii")).hexdigest()


# --- sealing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainHead:
    """The last link of the chain: its position and chain hash (position 0: the genesis)."""

    seq: int
    chain_hash: str

    def __str__(self) -> str:
        return f"position {self.seq}, hash {self.chain_hash}"


def _lock(using: str) -> None:
    """Take the sealing lock until the end of the current transaction."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SEAL_LOCK_KEY])


def latest_purge(*, using: str = DEFAULT_DB_ALIAS) -> AuditPurge | None:
    """The most recent purge record, the anchor the remaining chain starts from."""
    return AuditPurge.objects.using(using).order_by("-id").first()


def chain_head(*, using: str = DEFAULT_DB_ALIAS) -> ChainHead:
    """The last sealed link, or the latest purge's anchor, or the genesis."""
    last = (
        AuditLog.objects.using(using)
        .filter(chain_seq__isnull=False)
        .order_by("-chain_seq")
        .values_list("chain_seq", "chain_hash")
        .first()
    )
    if last is not None:
        return ChainHead(seq=int(last[0] or 0), chain_hash=str(last[1]))
    anchor = latest_purge(using=using)
    if anchor is not None:
        return ChainHead(seq=anchor.through_seq, chain_hash=anchor.anchor_hash)
    return ChainHead(seq=0, chain_hash=GENESIS_HASH)


def seal(*, using: str = DEFAULT_DB_ALIAS, batch: int = SEAL_BATCH) -> int:
    """Link every unsealed audit row into the chain, in id order; returns how many."""
    sealed = 0
    pending = AuditLog.objects.using(using).filter(chain_seq__isnull=True).order_by("id")
    while True:
        with transaction.atomic(using=using):
            _lock(using)
            head = chain_head(using=using)
            rows = list(pending.values_list("id", "row_hash")[:batch])
            if not rows:
                return sealed
            seq, previous, updates = head.seq, head.chain_hash, []
            for row_id, row_hash in rows:
                seq += 1
                previous = link_digest(previous=previous, row_id=row_id, row_hash=row_hash)
                updates.append((seq, previous, row_id))
            with connections[using].cursor() as cursor:
                cursor.executemany(
                    "UPDATE core_auditlog SET chain_seq = %s, chain_hash = %s"
                    " WHERE id = %s AND chain_seq IS NULL",
                    updates,
                )
        sealed += len(rows)
        pending = pending.filter(id__gt=rows[-1][0])  # rows that commit meanwhile: next run


# --- verification ------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainProblem:
    """One place where the trail does not check out: which row (or record), and why."""

    subject: str
    reason: str
    row_id: int | None = None

    def __str__(self) -> str:
        return f"{self.subject}: {self.reason}"


@dataclass
class ChainReport:
    """What verification found: rows checked, the head, and the problems (first one first)."""

    checked: int = 0
    unsealed: int = 0
    head: ChainHead = field(default_factory=lambda: ChainHead(0, GENESIS_HASH))
    anchor: AuditPurge | None = None
    problems: list[ChainProblem] = field(default_factory=list)
    more_problems: int = 0

    @property
    def ok(self) -> bool:
        """True when every row and link checks out."""
        return not self.problems


def describe_row(row: AuditLog) -> str:
    """An audit row named for an operator: id, local time, action and object."""
    when = timezone.localtime(row.at).strftime("%Y-%m-%d %H:%M:%S %z")
    what = " ".join(part for part in (row.object_type, row.object_id) if part)
    label = f' "{row.object_repr}"' if row.object_repr else ""
    return f"audit row {row.pk} ({when}, {row.action}, {what}{label})"


def _problem(row: AuditLog, reason: str) -> ChainProblem:
    return ChainProblem(subject=describe_row(row), reason=reason, row_id=row.pk)


def verify(*, using: str = DEFAULT_DB_ALIAS, max_problems: int = 20) -> ChainReport:
    """Recompute every row's hash and every link from the anchor on; report what differs."""
    report = ChainReport()
    found: list[ChainProblem] = []
    anchor = report.anchor = latest_purge(using=using)
    start = anchor.through_seq if anchor else 0
    previous = anchor.anchor_hash if anchor else GENESIS_HASH
    head = ChainHead(start, previous)
    retention = datetime.timedelta(days=MIN_RETENTION_DAYS)
    if anchor is not None and anchor.cutoff > anchor.at - retention:
        found.append(
            ChainProblem(
                subject=f"purge record {anchor.pk} ({timezone.localtime(anchor.at):%Y-%m-%d})",
                reason=f"its cutoff lies within {MIN_RETENTION_DAYS} days of the purge",
            )
        )
    rows = AuditLog.objects.using(using).order_by("chain_seq", "id")
    for row in rows.filter(chain_seq__isnull=False).iterator(chunk_size=SEAL_BATCH):
        report.checked += 1
        seq = int(row.chain_seq or 0)
        if row_digest(row) != row.row_hash:
            found.append(_problem(row, "its content does not match its hash (changed)"))
        if seq <= start:
            found.append(_problem(row, f"position {seq} lies before the purge anchor {start}"))
            continue
        expected = head.seq + 1
        link = link_digest(previous=head.chain_hash, row_id=row.pk, row_hash=row.row_hash)
        if seq != expected:
            found.append(
                _problem(row, f"chain position {seq} follows {head.seq}: rows before it removed")
            )
        elif link != row.chain_hash:
            found.append(
                _problem(row, "chain broken: a row before it was changed, inserted or reordered")
            )
        head = ChainHead(seq, str(row.chain_hash))
    for row in rows.filter(chain_seq__isnull=True).order_by("id").iterator(chunk_size=SEAL_BATCH):
        report.unsealed += 1
        if row_digest(row) != row.row_hash:
            found.append(_problem(row, "its content does not match its hash (changed)"))
    report.head = head
    report.problems = found[:max_problems]
    report.more_problems = max(0, len(found) - max_problems)
    return report


# --- purge -------------------------------------------------------------------------------


def retention_days() -> int:
    """The configured retention in days; refuses a value below the legal minimum."""
    days = int(getattr(settings, "ZOUFANG_AUDIT_RETENTION_DAYS", MIN_RETENTION_DAYS))
    if days < MIN_RETENTION_DAYS:
        raise AuditRetentionError(
            f"ZOUFANG_AUDIT_RETENTION_DAYS is {days}: audit rows are kept at least "
            f"{MIN_RETENTION_DAYS} days"
        )
    return days


@dataclass(frozen=True)
class PurgeResult:
    """What a purge removed (or would remove, on a dry run)."""

    cutoff: datetime.datetime
    deleted: int
    first_seq: int
    through_seq: int
    dry_run: bool


def purge_cutoff(*, before: datetime.date | None = None) -> datetime.datetime:
    """The cutoff for a purge: `before` (local midnight), never later than the retention."""
    days = retention_days()
    latest = timezone.now() - datetime.timedelta(days=days)
    if before is None:
        return latest
    cutoff = timezone.make_aware(datetime.datetime.combine(before, datetime.time.min))
    if cutoff > latest:
        raise AuditRetentionError(
            f"audit rows are kept {days} days: the cutoff must be on or before "
            f"{timezone.localtime(latest):%Y-%m-%d %H:%M}, not {before:%Y-%m-%d}"
        )
    return cutoff


def purge(
    *, before: datetime.date | None = None, dry_run: bool = False, using: str = DEFAULT_DB_ALIAS
) -> PurgeResult:
    """Remove the oldest audit rows past the retention, keeping the rest verifiable."""
    cutoff = purge_cutoff(before=before)
    seal(using=using)
    with transaction.atomic(using=using):
        _lock(using)
        anchor = latest_purge(using=using)
        floor = anchor.through_seq if anchor else 0
        sealed = AuditLog.objects.using(using).filter(chain_seq__gt=floor)
        first_young = (
            sealed.filter(at__gte=cutoff).order_by("chain_seq").values_list("chain_seq").first()
        )
        through = int(first_young[0] or 0) - 1 if first_young else chain_head(using=using).seq
        result = PurgeResult(
            cutoff=cutoff,
            deleted=sealed.filter(chain_seq__lte=through).count() if through > floor else 0,
            first_seq=floor + 1,
            through_seq=max(through, floor),
            dry_run=dry_run,
        )
        if dry_run or not result.deleted:
            return result
        last = sealed.get(chain_seq=through)
        AuditPurge(
            cutoff=cutoff,
            through_seq=through,
            anchor_hash=str(last.chain_hash),
            deleted=result.deleted,
            actor_name="system",
        ).save(using=using)
        with connections[using].cursor() as cursor:
            cursor.execute(
                "DELETE FROM core_auditlog WHERE chain_seq > %s AND chain_seq <= %s",
                [floor, through],
            )
            if cursor.rowcount != result.deleted:
                raise RuntimeError(f"purge removed {cursor.rowcount} rows, {result.deleted} meant")
        _record_purge(result, anchor_hash=str(last.chain_hash), using=using)
    return result


def _record_purge(result: PurgeResult, *, anchor_hash: str, using: str) -> None:
    """Write the audit row that says what a purge removed."""
    from .audit import AuditEntry  # audit imports the models; keep this module's imports flat

    AuditEntry(
        action=AuditAction.DELETE,
        object_type="core.auditlog",
        object_repr=f"{result.deleted} audit rows older than {result.cutoff:%Y-%m-%d}",
        after={
            "deleted": result.deleted,
            "cutoff": result.cutoff.isoformat(),
            "first_seq": result.first_seq,
            "through_seq": result.through_seq,
            "anchor_hash": anchor_hash,
        },
        note="purge_audit",
    ).to_model().save(using=using)


# --- the guard triggers ------------------------------------------------------------------


@contextmanager
def guard_suspended(*, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Lift the append-only triggers for one block, inside one transaction (flush, tests)."""
    connection = connections[using]
    with transaction.atomic(using=using):
        tables = set(connection.introspection.table_names()) & set(_GUARDED_TABLES)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for table in sorted(tables):
                    cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
                yield
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for table in sorted(tables):
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                return
            triggers: list[tuple[str, str]] = []
            if connection.vendor == "sqlite" and tables:
                marks = ", ".join(["%s"] * len(tables))
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master"
                    f" WHERE type = 'trigger' AND tbl_name IN ({marks}) ORDER BY name",
                    sorted(tables),
                )
                triggers = list(cursor.fetchall())
                for name, _sql in triggers:
                    cursor.execute(f'DROP TRIGGER "{name}"')
            yield
            for _name, sql in triggers:
                cursor.execute(sql)
