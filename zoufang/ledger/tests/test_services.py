"""Ledger writes: roll-ups in the same transaction, optimistic locking, duplicates, audit."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from zoufang.core.errors import ConflictError
from zoufang.core.models import AuditAction, AuditLog
from zoufang.core.personal import decrypt, phone_digest
from zoufang.ledger.models import (
    Channel,
    TargetType,
    Visit,
    VisitDaily,
    VisitDailyCity,
    VisitSource,
)
from zoufang.ledger.rollups import rollup_rebuild
from zoufang.ledger.services import (
    visit_create,
    visit_delete,
    visit_update,
    visits_bulk_create,
)
from zoufang.ledger.tests.factories import make_visit, visit_input

pytestmark = pytest.mark.django_db


MEASURES = (
    "visits", "return_visits", "opinions_collected", "disputes_mediated", "hazards_found",
    "households_helped", "donation_cents",
)  # fmt: skip


def rollup_table() -> tuple[list[tuple], list[tuple]]:
    """Both roll-ups (unit and city-wide), rows that count something, sorted."""
    unit = VisitDaily.objects.filter(visits__gt=0).values_list(
        "unit_id", "day", "target_type", "channel", *MEASURES
    )
    city = VisitDailyCity.objects.filter(visits__gt=0).values_list(
        "day", "target_type", "channel", *MEASURES
    )
    return sorted(unit), sorted(city)


def assert_rollups_match_visits() -> None:
    kept = rollup_table()
    rollup_rebuild()
    assert kept == rollup_table()


def test_create_keeps_rollups_and_audit(city) -> None:
    visit = make_visit(
        city.officer, is_return_visit=True, opinions_collected=2, donation_amount=Decimal("300.50")
    )
    daily = VisitDaily.objects.get(unit=city.station_a, day=visit.visit_date)
    assert (daily.visits, daily.return_visits, daily.opinions_collected, daily.donation_cents) == (
        1,
        1,
        2,
        30050,
    )
    audit = AuditLog.objects.get(object_type="ledger.visit", object_id=str(visit.pk))
    assert audit.action == AuditAction.CREATE
    assert audit.actor == city.user("officer")
    assert audit.after is not None
    assert audit.after["target_name"] == visit.target_name
    assert audit.after["officers"] == [city.officer.badge_no]
    assert_rollups_match_visits()


def test_personal_data_is_never_stored_in_clear(city) -> None:
    visit = make_visit(city.officer, phone="13812345678", id_number="11010519491231002X")
    visit.refresh_from_db()
    assert visit.phone_masked == "138****5678"
    assert visit.id_number_masked == "110105********002X"
    assert visit.phone_hash == phone_digest("13812345678")
    assert decrypt(visit.phone_cipher, purpose="phone") == "13812345678"
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM ledger_visit")
        stored = repr(cursor.fetchall())
        cursor.execute("SELECT before, after FROM core_auditlog")
        stored += repr(cursor.fetchall())
    assert "13812345678" not in stored
    assert "11010519491231002X" not in stored


def test_update_moves_the_rollups_and_records_before_and_after(city) -> None:
    visit = make_visit(city.officer)
    changed = visit_input(
        city.officer,
        visit_date=datetime.date(2022, 3, 16),
        target_name="李四",
        channel=Channel.PHONE,
        phone=None,
    )
    updated = visit_update(
        actor=city.user("officer"), visit_id=visit.pk, expected_version=1, data=changed
    )
    assert updated.version == 2
    assert updated.phone_masked == "138****5678"  # None keeps the stored number
    assert not VisitDaily.objects.filter(day=datetime.date(2022, 3, 15), visits__gt=0).exists()
    assert VisitDaily.objects.get(day=datetime.date(2022, 3, 16)).channel == Channel.PHONE
    audit = AuditLog.objects.filter(action=AuditAction.UPDATE).get()
    assert audit.before == {
        "visit_date": "2022-03-15",
        "channel": "in_person",
        "target_name": visit.target_name,
    }
    assert audit.after == {"visit_date": "2022-03-16", "channel": "phone", "target_name": "李四"}
    assert_rollups_match_visits()


def test_a_stale_edit_is_refused_and_changes_nothing(city) -> None:
    visit = make_visit(city.officer)
    first = visit_input(city.officer, target_name="第一次修改")
    visit_update(actor=city.user("officer"), visit_id=visit.pk, expected_version=1, data=first)
    stale = visit_input(city.officer, target_name="过期的修改")
    with pytest.raises(ConflictError) as caught:
        visit_update(actor=city.user("officer"), visit_id=visit.pk, expected_version=1, data=stale)
    assert caught.value.extra["current_version"] == 2
    visit.refresh_from_db()
    assert visit.target_name == "第一次修改"
    assert_rollups_match_visits()


def test_officers_change_only_their_own_visits(city) -> None:
    colleague = type(city.officer).objects.create(
        user=type(city.user("officer")).objects.create(username="colleague"),
        unit=city.station_a,
        badge_no="300001",
    )
    visit = make_visit(colleague)
    with pytest.raises(PermissionDenied):
        visit_update(
            actor=city.user("officer"),
            visit_id=visit.pk,
            expected_version=1,
            data=visit_input(colleague),
        )
    # The unit's lead may.
    visit_update(
        actor=city.user("unit_admin"),
        visit_id=visit.pk,
        expected_version=1,
        data=visit_input(colleague),
    )


def test_delete_takes_the_visit_out_of_the_rollups(city) -> None:
    visit = make_visit(city.officer)
    make_visit(city.officer)
    with pytest.raises(PermissionDenied):
        visit_delete(actor=city.user("officer"), visit_id=visit.pk, expected_version=1)
    visit_delete(actor=city.user("unit_admin"), visit_id=visit.pk, expected_version=1)
    assert not Visit.objects.filter(pk=visit.pk).exists()
    assert VisitDaily.objects.get(unit=city.station_a).visits == 1
    deleted = AuditLog.objects.get(action=AuditAction.DELETE)
    assert deleted.before is not None
    assert deleted.before["target_name"] == visit.target_name
    assert_rollups_match_visits()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"unit_code": "JZ0201"}, "unit"),
        ({"officer_b": True}, "officers"),
        ({"officers": ()}, "officers"),
        ({"visit_date": datetime.date(2099, 1, 1)}, "visit_date"),
    ],
)
def test_rules_beyond_formats(city, overrides, field) -> None:
    if overrides.pop("unit_code", None):
        overrides["unit"] = city.station_b
    if overrides.pop("officer_b", None):
        overrides["officers"] = (city.officer_b,)
    with pytest.raises(ValidationError) as caught:
        visit_create(actor=city.user("officer"), data=visit_input(city.officer, **overrides))
    assert field in caught.value.message_dict
    assert not Visit.objects.exists()
    assert not VisitDaily.objects.exists()


def test_listed_opinions_raise_the_count(city) -> None:
    visit = make_visit(city.officer, opinions=("一", "二", "三"), opinions_collected=1)
    assert visit.opinions_collected == 3
    assert VisitDaily.objects.get().opinions_collected == 3


def test_a_duplicate_is_refused(city) -> None:
    row = visit_input(city.officer, target_name="王 五")
    visit_create(actor=city.user("officer"), data=row)
    again = visit_input(city.officer, target_name="王  五")  # white space does not make it new
    with pytest.raises(ValidationError) as caught:
        visit_create(actor=city.user("officer"), data=again)
    assert "target_name" in caught.value.message_dict
    assert Visit.objects.count() == 1
    assert VisitDaily.objects.get().visits == 1


def test_bulk_create_skips_duplicates_and_keeps_rollups(city) -> None:
    existing = make_visit(city.officer, target_name="已有对象")
    rows = [
        visit_input(city.officer, target_name="已有对象"),
        visit_input(city.officer, target_name="新对象", target_type=TargetType.KEY_PERSON),
        visit_input(city.officer, target_name="新对象", target_type=TargetType.KEY_PERSON),
        visit_input(city.officer_b, target_name="另一个"),
    ]
    result = visits_bulk_create(actor=city.user("city_admin"), rows=rows, source=VisitSource.IMPORT)
    assert result.duplicate_rows == [0, 2]
    assert len(result.created_ids) == 2
    assert existing.pk not in result.created_ids
    assert set(Visit.objects.get(pk=result.created_ids[0]).officers.all()) == {city.officer}
    assert (
        AuditLog.objects.filter(action=AuditAction.CREATE, object_type="ledger.visit").count() == 3
    )
    assert_rollups_match_visits()


def test_the_city_wide_rollup_is_the_unit_rollups_summed(city) -> None:
    day = datetime.date(2022, 3, 15)
    first = make_visit(city.officer, visit_date=day)
    make_visit(city.officer, visit_date=day)
    make_visit(city.officer_b, visit_date=day)
    visit_delete(actor=city.user("unit_admin"), visit_id=first.pk, expected_version=1)

    (row,) = VisitDailyCity.objects.filter(day=day, visits__gt=0)
    units = VisitDaily.objects.filter(day=day).values_list("visits", flat=True)
    assert row.visits == 2 == sum(units)
    assert len(units) == 2  # one per station: the city-wide row sums them
    assert_rollups_match_visits()
