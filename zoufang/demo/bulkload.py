"""The large demo ledger (`seed_demo --scale large`, 5,000,000 visits) loaded in minutes.

The same rows as the other scales (`services.VisitGenerator`: the same units, officers,
weights and text), but written the way a bulk load should be on PostgreSQL:

1. the ids are reserved up front (`core.bulk.reserve_ids`), so rows and their officers can be
   written without asking the database for ids;
2. the people visited are drawn once per county and target type, a few hundred each, their
   phone and ID numbers sealed once (`drawing_prepare`) — visited again and again, as real
   households are; two worker processes then draw the rows and write them in COPY's text
   format, while this process streams their output to the server with COPY — a bounded
   window of chunks in flight, so memory stays flat;
3. the indexes, the unique key and the foreign keys of the visits and their officers are
   dropped for the load and built once at the end (`core.bulk.secondary_indexes_dropped`),
   after the few drawn duplicates (same date, unit, officers, type, channel and name) have
   been removed, keeping the first;
4. the daily roll-ups are rebuilt from the visits in one statement, and one audit record
   describes the load.

Everything runs in one transaction: a failure leaves the ledger as it was. Opinion texts are
not written for these rows (their `opinions_collected` counts are); the city's opinions come
from the rows written the ordinary way before.
"""

from __future__ import annotations

import itertools
import multiprocessing
import random
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from zoufang.core.audit import AuditAction, audit_record
from zoufang.core.bulk import copy_data, reserve_ids, secondary_indexes_dropped
from zoufang.core.personal import seal_id_number, seal_phone
from zoufang.ledger.models import TargetType, Visit, VisitOfficer
from zoufang.ledger.rollups import rollup_rebuild
from zoufang.ledger.services import dedup_key
from zoufang.org.models import UnitKind

from . import vocabulary as words
from .services import (
    AGENCY_CHANNELS,
    AGENCY_TYPES,
    GRASSROOTS_CHANNELS,
    GRASSROOTS_TYPES,
    VisitGenerator,
    _target,
)

CHUNK = 20_000
PROCESSES = 2
WINDOW = 2 * PROCESSES  # chunks drawn ahead of the COPY

VISIT_COLUMNS = (
    "id",
    "visit_date",
    "unit_id",
    "target_type",
    "channel",
    "is_return_visit",
    "target_name",
    "phone_cipher",
    "phone_hash",
    "phone_masked",
    "id_number_cipher",
    "id_number_hash",
    "id_number_masked",
    "address",
    "opinions_collected",
    "disputes_mediated",
    "hazards_found",
    "households_helped",
    "donation_amount",
    "summary",
    "note",
    "dedup_key",
    "source",
    "created_at",
    "updated_at",
    "version",
)

PEOPLE_PER_KIND = 400  # people drawn per county and target type, visited again and again


@dataclass(frozen=True)
class Person:
    """Someone the demo visits, personal data sealed once: (cipher, hash, masked) each."""

    name: str
    phone: tuple[str, str, str]
    id_number: tuple[str, str, str]


@dataclass
class Drawing:
    """What the workers draw from, built once in this process and inherited by them."""

    generator: VisitGenerator
    people: dict[tuple[int, str], list[Person]]
    types: dict[bool, tuple[list[str], list[float]]]  # grassroots? → (types, cumulative)
    channels: dict[bool, tuple[list[str], list[float]]]


def _sealed(value: str, sealer: Callable[[str], Any]) -> tuple[str, str, str]:
    if not value:
        return ("", "", "")
    sealed = sealer(value)
    return (sealed.cipher, sealed.digest, sealed.masked)


def _cumulative(weights: Mapping[Any, int]) -> tuple[list[str], list[float]]:
    return [str(key) for key in weights], list(itertools.accumulate(weights.values()))


def drawing_prepare(generator: VisitGenerator, seed: int) -> Drawing:
    """The people of every county by target type (a few hundred each, sealed once)."""
    rng = random.Random(f"{seed}:people")
    counties = sorted(set(generator.county_of.values()))
    kinds = sorted(str(kind) for kind in set(GRASSROOTS_TYPES) | set(AGENCY_TYPES))
    people = {
        (county, kind): [
            Person(name, _sealed(phone, seal_phone), _sealed(id_no, seal_id_number))
            for name, phone, id_no in (_target(rng, kind, county) for _ in range(PEOPLE_PER_KIND))
        ]
        for county in counties
        for kind in kinds
    }
    return Drawing(
        generator=generator,
        people=people,
        types={True: _cumulative(GRASSROOTS_TYPES), False: _cumulative(AGENCY_TYPES)},
        channels={True: _cumulative(GRASSROOTS_CHANNELS), False: _cumulative(AGENCY_CHANNELS)},
    )


# Set in this process before the workers are forked; they inherit it.
_drawing: Drawing | None = None
_GRASSROOTS = (UnitKind.STATION, UnitKind.COUNTY_BUREAU)
_DONATIONS = ("200.00", "300.00", "500.00", "800.00", "1000.00", "1500.00", "2000.00")


def _draw(job: tuple[str, int, int, str]) -> tuple[bytes, bytes, int]:
    """Worker: draw the rows with ids from `first` (the distributions of
    `services._visit_row`, people from the sealed pool); COPY text of the visits and of
    their officers. Every text here is free of tabs, newlines and backslashes."""
    seed, first, size, now = job
    drawing = _drawing
    assert drawing is not None
    generator = drawing.generator
    rng = random.Random(f"{seed}:{first}")
    random_ = rng.random
    choice = rng.choice
    units = rng.choices(generator.active, weights=generator.weights, k=size)
    days = rng.choices(generator.days, weights=generator.day_weights, k=size)
    visits: list[str] = []
    officers: list[str] = []
    for pk, unit, day in zip(range(first, first + size), units, days, strict=True):
        grassroots = unit.kind in _GRASSROOTS
        kinds, kind_weights = drawing.types[grassroots]
        channels, channel_weights = drawing.channels[grassroots]
        target_type = rng.choices(kinds, cum_weights=kind_weights)[0]
        channel = rng.choices(channels, cum_weights=channel_weights)[0]
        staff = generator.officers[unit.pk]
        team = rng.sample(staff, k=2 if len(staff) > 1 and random_() < 0.7 else 1)
        person = choice(drawing.people[(generator.county_of[unit.pk], target_type)])
        hardship = target_type == TargetType.HARDSHIP_HOUSEHOLD
        collected = choice((1, 1, 2, 3)) if random_() < 0.15 else 0
        returning = "t" if random_() < 0.12 else "f"
        place = unit.short_name.removesuffix("所") or "江州"
        address = f"江州市{place}{choice(words.ROADS)}{rng.randrange(1, 300)}号"
        disputes = 1 if random_() < 0.05 else 0
        hazards = choice((1, 2)) if random_() < 0.08 else 0
        helped = 1 if hardship and random_() < 0.8 else 0
        donation = choice(_DONATIONS) if hardship and random_() < 0.4 else "0.00"
        summary = f"走访{person.name}，了解{choice(words.TOPICS)}，{choice(words.ACTIONS)}。"
        key = dedup_key(
            visit_date=day,
            unit_id=unit.pk,
            officer_ids=[o.pk for o in team],
            target_type=target_type,
            channel=channel,
            target_name=person.name,
        )
        phone, id_number = person.phone, person.id_number
        visits.append(
            f"{pk}\t{day.isoformat()}\t{unit.pk}\t{target_type}\t{channel}\t{returning}\t"
            f"{person.name}\t{phone[0]}\t{phone[1]}\t{phone[2]}\t"
            f"{id_number[0]}\t{id_number[1]}\t{id_number[2]}\t{address}\t"
            f"{collected}\t{disputes}\t{hazards}\t{helped}\t{donation}\t{summary}\t\t"
            f"{key}\tseed\t{now}\t{now}\t1\n"
        )
        officers.extend(f"{pk}\t{o.pk}\n" for o in team)
    return "".join(visits).encode(), "".join(officers).encode(), size


def visits_bulk_load(
    *,
    generator: VisitGenerator,
    total: int,
    seed: int,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Load `total` drawn visits (PostgreSQL only); returns how many were kept."""
    global _drawing
    if connection.vendor != "postgresql":
        raise RuntimeError("the bulk demo load needs PostgreSQL")
    say = progress or (lambda line: None)
    now = timezone.now().isoformat()
    with transaction.atomic():
        first = reserve_ids(Visit, total)
        jobs = [
            (str(seed), start, min(CHUNK, first + total - start), now)
            for start in range(first, first + total, CHUNK)
        ]
        _drawing = drawing_prepare(generator, seed)
        with connection.cursor() as cursor:  # sorts and hashes of millions of rows
            cursor.execute("SET LOCAL work_mem = '256MB'")
        with secondary_indexes_dropped(Visit, VisitOfficer):
            loaded = _copy_all(jobs, say)
            removed = _remove_duplicates(first)
            say(f"{loaded} visits loaded, {removed} drawn twice removed; building indexes")
        say("rebuilding roll-ups")
        rollup_rebuild()
        kept = loaded - removed
        audit_record(
            action=AuditAction.IMPORT,
            actor=None,
            object_type="ledger.visit",
            object_repr=f"{kept} visits",
            after={"count": kept, "first_id": first, "last_id": first + total - 1},
            note="seed_demo bulk load",
        )
    with connection.cursor() as cursor:
        for model in (Visit, VisitOfficer):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return kept


def _copy_all(jobs: list[tuple[str, int, int, str]], say: Callable[[str], None]) -> int:
    context = multiprocessing.get_context("fork")
    loaded = 0
    with context.Pool(PROCESSES) as pool:
        pending: deque[Any] = deque()
        queue = iter(jobs)
        for job in queue:
            pending.append(pool.apply_async(_draw, (job,)))
            if len(pending) >= WINDOW:
                break
        while pending:
            visits, officers, size = pending.popleft().get()
            following = next(queue, None)
            if following is not None:
                pending.append(pool.apply_async(_draw, (following,)))
            copy_data(Visit, VISIT_COLUMNS, visits)
            copy_data(VisitOfficer, ("visit_id", "officer_id"), officers)
            loaded += size
            if loaded % 500_000 < size:
                say(f"visits {loaded}")
    return loaded


def _remove_duplicates(first: int) -> int:
    """Delete the drawn rows whose duplicate key an earlier visit has (before the unique key
    is built again); returns how many."""
    visits = connection.ops.quote_name(Visit._meta.db_table)
    officers = connection.ops.quote_name(VisitOfficer._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE demo_duplicates ON COMMIT DROP AS "
            f"SELECT id FROM (SELECT id, dedup_key, row_number() OVER "
            f"(PARTITION BY dedup_key ORDER BY id) AS n FROM {visits} WHERE dedup_key IN "
            f"(SELECT dedup_key FROM {visits} GROUP BY dedup_key HAVING COUNT(*) > 1)) d "
            f"WHERE n > 1 AND id >= %s",
            [first],
        )
        cursor.execute(f"DELETE FROM {officers} WHERE visit_id IN (SELECT id FROM demo_duplicates)")
        cursor.execute(f"DELETE FROM {visits} WHERE id IN (SELECT id FROM demo_duplicates)")
        return cursor.rowcount
