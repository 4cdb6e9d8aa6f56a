"""The replica router: roll-up reads go to the replica only when one is configured; writes,
other reads and migrations never do."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from zoufang.core.models import AuditLog
from zoufang.core.routers import ReplicaRouter
from zoufang.ledger.models import Visit, VisitDaily, VisitDailyCity

ROUTER = ReplicaRouter()


@pytest.fixture
def replica(settings: Any) -> None:
    settings.ZOUFANG_READ_REPLICA = "replica"


def test_without_a_replica_everything_reads_the_default() -> None:
    assert ROUTER.db_for_read(VisitDaily) is None
    assert ROUTER.db_for_read(Visit) is None


@pytest.mark.usefixtures("replica")
def test_roll_ups_are_read_from_the_replica() -> None:
    assert ROUTER.db_for_read(VisitDaily) == "replica"
    assert ROUTER.db_for_read(VisitDailyCity) == "replica"


@pytest.mark.usefixtures("replica")
def test_records_writes_and_migrations_stay_on_the_primary() -> None:
    assert ROUTER.db_for_read(Visit) is None  # a visit just saved is read back at once
    assert ROUTER.db_for_read(AuditLog) is None
    assert ROUTER.db_for_write(VisitDaily) == "default"
    assert ROUTER.allow_migrate("replica", "ledger") is False
    assert ROUTER.allow_migrate("default", "ledger") is True


@pytest.mark.usefixtures("replica")
def test_the_models_are_a_setting() -> None:
    with override_settings(ZOUFANG_REPLICA_MODELS=["ledger.Visit"]):
        assert ROUTER.db_for_read(Visit) == "replica"
        assert ROUTER.db_for_read(VisitDaily) is None
