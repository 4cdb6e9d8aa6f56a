"""The bulk demo load (PostgreSQL): rows drawn as `VisitGenerator` draws them, duplicates
skipped, roll-ups equal to a rebuild, every index and constraint back afterwards, nothing
left behind by a failure. The drawing itself runs on any database."""

from __future__ import annotations

import datetime
import io
import itertools
import random
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from zoufang.core.actors import SYSTEM
from zoufang.core.audit import AuditAction
from zoufang.core.models import AuditLog
from zoufang.core.personal import decrypt, seal_id_number, seal_phone
from zoufang.demo import bulkload
from zoufang.demo.services import (
    AGENCY_CHANNELS,
    AGENCY_TYPES,
    GRASSROOTS_CHANNELS,
    GRASSROOTS_TYPES,
    YEAR,
    ZERO_RESULT_UNITS,
    VisitGenerator,
    build_campaign,
    build_officers,
    build_units,
)
from zoufang.demo.vocabulary import ACTIONS, ROADS, TOPICS
from zoufang.ledger.models import (
    Channel,
    TargetType,
    Visit,
    VisitDaily,
    VisitDailyCity,
    VisitOfficer,
)
from zoufang.ledger.rollups import MEASURES, rollup_rebuild
from zoufang.ledger.services import VisitInput, dedup_key, visit_create
from zoufang.org.models import Officer, Unit, UnitKind

postgresql_only = pytest.mark.skipif("connection.vendor != 'postgresql'")
TABLES = ("ledger_visit", "ledger_visitofficer")


def city(ratio: float = 0.05) -> VisitGenerator:
    rng = random.Random(3)
    units = build_units(rng)
    officers = build_officers(rng, units, ratio)
    build_campaign()
    return VisitGenerator(units, officers)


def table_shape() -> set[tuple[str, str]]:
    """The indexes and constraints of the visits and their officers, and the foreign keys of
    other tables that refer to them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid::regclass::text = ANY(%s)",
            [list(TABLES)],
        )
        indexes = set(cursor.fetchall())
        cursor.execute(
            "SELECT conrelid::regclass::text || '.' || conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s) "
            "OR confrelid::regclass::text = ANY(%s)",
            [list(TABLES), list(TABLES)],
        )
        return indexes | set(cursor.fetchall())


def rollups() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    unit = VisitDaily.objects.values_list("unit_id", "day", "target_type", "channel", *MEASURES)
    city = VisitDailyCity.objects.values_list("day", "target_type", "channel", *MEASURES)
    return sorted(unit), sorted(city)


def ledger() -> tuple[int, int, int, int]:
    return (
        Visit.objects.count(),
        VisitOfficer.objects.count(),
        VisitDaily.objects.count(),
        AuditLog.objects.count(),
    )


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_bulk_load(monkeypatch: Any) -> None:
    generator = city()
    before = table_shape()
    monkeypatch.setattr(bulkload, "CHUNK", 700)
    monkeypatch.setattr(bulkload, "PEOPLE_PER_KIND", 3)  # few people: duplicates get drawn
    kept = bulkload.visits_bulk_load(generator=generator, total=5000, seed=3)
    assert table_shape() == before
    assert 4000 < kept < 5000 and Visit.objects.count() == kept
    keys = Visit.objects.values_list("dedup_key", flat=True)
    assert len(set(keys)) == kept
    assert set(VisitOfficer.objects.values_list("visit_id", flat=True)) == set(
        Visit.objects.values_list("pk", flat=True)
    )
    loaded = rollups()
    assert sum(row[4] for row in loaded[0]) == kept
    rollup_rebuild()
    assert loaded == rollups()
    with_phone = Visit.objects.exclude(phone_cipher="").first()
    assert with_phone is not None
    clear = decrypt(with_phone.phone_cipher, purpose="phone")
    assert with_phone.phone_masked.endswith(clear[-4:])
    (audit,) = AuditLog.objects.filter(note="seed_demo bulk load")
    assert audit.action == AuditAction.IMPORT and audit.after is not None
    assert audit.after["count"] == kept
    assert audit.after["first_id"] == Visit.objects.order_by("pk")[0].pk
    # The sequences hand out ids past the loaded ones (they were reserved, not guessed).
    last = (Visit.objects.order_by("-pk")[0].pk, VisitOfficer.objects.order_by("-pk")[0].pk)
    with connection.cursor() as cursor:
        for table, loaded_last in zip(TABLES, last, strict=True):
            cursor.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id'))")
            assert cursor.fetchone()[0] > loaded_last


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_bulk_rows_are_ledger_rows(monkeypatch: Any) -> None:
    """Each row's duplicate key is the one the ledger computes from its fields and officers;
    its texts are what `services._visit_row` writes."""
    generator = city()
    monkeypatch.setattr(bulkload, "CHUNK", 500)
    started = timezone.now()
    kept = bulkload.visits_bulk_load(generator=generator, total=2000, seed=5)
    roads, topics, actions = ("|".join(texts) for texts in (ROADS, TOPICS, ACTIONS))
    team: dict[int, list[int]] = {}
    for visit_id, officer_id in VisitOfficer.objects.values_list("visit_id", "officer_id"):
        team.setdefault(visit_id, []).append(officer_id)
    units = {unit.pk: unit for unit in Unit.objects.all()}
    visits = list(Visit.objects.all())
    assert len(visits) == kept
    for visit in visits:
        assert len(team[visit.pk]) in (1, 2)
        assert visit.dedup_key == dedup_key(
            visit_date=visit.visit_date,
            unit_id=visit.unit_id,
            officer_ids=team[visit.pk],
            target_type=visit.target_type,
            channel=visit.channel,
            target_name=visit.target_name,
        )
        place = units[visit.unit_id].short_name.removesuffix("所") or "江州"
        assert re.fullmatch(f"江州市{place}({roads})([1-9][0-9]{{0,2}})号", visit.address)
        name = re.escape(visit.target_name)
        assert re.fullmatch(f"走访{name}，了解({topics})，({actions})。", visit.summary)
        assert (visit.source, visit.version, visit.note) == ("seed", 1, "")
        assert abs(visit.created_at - started) < datetime.timedelta(minutes=5)
        assert visit.updated_at == visit.created_at
        assert visit.donation_amount in {0, *bulkload.DONATIONS}
        for prefix, seal in (("phone", seal_phone), ("id_number", seal_id_number)):
            cipher = getattr(visit, f"{prefix}_cipher")
            if cipher:  # the cipher, the keyed hash and the masked form of one number
                sealed = seal(decrypt(cipher, purpose=prefix))
                assert getattr(visit, f"{prefix}_hash") == sealed.digest
                assert getattr(visit, f"{prefix}_masked") == sealed.masked
            else:
                assert getattr(visit, f"{prefix}_hash") == getattr(visit, f"{prefix}_masked") == ""
        if visit.target_type != TargetType.HARDSHIP_HOUSEHOLD:
            assert visit.households_helped == 0 and visit.donation_amount == 0
    officers_of = {unit: {o.pk for o in staff} for unit, staff in generator.officers.items()}
    assert all(set(team[v.pk]) <= officers_of[v.unit_id] for v in visits)
    # Ids follow the calendar, as in a ledger kept day by day.
    dates = [v.visit_date for v in sorted(visits, key=lambda v: v.pk)]
    assert dates == sorted(dates)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_bulk_load_skips_what_the_ledger_has(monkeypatch: Any) -> None:
    """A drawn row that duplicates a visit already written is skipped; the visit stays."""
    generator = city()
    monkeypatch.setattr(bulkload, "CHUNK", 500)
    drawing = bulkload.drawing_prepare(generator, 7, total=1500)
    start, size = bulkload.chunks(drawing.days, bulkload.CHUNK)[0]
    drawn = bulkload.draw_chunk(drawing, start, size)
    row = drawn.visits[0]
    officers = drawn.officers["officer_id"][drawn.officers["visit_id"] == row["id"]]
    unit = Unit.objects.get(pk=int(row["unit_id"]))
    existing = visit_create(
        actor=SYSTEM,
        data=VisitInput(
            visit_date=bulkload._PG_EPOCH + datetime.timedelta(days=int(row["visit_date"])),
            unit=unit,
            officers=tuple(Officer.objects.filter(pk__in=officers.tolist())),
            target_type=bulkload.TYPES[row["target_type"] - 1],
            channel=bulkload.CHANNELS[row["channel"] - 1],
            target_name=drawing.people[row["person"]].name,
        ),
    )
    assert existing.dedup_key == row["dedup_key"].decode()
    kept = bulkload.visits_bulk_load(generator=generator, total=1500, seed=7)
    assert Visit.objects.count() == kept + 1
    assert list(Visit.objects.filter(dedup_key=existing.dedup_key)) == [existing]
    assert VisitOfficer.objects.filter(visit=existing).count() == len(officers)
    loaded = rollups()
    rollup_rebuild()
    assert loaded == rollups()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_bulk_load_is_all_or_nothing(monkeypatch: Any) -> None:
    """A failure after the rows are written leaves the ledger, its roll-ups, its audit and
    its indexes as they were."""
    generator = city()
    unit = next(u for u in generator.active if u.kind == UnitKind.STATION)
    visit_create(
        actor=SYSTEM,
        data=VisitInput(
            visit_date=datetime.date(YEAR, 3, 1),
            unit=unit,
            officers=(generator.officers[unit.pk][0],),
            target_type=TargetType.RESIDENT,
            channel=Channel.IN_PERSON,
            target_name="张伟",
        ),
    )
    before, shape = (ledger(), rollups()), table_shape()

    def broken() -> int:
        raise RuntimeError("roll-ups failed")

    monkeypatch.setattr(bulkload, "CHUNK", 500)
    monkeypatch.setattr(bulkload, "rollup_rebuild", broken)
    with pytest.raises(RuntimeError, match="roll-ups failed"):
        bulkload.visits_bulk_load(generator=generator, total=1500, seed=9)
    assert (ledger(), rollups()) == before
    assert table_shape() == shape


def shares(values: Iterable[Any]) -> dict[Any, float]:
    counts = Counter(values)
    total = sum(counts.values())
    return {key: count / total for key, count in counts.items()}


def close(drawn: dict[Any, float], expected: dict[Any, float], within: float) -> bool:
    return all(abs(drawn.get(key, 0) - share) < within for key, share in expected.items())


def weights(table: dict[Any, int]) -> dict[str, float]:
    return {str(key): value / sum(table.values()) for key, value in table.items()}


@pytest.mark.django_db
def test_drawing_follows_the_visit_generator() -> None:
    """Drawn with numpy, the rows keep `VisitGenerator`'s distributions: units by headcount
    and kind, days by phase and weekday, target types and channels by unit kind, the shares
    of return visits, opinions, disputes, hazards, help and donations."""
    generator = city(ratio=0.2)
    drawing = bulkload.drawing_prepare(generator, 11, total=60_000)
    parts = [
        bulkload.draw_chunk(drawing, *chunk) for chunk in bulkload.chunks(drawing.days, 20_000)
    ]
    rows = np.concatenate([part.visits for part in parts])
    officers = np.concatenate([part.officers for part in parts])
    python = generator.rows(random.Random(11), 20_000)  # the ordinary way, for comparison
    kind_of = {unit.pk: unit.kind for unit in generator.active}
    grassroots = np.array([kind_of[unit] in bulkload._GRASSROOTS for unit in rows["unit_id"]])
    types = np.array(bulkload.TYPES)[rows["target_type"] - 1]
    channels = np.array(bulkload.CHANNELS)[rows["channel"] - 1]

    assert close(
        shares(kind_of[unit] for unit in rows["unit_id"].tolist()),
        shares(row.unit.kind for row in python),
        0.02,
    )
    assert not set(rows["unit_id"].tolist()) & {
        unit.pk for unit in Unit.objects.filter(code__in=ZERO_RESULT_UNITS)
    }
    days = [bulkload._PG_EPOCH + datetime.timedelta(days=int(d)) for d in rows["visit_date"]]
    assert min(days) >= datetime.date(YEAR, 1, 1) and max(days) <= datetime.date(YEAR, 12, 31)
    assert close(shares(d.month for d in days), shares(r.visit_date.month for r in python), 0.01)
    assert close(
        shares(d.weekday() for d in days), shares(r.visit_date.weekday() for r in python), 0.01
    )
    assert close(shares(types[grassroots].tolist()), weights(GRASSROOTS_TYPES), 0.01)
    assert close(shares(types[~grassroots].tolist()), weights(AGENCY_TYPES), 0.05)
    assert close(shares(channels[grassroots].tolist()), weights(GRASSROOTS_CHANNELS), 0.01)
    assert close(shares(channels[~grassroots].tolist()), weights(AGENCY_CHANNELS), 0.05)

    hardship = types == TargetType.HARDSHIP_HOUSEHOLD
    pairs = np.bincount(np.searchsorted(rows["id"], officers["visit_id"]), minlength=len(rows))
    figures = {
        "return": rows["is_return_visit"].mean(),
        "opinions": (rows["opinions_collected"] > 0).mean(),
        "opinion count": rows["opinions_collected"][rows["opinions_collected"] > 0].mean(),
        "disputes": rows["disputes_mediated"].mean(),
        "hazards": (rows["hazards_found"] > 0).mean(),
        "helped": rows["households_helped"][hardship].mean(),
        "donations": (rows["donation"][hardship] > 0).mean(),
        "two officers": (pairs == 2).mean(),
    }
    python_hardship = [r for r in python if r.target_type == TargetType.HARDSHIP_HOUSEHOLD]
    expected = {
        "return": np.mean([r.is_return_visit for r in python]),
        "opinions": np.mean([r.opinions_collected > 0 for r in python]),
        "opinion count": np.mean([r.opinions_collected for r in python if r.opinions_collected]),
        "disputes": np.mean([r.disputes_mediated for r in python]),
        "hazards": np.mean([r.hazards_found > 0 for r in python]),
        "helped": np.mean([r.households_helped for r in python_hardship]),
        "donations": np.mean([r.donation_amount > 0 for r in python_hardship]),
        "two officers": np.mean([len(r.officers) == 2 for r in python]),
    }
    hardship_figures = ("opinion count", "helped", "donations")  # fewer rows: looser
    for name in figures:
        assert figures[name] == pytest.approx(
            expected[name], abs=0.06 if name in hardship_figures else 0.015
        ), name
    assert (pairs >= 1).all() and (pairs <= 2).all()


def test_chunks_hold_whole_days() -> None:
    """A chunk ends where a day ends, so a row's duplicate is never in another chunk."""
    days = np.sort(np.random.default_rng(1).integers(0, 365, 10_000)).astype(np.int16)
    parts = bulkload.chunks(days, 700)
    assert parts[0][0] == 0 and sum(size for _start, size in parts) == len(days)
    for (start, size), (following, _size) in itertools.pairwise(parts):
        assert start + size == following and days[following - 1] != days[following]
        assert size >= 700
    assert bulkload.chunks(days[:0], 700) == []


@pytest.mark.django_db(transaction=True)
def test_seed_demo_takes_a_number_of_visits(tmp_path: Path) -> None:
    """`seed_demo --visits N` (how the bulk load is measured at other sizes) builds the city
    with N visits instead of the scale's."""
    out = io.StringIO()
    files = ("--ledger-files", tmp_path)
    call_command("seed_demo", "--scale", "tiny", "--visits", "300", *files, stdout=out)
    skipped = int(re.search(r"\((\d+) generated duplicates skipped\)", out.getvalue())[1])  # type: ignore[index]
    assert Visit.objects.filter(source="seed").count() == 300 - skipped
    with pytest.raises(CommandError, match="--visits"):
        call_command("seed_demo", "--scale", "tiny", "--visits", "-1", "--if-empty")
