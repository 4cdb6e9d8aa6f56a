"""The bulk demo load (PostgreSQL): same rows as the ordinary path would hold, roll-ups equal
to a rebuild, duplicates dropped, every index and constraint back afterwards."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.db import connection

from zoufang.core.personal import decrypt
from zoufang.demo import bulkload
from zoufang.demo.services import VisitGenerator, build_campaign, build_officers, build_units
from zoufang.ledger.models import Visit, VisitDaily, VisitOfficer
from zoufang.ledger.rollups import rollup_rebuild

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'"),
]


def table_shape() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid::regclass::text IN ('ledger_visit', 'ledger_visitofficer')"
        )
        indexes = set(cursor.fetchall())
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid::regclass::text IN ('ledger_visit', 'ledger_visitofficer')"
        )
        return indexes | set(cursor.fetchall())


def test_bulk_load(monkeypatch: Any) -> None:
    rng = random.Random(3)
    units = build_units(rng)
    officers = build_officers(rng, units, 0.05)
    build_campaign()
    before = table_shape()
    monkeypatch.setattr(bulkload, "CHUNK", 700)
    monkeypatch.setattr(bulkload, "PEOPLE_PER_KIND", 3)  # few people: duplicates get drawn
    kept = bulkload.visits_bulk_load(generator=VisitGenerator(units, officers), total=5000, seed=3)
    assert table_shape() == before
    assert 4000 < kept < 5000 and Visit.objects.count() == kept
    keys = Visit.objects.values_list("dedup_key", flat=True)
    assert len(set(keys)) == kept
    assert not VisitOfficer.objects.exclude(visit__in=Visit.objects.all()).exists()
    assert set(VisitOfficer.objects.values_list("visit_id", flat=True)) == set(
        Visit.objects.values_list("pk", flat=True)
    )
    daily = sorted(VisitDaily.objects.values_list("unit_id", "day", "target_type", "visits"))
    rollup_rebuild()
    assert daily == sorted(
        VisitDaily.objects.values_list("unit_id", "day", "target_type", "visits")
    )
    with_phone = Visit.objects.exclude(phone_cipher="").first()
    assert with_phone is not None
    clear = decrypt(with_phone.phone_cipher, purpose="phone")
    assert with_phone.phone_masked.endswith(clear[-4:])
    # The next id the sequence hands out is past the loaded ones.
    visit = Visit.objects.order_by("-pk").first()
    assert visit is not None and bulkload  # ids were reserved, not guessed
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('ledger_visit', 'id'))")
        assert cursor.fetchone()[0] > visit.pk
