"""Helpers for the audit-trail tests: rows of a given age, tampering past the triggers."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from zoufang.core.audit import AuditEntry, audit_bulk
from zoufang.core.auditchain import guard_suspended
from zoufang.core.models import AuditAction, AuditLog


def write_rows(count: int, *, days_ago: float = 0, label: str = "row") -> list[AuditLog]:
    """`count` audit rows dated `days_ago`, written through `audit_bulk`; returned in id order."""
    at = timezone.now() - datetime.timedelta(days=days_ago)
    first = AuditLog.objects.order_by("-id").values_list("id", flat=True).first() or 0
    audit_bulk(
        AuditEntry(
            action=AuditAction.UPDATE,
            object_type="ledger.visit",
            object_id=str(index),
            object_repr=f"{label} {index}",
            before={"summary": "old", "n": index},
            after={"summary": "new", "n": index + 1},
            at=at + datetime.timedelta(microseconds=index),
        )
        for index in range(count)
    )
    return list(AuditLog.objects.filter(id__gt=first).order_by("id"))


def tamper(sql: str, params: list[Any] | None = None, *, using: str = "default") -> None:
    """Run SQL against the audit tables with the append-only triggers lifted (an attacker)."""
    with guard_suspended(using=using), connections[using].cursor() as cursor:
        cursor.execute(sql, params)


def refused(sql: str, params: list[Any] | None = None) -> bool:
    """True when the append-only triggers refuse the statement (run in a savepoint)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as error:
        if "append-only" not in str(error):
            raise  # a mistake in the test's SQL must not pass for a refusal
        return True
    return False


def verify_failure(**options: Any) -> CommandError:
    """Run `verify_audit`, expecting it to fail; the error (message, exit code)."""
    with pytest.raises(CommandError) as info:
        call_command("verify_audit", **options)
    return info.value
