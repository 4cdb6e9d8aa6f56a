"""The audit hash chain: row hashes, sealing, and `verify_audit` naming the tampered row."""

from __future__ import annotations

import datetime
import io
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from zoufang.core.audit import AuditEntry, audit_bulk, audit_record
from zoufang.core.auditchain import (
    GENESIS_HASH,
    canonical_content,
    chain_head,
    link_digest,
    row_digest,
    seal,
    verify,
)
from zoufang.core.context import RequestMeta, request_meta
from zoufang.core.models import AuditAction, AuditLog

from .auditing import tamper, verify_failure, write_rows

pytestmark = pytest.mark.django_db

HASHED = {
    "at", "actor_id", "actor_name", "ip", "channel", "action", "object_type", "object_id",
    "object_repr", "before", "after", "note",
}  # fmt: skip


def test_the_canonical_form_covers_every_column_but_the_chain_itself() -> None:
    columns = {field.attname for field in AuditLog._meta.concrete_fields}
    assert columns - {"id", "row_hash", "chain_seq", "chain_hash"} == HASHED
    row = AuditEntry(action=AuditAction.CREATE, object_type="x.y").to_model()
    assert set(json.loads(canonical_content(row))) == HASHED


def test_every_field_changes_the_hash() -> None:
    row = AuditEntry(action=AuditAction.CREATE, object_type="x.y", after={"a": 1}).to_model()
    base = row_digest(row)
    changes = {
        "at": row.at + datetime.timedelta(microseconds=1),
        "actor_id": 7,
        "actor_name": "someone",
        "ip": "10.0.0.1",
        "channel": "web",
        "action": AuditAction.DELETE,
        "object_type": "x.z",
        "object_id": "9",
        "object_repr": "other",
        "before": {"a": 0},
        "after": {"a": 2},
        "note": "n",
    }
    assert set(changes) == HASHED
    for name, value in changes.items():
        changed = AuditEntry(action=AuditAction.CREATE, object_type="x.y").to_model()
        for attname in HASHED:
            setattr(changed, attname, getattr(row, attname))
        setattr(changed, name, value)
        assert row_digest(changed) != base, name


def test_the_hash_written_equals_the_hash_of_the_row_read_back(city) -> None:
    """Values the database normalises (addresses, JSON numbers, time zones) hash the same."""
    shanghai = ZoneInfo("Asia/Shanghai")
    snapshot = {
        "z": [1.0, 2.5, 1e20, 2**60, 0.1, -0.0, True, None],
        "a": {"nested": ("tuple", 3), "汉字": "走访 🚓"},
        "big": 1.5e300,
    }
    with request_meta(RequestMeta(ip="2001:0DB8:0000:0000:0000:0000:0000:0001", channel="web")):
        audit_record(action=AuditAction.UPDATE, actor=city.user("officer"), after=snapshot)
    with request_meta(RequestMeta(ip="::ffff:10.1.2.3", channel="api")):
        audit_record(action=AuditAction.EXPORT, note="导出\n第二行", before={"list": [1, "x"]})
    audit_bulk(
        [
            AuditEntry(
                action=AuditAction.LOGIN, at=datetime.datetime(2022, 1, 5, 8, 0, tzinfo=shanghai)
            )
        ]
    )
    for row in AuditLog.objects.all():
        assert row.row_hash == row_digest(row), row.pk
    assert verify().ok


def test_sealing_links_rows_in_order_and_only_once() -> None:
    rows = write_rows(3)
    assert seal() == 3
    assert seal() == 0
    previous = GENESIS_HASH
    for position, row in enumerate(AuditLog.objects.order_by("chain_seq"), start=1):
        assert row.chain_seq == position
        assert row.chain_hash == link_digest(
            previous=previous, row_id=row.pk, row_hash=row.row_hash
        )
        previous = row.chain_hash
    assert chain_head().seq == 3
    more = write_rows(2)
    assert seal() == 2
    assert [r.chain_seq for r in AuditLog.objects.order_by("id")] == [1, 2, 3, 4, 5]
    assert [r.pk for r in rows + more] == list(
        AuditLog.objects.order_by("id").values_list("id", flat=True)
    )


def test_a_row_committed_late_with_a_lower_id_is_sealed_after_the_others() -> None:
    """On PostgreSQL ids commit out of order; the chain follows sealing order."""
    rows = write_rows(3)
    seal()
    late = AuditEntry(action=AuditAction.CREATE, object_type="ledger.visit").to_model()
    late.pk = rows[0].pk - 1000  # its transaction took an id before the others, committed last
    late.save()
    assert seal() == 1
    assert AuditLog.objects.get(pk=late.pk).chain_seq == 4
    assert verify().ok


def test_verify_reports_ok_with_the_count() -> None:
    write_rows(4)
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert out.getvalue().startswith("OK: 4 audit rows, chain intact")


def test_verify_names_the_row_whose_after_was_changed() -> None:
    rows = write_rows(5)
    seal()
    tamper(
        "UPDATE core_auditlog SET after = %s WHERE id = %s",
        [json.dumps({"summary": "forged"}), rows[2].pk],
    )
    error = verify_failure()
    assert error.returncode == 1
    first = str(error).splitlines()[0]
    assert first.startswith(f"TAMPERED: audit row {rows[2].pk} (")
    assert "update, ledger.visit 2" in first
    assert "does not match its hash" in first


def test_verify_names_a_row_changed_before_it_was_sealed() -> None:
    rows = write_rows(3)
    tamper("UPDATE core_auditlog SET note = 'x' WHERE id = %s", [rows[1].pk])
    error = verify_failure(no_seal=True)
    assert f"audit row {rows[1].pk} " in str(error).splitlines()[0]


def test_verify_detects_a_deleted_middle_row() -> None:
    rows = write_rows(5)
    seal()
    tamper("DELETE FROM core_auditlog WHERE id = %s", [rows[2].pk])
    first = str(verify_failure()).splitlines()[0]
    assert f"audit row {rows[3].pk} " in first
    assert "rows before it removed" in first


def test_verify_detects_reordered_rows() -> None:
    rows = write_rows(5)
    seal()
    tamper("UPDATE core_auditlog SET chain_seq = -1 WHERE id = %s", [rows[1].pk])
    tamper("UPDATE core_auditlog SET chain_seq = 2 WHERE id = %s", [rows[3].pk])
    tamper("UPDATE core_auditlog SET chain_seq = 4 WHERE id = %s", [rows[1].pk])
    first = str(verify_failure()).splitlines()[0]
    assert f"audit row {rows[3].pk} " in first
    assert "chain broken" in first


def test_verify_detects_swapped_ids() -> None:
    rows = write_rows(3)
    seal()
    a, b = rows[0].pk, rows[1].pk
    tamper("UPDATE core_auditlog SET id = -1 WHERE id = %s", [a])
    tamper("UPDATE core_auditlog SET id = %s WHERE id = %s", [a, b])
    tamper("UPDATE core_auditlog SET id = %s WHERE id = -1", [b])
    assert "chain broken" in str(verify_failure())


def _forge(*, row_id: int, seq: int, chain_hash: str = "") -> AuditLog:
    """Insert a well-formed row that claims a place in the chain (INSERT is never refused)."""
    forged = AuditEntry(action=AuditAction.DELETE, object_type="ledger.visit", object_id="666")
    row = forged.to_model()
    row.pk, row.chain_seq, row.chain_hash = row_id, seq, chain_hash or "f" * 64
    row.save()
    return row


def test_verify_detects_a_forged_row_claiming_a_place_in_the_chain() -> None:
    rows = write_rows(3)
    seal()
    _forge(row_id=rows[-1].pk + 10, seq=4)
    first = str(verify_failure()).splitlines()[0]
    assert f"audit row {rows[-1].pk + 10} " in first
    assert "chain broken" in first


def test_verify_detects_a_forged_row_spliced_into_the_middle() -> None:
    """Even with a correct link of its own, the row after it no longer links."""
    rows = write_rows(4)
    seal()
    for row in reversed(rows[2:]):
        tamper("UPDATE core_auditlog SET chain_seq = chain_seq + 1 WHERE id = %s", [row.pk])
    previous = AuditLog.objects.get(pk=rows[1].pk).chain_hash
    forged = _forge(row_id=rows[-1].pk + 10, seq=3)
    link = link_digest(previous=str(previous), row_id=forged.pk, row_hash=forged.row_hash)
    tamper("UPDATE core_auditlog SET chain_hash = %s WHERE id = %s", [link, forged.pk])
    assert verify().problems[0].row_id == rows[2].pk  # the forged row itself links correctly
    first = str(verify_failure()).splitlines()[0]
    assert f"audit row {rows[2].pk} " in first
    assert "chain broken" in first


def test_verify_lists_further_problems_after_the_first() -> None:
    rows = write_rows(6)
    seal()
    tamper("UPDATE core_auditlog SET note = 'a' WHERE id IN (%s, %s)", [rows[1].pk, rows[4].pk])
    lines = str(verify_failure()).splitlines()
    assert f"audit row {rows[1].pk} " in lines[0]
    assert any(f"audit row {rows[4].pk} " in line for line in lines[1:])


def test_seal_audit_prints_the_head() -> None:
    write_rows(2)
    out = io.StringIO()
    call_command("seal_audit", stdout=out)
    head = chain_head()
    assert out.getvalue().strip() == f"sealed 2 audit rows; chain head: {head}"
    assert head.seq == 2
