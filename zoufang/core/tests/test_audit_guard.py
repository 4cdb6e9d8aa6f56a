"""The audit trail is append-only at the database, and an action fails when its audit does."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from zoufang.core import audit, auditchain
from zoufang.core.actors import SYSTEM
from zoufang.core.auditchain import seal
from zoufang.core.models import AuditAppendOnlyError, AuditLog, AuditPurge
from zoufang.ledger.models import Visit
from zoufang.ledger.services import visits_bulk_create
from zoufang.ledger.tests.factories import make_visit, visit_input
from zoufang.org.models import Unit, UnitKind
from zoufang.org.services import unit_create

from .auditing import refused, write_rows

pytestmark = pytest.mark.django_db

# Every column but the chain's own, with a value it does not hold (SQL literal).
OTHER_VALUES = {
    "id": "id + 1000",
    "at": "'2020-01-01 00:00:00'",
    "actor_id": "NULL",
    "actor_name": "'mallory'",
    "ip": "'10.9.9.9'",
    "channel": "'web'",
    "action": "'delete'",
    "object_type": "'org.unit'",
    "object_id": "'999'",
    "object_repr": "'forged'",
    "before": "'{\"forged\": true}'",
    "after": "'{\"forged\": true}'",
    "note": "'forged'",
    "row_hash": "'" + "e" * 64 + "'",
}


def test_the_guard_compares_every_column() -> None:
    """A column added to AuditLog must be added to the triggers and to this list."""
    columns = {field.column for field in AuditLog._meta.concrete_fields}
    assert columns - {"chain_seq", "chain_hash"} == set(OTHER_VALUES)


@pytest.mark.parametrize("column", sorted(OTHER_VALUES))
def test_an_audit_row_cannot_be_updated(city: Any, column: str) -> None:
    row = audit.audit_record(
        action="update", actor=city.user("officer"), before={"a": 1}, after={"a": 2}
    )
    value = OTHER_VALUES[column]
    table = "UPDATE core_auditlog SET"
    assert refused(f"{table} {column} = {value} WHERE id = %s", [row.pk])
    # Not even along with sealing, the one change the guard allows.
    sealing = f"chain_seq = 1, chain_hash = '{'a' * 64}'"
    assert refused(f"{table} {sealing}, {column} = {value} WHERE id = %s", [row.pk])
    seal()
    assert refused(f"{table} {column} = {value} WHERE id = %s", [row.pk])


def test_sealing_is_the_one_update_allowed_and_only_once() -> None:
    (row,) = write_rows(1)
    sealing = "UPDATE core_auditlog SET chain_seq = %s, chain_hash = %s WHERE id = %s"
    assert not refused(sealing, [1, "a" * 64, row.pk])
    assert refused(sealing, [2, "b" * 64, row.pk])
    assert refused("UPDATE core_auditlog SET chain_seq = NULL, chain_hash = NULL")


def test_an_audit_row_cannot_be_deleted() -> None:
    young = write_rows(1)[0]
    old = write_rows(1, days_ago=400)[0]
    seal()
    for row in (young, old):
        assert refused("DELETE FROM core_auditlog WHERE id = %s", [row.pk])
    assert refused("DELETE FROM core_auditlog")
    assert AuditLog.objects.count() == 2


def test_a_forged_purge_record_cannot_delete_recent_rows() -> None:
    """The trigger itself keeps every row younger than 184 days, whatever a purge says."""
    young = write_rows(1, days_ago=183)[0]
    old = write_rows(1, days_ago=185)[0]
    seal()
    AuditPurge(
        cutoff=timezone.now() + datetime.timedelta(days=1),
        through_seq=10**9,
        anchor_hash="0" * 64,
        deleted=0,
    ).save()
    assert refused("DELETE FROM core_auditlog WHERE id = %s", [young.pk])
    assert not refused("DELETE FROM core_auditlog WHERE id = %s", [old.pk])
    assert list(AuditLog.objects.values_list("id", flat=True)) == [young.pk]


def test_only_rows_within_the_purge_record_may_go() -> None:
    first, second = write_rows(2, days_ago=300)
    seal()
    cutoff = timezone.now() - datetime.timedelta(days=200)
    AuditPurge(cutoff=cutoff, through_seq=1, anchor_hash="0" * 64, deleted=1).save()
    assert refused("DELETE FROM core_auditlog WHERE id = %s", [second.pk])  # position 2 > 1
    assert not refused("DELETE FROM core_auditlog WHERE id = %s", [first.pk])


def test_an_unsealed_row_cannot_be_purged() -> None:
    (row,) = write_rows(1, days_ago=300)
    AuditPurge(cutoff=timezone.now(), through_seq=10, anchor_hash="0" * 64, deleted=1).save()
    assert refused("DELETE FROM core_auditlog WHERE id = %s", [row.pk])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no TRUNCATE")
def test_the_audit_tables_cannot_be_truncated() -> None:
    write_rows(1)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks
    assert refused("TRUNCATE core_auditlog")
    assert refused("TRUNCATE core_auditpurge")


def test_purge_records_are_append_only() -> None:
    AuditPurge(cutoff=timezone.now(), through_seq=1, anchor_hash="0" * 64, deleted=1).save()
    assert refused("UPDATE core_auditpurge SET through_seq = 99")
    assert refused("DELETE FROM core_auditpurge")
    record = AuditPurge.objects.get()
    with pytest.raises(AuditAppendOnlyError):
        record.save()
    with pytest.raises(AuditAppendOnlyError):
        record.delete()


def test_the_model_refuses_changes_and_deletes() -> None:
    (row,) = write_rows(1)
    row.note = "changed"
    with pytest.raises(AuditAppendOnlyError):
        row.save()
    with pytest.raises(AuditAppendOnlyError):
        row.delete()
    with pytest.raises(AuditAppendOnlyError):
        AuditLog.objects.filter(pk=row.pk).update(note="changed")
    with pytest.raises(AuditAppendOnlyError):
        AuditLog.objects.all().delete()
    assert AuditLog.objects.get().note == ""


def test_a_row_without_its_hash_is_refused() -> None:
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_auditlog (at, actor_name, channel, action, object_type,"
            " object_id, object_repr, note, row_hash) VALUES (%s, '', '', 'create', '', '', '',"
            " '', '')",
            [timezone.now()],
        )


# --- if the audit write fails, the action fails --------------------------------------------


@pytest.fixture
def audit_write_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """Audit rows reach the database without their hash, which its constraint refuses."""
    monkeypatch.setattr(audit, "row_digest", lambda row: "")
    monkeypatch.setattr(auditchain, "row_digest", lambda row: "")


def test_a_unit_is_not_created_when_its_audit_fails(city: Any, audit_write_fails: None) -> None:
    before = AuditLog.objects.count()
    with pytest.raises(IntegrityError):
        unit_create(actor=SYSTEM, code="JZ0199", name="新派出所", kind=UnitKind.STATION)
    assert not Unit.objects.filter(code="JZ0199").exists()
    assert AuditLog.objects.count() == before


def test_a_visit_is_not_recorded_when_its_audit_fails(city: Any, audit_write_fails: None) -> None:
    with pytest.raises(IntegrityError):
        make_visit(city.officer, target_name="李四")
    assert not Visit.objects.exists()


def test_a_bulk_import_writes_nothing_when_its_audit_fails(
    city: Any, audit_write_fails: None
) -> None:
    rows = [visit_input(city.officer) for _ in range(3)]
    with pytest.raises(IntegrityError):
        visits_bulk_create(actor=city.user("officer"), rows=rows, source="import")
    assert not Visit.objects.exists()


def test_a_unit_is_not_created_when_saving_its_audit_raises(
    city: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: AuditLog, **kwargs: Any) -> None:
        raise OSError("audit store unavailable")

    monkeypatch.setattr(AuditLog, "save", broken)
    with pytest.raises(OSError):
        unit_create(actor=SYSTEM, code="JZ0198", name="新派出所", kind=UnitKind.STATION)
    assert not Unit.objects.filter(code="JZ0198").exists()
