"""`purge_audit`: only rows past the retention go, the purge is recorded, the chain verifies."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from zoufang.core.auditchain import seal, verify
from zoufang.core.models import AuditAction, AuditLog, AuditPurge

from .auditing import tamper, verify_failure, write_rows

pytestmark = pytest.mark.django_db


def purge(*args: str) -> str:
    out = io.StringIO()
    call_command("purge_audit", *args, stdout=out)
    return out.getvalue()


def ids(rows: list[AuditLog]) -> set[int]:
    return {row.pk for row in rows}


def everything(trail: dict[str, list[AuditLog]]) -> set[int]:
    return {row.pk for rows in trail.values() for row in rows}


def remaining() -> set[int]:
    return set(AuditLog.objects.values_list("id", flat=True))


@pytest.fixture
def trail() -> dict[str, list[AuditLog]]:
    """Rows 400, 185, 183 and 10 days old, written in that order."""
    return {
        "400": write_rows(3, days_ago=400),
        "185": write_rows(2, days_ago=185),
        "183": write_rows(2, days_ago=183),
        "10": write_rows(2, days_ago=10),
    }


def test_rows_past_the_retention_are_removed_and_the_rest_kept(trail) -> None:
    output = purge()
    assert output.startswith("removed 5 audit rows older than ")
    assert "(chain positions 1–5)" in output
    kept = remaining()
    assert not kept & ids(trail["400"] + trail["185"])
    assert ids(trail["183"] + trail["10"]) <= kept
    assert verify().ok
    call_command("verify_audit", stdout=io.StringIO())


def test_the_purge_is_recorded_in_the_trail(trail) -> None:
    purge()
    record = AuditLog.objects.get(object_type="core.auditlog")
    assert record.action == AuditAction.DELETE
    assert record.after is not None
    assert record.after["deleted"] == 5
    assert record.after["through_seq"] == 5
    anchor = AuditPurge.objects.get()
    assert (anchor.deleted, anchor.through_seq) == (5, 5)
    assert record.after["anchor_hash"] == anchor.anchor_hash


def test_rows_younger_than_184_days_are_kept_even_if_asked(trail) -> None:
    recent = timezone.localdate() - datetime.timedelta(days=100)
    with pytest.raises(CommandError, match="kept 184 days"):
        purge("--before", recent.isoformat())
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(CommandError, match="kept 184 days"):
        purge("--before", tomorrow.isoformat())
    assert remaining() == everything(trail)


def test_an_earlier_cutoff_removes_less(trail) -> None:
    cutoff = timezone.localdate() - datetime.timedelta(days=300)
    assert purge("--before", cutoff.isoformat()).startswith("removed 3 audit rows")
    assert not remaining() & ids(trail["400"])
    assert ids(trail["185"]) <= remaining()
    assert verify().ok


@override_settings(ZOUFANG_AUDIT_RETENTION_DAYS=100)
def test_a_retention_below_184_days_is_refused(trail) -> None:
    with pytest.raises(CommandError, match="at least 184 days"):
        purge()
    assert remaining() == everything(trail)


@override_settings(ZOUFANG_AUDIT_RETENTION_DAYS=200)
def test_a_longer_retention_keeps_more(trail) -> None:
    assert purge().startswith("removed 3 audit rows")
    assert ids(trail["185"]) <= remaining()


def test_a_dry_run_removes_nothing(trail) -> None:
    assert purge("--dry-run").startswith("would remove 5 audit rows")
    assert remaining() == everything(trail)
    assert not AuditPurge.objects.exists()


def test_only_the_oldest_stretch_of_the_chain_goes() -> None:
    """An old row sealed after a recent one waits until the recent one may go too."""
    first = write_rows(1, days_ago=400)
    recent = write_rows(1, days_ago=5)
    late = write_rows(1, days_ago=300)
    assert purge().startswith("removed 1 audit rows")
    assert remaining() >= ids(recent + late)
    assert not remaining() & ids(first)
    assert verify().ok


def test_purges_follow_one_another_and_nothing_left_to_purge(trail) -> None:
    cutoff = timezone.localdate() - datetime.timedelta(days=300)
    purge("--before", cutoff.isoformat())
    assert purge().startswith("removed 2 audit rows")
    assert purge().startswith("removed 0 audit rows")
    assert AuditPurge.objects.count() == 2
    assert verify().ok


def test_verification_after_a_purge_still_finds_tampering(trail) -> None:
    purge()
    first_kept = trail["183"][0]
    tamper("UPDATE core_auditlog SET note = 'x' WHERE id = %s", [first_kept.pk])
    assert f"audit row {first_kept.pk} " in str(verify_failure()).splitlines()[0]


def test_verification_after_a_purge_finds_the_next_row_removed(trail) -> None:
    purge()
    tamper("DELETE FROM core_auditlog WHERE id = %s", [trail["183"][0].pk])
    first = str(verify_failure()).splitlines()[0]
    assert f"audit row {trail['183'][1].pk} " in first
    assert "rows before it removed" in first


def test_a_forged_anchor_claiming_rows_recent_is_reported(trail) -> None:
    seal()
    AuditPurge(cutoff=timezone.now(), through_seq=0, anchor_hash="0" * 64, deleted=0).save()
    assert "cutoff lies within 184 days" in str(verify_failure())
