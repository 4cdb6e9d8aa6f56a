"""Retention: visits past ZOUFANG_VISIT_RETENTION_DAYS lose their personal data, keep their
figures; batches, audit, idempotence, refusals, the command."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core import checks
from django.core.management import call_command
from django.core.management.base import CommandError

from zoufang.core.errors import ConflictError
from zoufang.core.models import AuditLog
from zoufang.core.personal import phone_digest
from zoufang.ledger.models import Channel, TargetType, Visit, VisitDaily
from zoufang.ledger.retention import (
    ANONYMISED_NAME,
    RetentionError,
    retention_cutoff,
    visits_anonymise,
)
from zoufang.ledger.rollups import rollup_rebuild
from zoufang.ledger.services import visit_update
from zoufang.ledger.tests.factories import make_visit, visit_input

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2022, 6, 1)  # with 1095 days: visits before 2019-06-02 are due
CUTOFF = datetime.date(2019, 6, 2)
PERSONAL = (
    "phone_cipher",
    "phone_hash",
    "phone_masked",
    "id_number_cipher",
    "id_number_hash",
    "id_number_masked",
    "address",
    "summary",
    "note",
)
KEPT = (
    "visit_date",
    "unit_id",
    "target_type",
    "channel",
    "is_return_visit",
    "opinions_collected",
    "disputes_mediated",
    "hazards_found",
    "households_helped",
    "donation_amount",
    "source",
    "created_by_id",
    "created_at",
)


def rollups() -> list[tuple[Any, ...]]:
    return sorted(
        VisitDaily.objects.values_list(
            "unit_id",
            "day",
            "target_type",
            "channel",
            "visits",
            "return_visits",
            "opinions_collected",
            "disputes_mediated",
            "hazards_found",
            "households_helped",
            "donation_cents",
        )
    )


def figures() -> dict[int, tuple[Any, ...]]:
    return {row[0]: row[1:] for row in Visit.objects.values_list("pk", *KEPT)}


@pytest.fixture
def ledger(city: Any) -> dict[str, Visit]:
    """Old visits (two alike but for the name), one on the cutoff day, one recent."""
    common = {
        "visit_date": datetime.date(2019, 1, 10),
        "target_type": TargetType.HARDSHIP_HOUSEHOLD,
        "channel": Channel.IN_PERSON,
        "phone": "13812345678",
        "id_number": "11010519491231002X",
        "address": "江州市人民路88号",
        "summary": "李秀英家中困难，电话 13812345678",
        "note": "其子在外务工",
        "households_helped": 1,
        "donation_amount": Decimal("300.00"),
    }
    return {
        "old": make_visit(city.officer, target_name="李秀英", is_return_visit=True, **common),
        "old_twin": make_visit(city.officer, target_name="王建国", **common),
        "old_other_unit": make_visit(
            city.officer_b, target_name="赵六", visit_date=datetime.date(2018, 3, 1)
        ),
        "on_cutoff": make_visit(city.officer, target_name="钱七", visit_date=CUTOFF),
        "recent": make_visit(
            city.officer, target_name="孙八", visit_date=datetime.date(2022, 3, 1)
        ),
    }


def test_old_visits_lose_personal_data_and_keep_their_figures(
    ledger: dict[str, Visit], city: Any
) -> None:
    before_rollups, before_figures = rollups(), figures()
    untouched = {
        name: Visit.objects.values().get(pk=ledger[name].pk) for name in ("on_cutoff", "recent")
    }
    result = visits_anonymise(today=TODAY)
    assert (result.anonymised, result.before, result.completed) == (3, CUTOFF, True)
    for name in ("old", "old_twin", "old_other_unit"):
        visit = Visit.objects.get(pk=ledger[name].pk)
        assert visit.target_name == ANONYMISED_NAME
        assert all(getattr(visit, column) == "" for column in PERSONAL), name
        assert visit.dedup_key == f"anonymised:{visit.pk}" and visit.version == 2
    for name, values in untouched.items():
        assert Visit.objects.values().get(pk=ledger[name].pk) == values
    # The figures, the roll-ups and a rebuild of them are what they were.
    assert figures() == before_figures
    assert rollups() == before_rollups
    rollup_rebuild()
    assert rollups() == before_rollups
    assert not Visit.objects.filter(phone_hash=phone_digest("13812345678"), visit_date__lt=CUTOFF)
    record = AuditLog.objects.filter(object_type="ledger.visit", action="update").get()
    assert record.after == {
        "before": "2019-06-02",
        "retention_days": 1095,
        "anonymised": 3,
        "first_id": ledger["old"].pk,
        "last_id": ledger["old_other_unit"].pk,
        "batches": 1,
        "completed": True,
    }
    assert "李秀英" not in str(record.after) + record.object_repr


def test_a_second_run_changes_nothing(ledger: dict[str, Visit]) -> None:
    visits_anonymise(today=TODAY)
    state = list(Visit.objects.order_by("pk").values())
    again = visits_anonymise(today=TODAY)
    assert again.anonymised == 0 and again.completed
    assert list(Visit.objects.order_by("pk").values()) == state
    runs = AuditLog.objects.filter(object_type="ledger.visit", action="update").order_by("id")
    assert [r.after["anonymised"] for r in runs if r.after] == [3, 0]


def test_an_edit_form_opened_before_cannot_write_the_old_values_back(
    ledger: dict[str, Visit], city: Any
) -> None:
    old = ledger["old"]
    visits_anonymise(today=TODAY)
    with pytest.raises(ConflictError):
        visit_update(
            actor=city.user("officer"),
            visit_id=old.pk,
            expected_version=1,
            data=visit_input(city.officer, visit_date=old.visit_date, target_name="李秀英"),
        )


def test_a_dry_run_counts_and_changes_nothing(ledger: dict[str, Visit]) -> None:
    state = list(Visit.objects.order_by("pk").values())
    result = visits_anonymise(today=TODAY, dry_run=True)
    assert result.anonymised == 3 and result.dry_run
    assert list(Visit.objects.order_by("pk").values()) == state
    assert not AuditLog.objects.filter(object_type="ledger.visit", action="update").exists()


def test_an_earlier_date_narrows_a_later_one_is_refused(ledger: dict[str, Visit]) -> None:
    assert visits_anonymise(today=TODAY, before=datetime.date(2019, 1, 1)).anonymised == 1
    with pytest.raises(RetentionError):
        visits_anonymise(today=TODAY, before=datetime.date(2019, 6, 3))
    assert Visit.objects.get(pk=ledger["old"].pk).target_name == "李秀英"


def test_a_retention_under_a_year_is_refused(settings: Any, ledger: dict[str, Visit]) -> None:
    settings.ZOUFANG_VISIT_RETENTION_DAYS = 30
    with pytest.raises(RetentionError):
        retention_cutoff(today=TODAY)
    with pytest.raises(RetentionError):
        visits_anonymise(today=TODAY)
    assert not Visit.objects.filter(target_name=ANONYMISED_NAME).exists()


def test_a_stopped_run_is_audited_and_carried_on(ledger: dict[str, Visit]) -> None:
    def stop(result: Any) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        visits_anonymise(today=TODAY, batch_size=2, on_batch=stop)
    assert Visit.objects.filter(target_name=ANONYMISED_NAME).count() == 2
    stopped = AuditLog.objects.filter(object_type="ledger.visit", action="update").get()
    assert stopped.after is not None
    assert (stopped.after["anonymised"], stopped.after["completed"]) == (2, False)
    result = visits_anonymise(today=TODAY, batch_size=2)
    assert result.anonymised == 1
    assert Visit.objects.filter(target_name=ANONYMISED_NAME).count() == 3


def test_the_command(ledger: dict[str, Visit], capsys: Any) -> None:
    with time_machine.travel(datetime.datetime(2022, 6, 1, 9, 0), tick=False):
        call_command("anonymise_visits", "--dry-run")
        assert "would anonymise 3 visits dated before 2019-06-02" in capsys.readouterr().out
        with pytest.raises(CommandError):
            call_command("anonymise_visits", "--before", "2020-01-01")
        with pytest.raises(CommandError):
            call_command("anonymise_visits", "--before", "yesterday")
        call_command("anonymise_visits", "--batch-size", "2")
        assert "anonymised 3 visits" in capsys.readouterr().out
    assert Visit.objects.filter(target_name=ANONYMISED_NAME).count() == 3


def test_audit_kept_longer_than_visits_is_warned(settings: Any) -> None:
    settings.ZOUFANG_AUDIT_RETENTION_DAYS = 2000
    warnings = [m for m in checks.run_checks(tags=["security"]) if m.id == "zoufang.W001"]
    assert len(warnings) == 1
    settings.ZOUFANG_AUDIT_RETENTION_DAYS = 184
    assert not [m for m in checks.run_checks(tags=["security"]) if m.id == "zoufang.W001"]
