"""The large demo ledger (`seed_demo --scale large`, 5,000,000 visits) loaded in minutes.

The same city as the other scales (`services.VisitGenerator`: the same units, officers,
weights and text), written the way a bulk load should be on PostgreSQL:

1. the ids of the visits and of their officers are reserved up front
   (`core.bulk.reserve_ids`; two officer ids per visit, the second unused when one officer
   went alone);
2. the people visited are drawn once per county and target type, a few hundred each, their
   phone and ID numbers sealed once (`drawing_prepare`) — visited again and again, as real
   households are — and every text a row is made of is encoded once, as COPY's binary format
   wants it;
3. the dates of all the rows are drawn at once and sorted, so the ids follow the calendar as
   in a ledger kept day by day, and the rows are cut into chunks of whole days (`chunks`);
4. two worker processes draw the rest of each chunk with numpy, with the weights of
   `services` (`draw_chunk`), compute each row's duplicate key (SHA-1, as
   `ledger.services.dedup_key`) and drop a row whose key an earlier row of its chunk or a
   visit already in the ledger has — a duplicate has the same date, so it cannot be in
   another chunk. They hand back the visits and their officers in COPY's binary format
   (`encode_visits`: the fixed-width columns from numpy, the texts joined from the pieces
   encoded in step 2 — the only work left row by row in Python, with the key);
5. this process streams the chunks to the server with COPY — a bounded window of chunks in
   flight, so memory stays flat — while the indexes and the primary, unique and foreign keys
   of the visits and their officers (and the foreign keys that refer to them) are dropped,
   to be built once at the end (`core.bulk.secondary_indexes_dropped`);
6. the daily roll-ups are rebuilt from the visits (`ledger.rollups.rollup_rebuild`, the unit
   roll-ups' indexes likewise built after), and one audit record describes the load; after
   the commit the tables are analysed.

Everything up to the commit runs in one transaction: a failure leaves the ledger as it was.
Opinion texts are not written for these rows (their `opinions_collected` counts are); the
city's opinions come from the rows written the ordinary way before.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import multiprocessing
import random
import struct
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from zoufang.core.audit import AuditAction, audit_record
from zoufang.core.bulk import (
    binary_data,
    binary_records,
    copy_data,
    reserve_ids,
    secondary_indexes_dropped,
)
from zoufang.core.personal import seal_id_number, seal_phone
from zoufang.ledger.models import TargetType, Visit, VisitDaily, VisitOfficer, VisitSource
from zoufang.ledger.rollups import rollup_rebuild
from zoufang.ledger.services import normalize_target_name
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

CHUNK = 100_000
PROCESSES = 2
WINDOW = 2 * PROCESSES  # chunks drawn ahead of the server
PEOPLE_PER_KIND = 400  # people drawn per county and target type, visited again and again

# The target types and channels drawn; the rows hold 1-based positions in these, and so do
# they in the word lists.
TYPES = sorted(str(kind) for kind in set(GRASSROOTS_TYPES) | set(AGENCY_TYPES))
CHANNELS = sorted(str(channel) for channel in set(GRASSROOTS_CHANNELS) | set(AGENCY_CHANNELS))
HARDSHIP = TYPES.index(TargetType.HARDSHIP_HOUSEHOLD) + 1
DONATIONS = (200, 300, 500, 800, 1000, 1500, 2000)  # yuan, as `services._visit_row`
HOUSES = 300  # house numbers 1 … 299, as `services._visit_row`
_GRASSROOTS = (UnitKind.STATION, UnitKind.COUNTY_BUREAU)
_PG_EPOCH = datetime.date(2000, 1, 1)  # binary COPY counts days and times from here

# A drawn row: positions in the lists above and in the word lists, the person drawn (a
# place in `Drawing.people`), the date as binary COPY counts it, the donation in yuan.
DRAWN = np.dtype(
    [
        ("id", np.int64),
        ("visit_date", np.int32),
        ("unit", np.int16),
        ("unit_id", np.int64),
        ("target_type", np.int16),
        ("channel", np.int16),
        ("person", np.int32),
        ("is_return_visit", np.bool_),
        ("opinions_collected", np.int16),
        ("disputes_mediated", np.int16),
        ("hazards_found", np.int16),
        ("households_helped", np.int16),
        ("donation", np.int16),
        ("road", np.int16),
        ("house", np.int16),
        ("topic", np.int16),
        ("action", np.int16),
        ("dedup_key", "S40"),
    ]
)
# The visits' columns in binary COPY: first those of one width, from numpy records …
VISIT_FIXED = (
    ("id", ">i8"),
    ("visit_date", ">i4"),
    ("unit_id", ">i8"),
    ("is_return_visit", "?"),
    ("opinions_collected", ">i4"),
    ("disputes_mediated", ">i4"),
    ("hazards_found", ">i4"),
    ("households_helped", ">i4"),
    ("dedup_key", "S40"),
    ("source", f"S{len(VisitSource.SEED)}"),
    ("created_at", ">i8"),
    ("updated_at", ">i8"),
    ("version", ">i4"),
)
# … then the texts, joined row by row from pieces encoded once.
VISIT_TEXTS = (
    "target_type",
    "channel",
    "target_name",
    "phone_cipher",
    "phone_hash",
    "phone_masked",
    "id_number_cipher",
    "id_number_hash",
    "id_number_masked",
    "address",
    "donation_amount",
    "summary",
    "note",
)
OFFICERS = (("id", ">i8"), ("visit_id", ">i8"), ("officer_id", ">i8"))


@dataclass(frozen=True)
class Person:
    """Someone the demo visits, personal data sealed once: (cipher, hash, masked) each."""

    name: str
    phone: tuple[str, str, str]
    id_number: tuple[str, str, str]


def _field(data: bytes | str) -> bytes:
    """One field of binary COPY: its length, then its bytes (a text's UTF-8)."""
    data = data.encode() if isinstance(data, str) else data
    return struct.pack(">i", len(data)) + data


def _numeric_field(yuan: int) -> bytes:
    """Whole yuan below 10,000 as one numeric(12, 2) field of binary COPY: the number of
    base-10000 digits, the weight of the first, the sign, the decimal places, the digits."""
    assert 0 <= yuan < 10_000
    digits = [yuan] if yuan else []
    return _field(struct.pack(f">hhhh{len(digits)}h", len(digits), 0, 0, 2, *digits))


@dataclass
class Texts:
    """Every text of a row, encoded once (binary COPY: fields with their lengths, or pieces
    of one field whose length is added row by row)."""

    types: list[bytes]  # by 1-based position in TYPES, and so below
    channels: list[bytes]
    people: list[bytes]  # the name and the sealed phone and ID number: seven fields
    summary_heads: list[bytes]  # by person: "走访<name>，了解"
    summary_tails: list[bytes]  # by (topic - 1) * len(ACTIONS) + action - 1: "<topic>，<action>。"
    address_heads: list[bytes]  # by unit position * len(ROADS) + road - 1: "江州市<place><road>"
    houses: list[bytes]  # by number: "<number>号"
    donations: dict[int, bytes]  # by yuan
    note: bytes = field(default_factory=lambda: _field(""))


@dataclass
class Drawing:
    """What the workers draw from, built once in this process and inherited by them."""

    seed: int
    now: int  # created_at and updated_at: microseconds since 2000-01-01 UTC
    first: int  # the id of the load's first row
    first_officer: int  # the first of two VisitOfficer ids reserved per row
    earlier: frozenset[str]  # the duplicate keys of the visits already in the ledger
    people: list[Person]  # by county, target type and slot: see `person` in `draw_chunk`
    key_names: list[str]  # each person's name as the duplicate key compares it
    days: np.ndarray  # the day (position in `day_iso`) of every row of the load, sorted
    day_iso: list[str]
    day_numbers: np.ndarray  # each day as binary COPY sends it
    unit_ids: np.ndarray  # the units that visit, by position
    unit_weights: np.ndarray  # cumulative
    grassroots: np.ndarray
    county: np.ndarray  # position of the unit's county among the people's counties
    staff_start: np.ndarray  # where the unit's officers start in `staff`
    staff_count: np.ndarray
    staff: np.ndarray
    types: dict[bool, tuple[np.ndarray, np.ndarray]]  # grassroots? → (positions, cumulative)
    channels: dict[bool, tuple[np.ndarray, np.ndarray]]
    texts: Texts


@dataclass
class Drawn:
    """Drawn rows: the visits as `DRAWN` records, their officers as `OFFICERS` records."""

    visits: np.ndarray
    officers: np.ndarray


@dataclass
class Chunk:
    """Drawn rows in COPY's binary format: how many were drawn, how many are kept."""

    visits: bytes
    officers: bytes
    drawn: int
    kept: int


def _sealed(value: str, sealer: Callable[[str], Any]) -> tuple[str, str, str]:
    if not value:
        return ("", "", "")
    sealed = sealer(value)
    return (sealed.cipher, sealed.digest, sealed.masked)


def _cumulative(weights: Mapping[Any, int], codes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    positions = np.array([codes.index(str(key)) + 1 for key in weights], dtype=np.int16)
    return positions, np.cumsum(np.array(list(weights.values()), dtype=np.float64))


def drawing_prepare(
    generator: VisitGenerator,
    seed: int,
    *,
    total: int,
    now: datetime.datetime | None = None,
    first: int = 1,
    first_officer: int = 1,
    earlier: frozenset[str] = frozenset(),
) -> Drawing:
    """The people of every county by target type (a few hundred each, sealed once), the
    sorted dates of all `total` rows, the units and officers as arrays, the texts encoded."""
    rng = random.Random(f"{seed}:people")
    counties = sorted(set(generator.county_of.values()))
    people = [
        Person(name, _sealed(phone, seal_phone), _sealed(id_no, seal_id_number))
        for county in counties
        for kind in TYPES
        for name, phone, id_no in (_target(rng, kind, county) for _ in range(PEOPLE_PER_KIND))
    ]
    active = generator.active
    staff_count = np.array([len(generator.officers[unit.pk]) for unit in active])
    staff_start = np.concatenate(([0], np.cumsum(staff_count)[:-1]))
    staff = [officer.pk for unit in active for officer in generator.officers[unit.pk]]
    day_weights = np.cumsum(np.array(generator.day_weights, dtype=np.float64))
    dates = _weighted(np.random.default_rng([seed % 2**64, 0]).random(total), day_weights)
    since_epoch = (now or timezone.now()) - datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    places = [unit.short_name.removesuffix("所") or "江州" for unit in active]
    return Drawing(
        seed=seed,
        now=since_epoch // datetime.timedelta(microseconds=1),
        first=first,
        first_officer=first_officer,
        earlier=earlier,
        people=people,
        key_names=[normalize_target_name(person.name) for person in people],
        days=np.sort(dates).astype(np.int16),
        day_iso=[day.isoformat() for day in generator.days],
        day_numbers=np.array([(day - _PG_EPOCH).days for day in generator.days]),
        unit_ids=np.array([unit.pk for unit in active], dtype=np.int64),
        unit_weights=np.cumsum(np.array(generator.weights, dtype=np.float64)),
        grassroots=np.array([unit.kind in _GRASSROOTS for unit in active]),
        county=np.array([counties.index(generator.county_of[unit.pk]) for unit in active]),
        staff_start=staff_start,
        staff_count=staff_count,
        staff=np.array(staff, dtype=np.int64),
        types={
            True: _cumulative(GRASSROOTS_TYPES, TYPES),
            False: _cumulative(AGENCY_TYPES, TYPES),
        },
        channels={
            True: _cumulative(GRASSROOTS_CHANNELS, CHANNELS),
            False: _cumulative(AGENCY_CHANNELS, CHANNELS),
        },
        texts=Texts(
            types=[b"", *(_field(code) for code in TYPES)],
            channels=[b"", *(_field(code) for code in CHANNELS)],
            people=[
                b"".join(_field(text) for text in (p.name, *p.phone, *p.id_number)) for p in people
            ],
            summary_heads=[f"走访{person.name}，了解".encode() for person in people],
            summary_tails=[
                f"{topic}，{action}。".encode()
                for topic in words.TOPICS
                for action in words.ACTIONS
            ],
            address_heads=[
                f"江州市{place}{road}".encode() for place in places for road in words.ROADS
            ],
            houses=[f"{number}号".encode() for number in range(HOUSES)],
            donations={yuan: _numeric_field(yuan) for yuan in (0, *DONATIONS)},
        ),
    )


def _weighted(drawn: np.ndarray, cumulative: np.ndarray) -> np.ndarray:
    """Positions picked with weights (`cumulative`: their running sums) by uniform draws in
    [0, 1), as `random.choices` picks them."""
    picked = np.searchsorted(cumulative, drawn * cumulative[-1], side="right")
    return np.minimum(picked, len(cumulative) - 1)


def _pick(
    rng: np.random.Generator,
    table: dict[bool, tuple[np.ndarray, np.ndarray]],
    grassroots: np.ndarray,
) -> np.ndarray:
    """A weighted draw per row from the grassroots' or the agencies' weights."""
    drawn = rng.random(len(grassroots))
    picked = {
        kind: positions[_weighted(drawn, cumulative)]
        for kind, (positions, cumulative) in table.items()
    }
    return np.where(grassroots, picked[True], picked[False])


def _chance(rng: np.random.Generator, size: int, p: float) -> np.ndarray:
    return rng.random(size) < p


def draw_chunk(drawing: Drawing, start: int, size: int) -> Drawn:
    """Rows `start` … `start + size - 1` of the load (the distributions of
    `services._visit_row`, people from the sealed pool), less those whose duplicate key an
    earlier row of the chunk or a visit already in the ledger has."""
    rng = np.random.default_rng([drawing.seed % 2**64, 1, start])
    unit = _weighted(rng.random(size), drawing.unit_weights)
    grassroots = drawing.grassroots[unit]
    target = _pick(rng, drawing.types, grassroots)
    channel = _pick(rng, drawing.channels, grassroots)
    count, base = drawing.staff_count[unit], drawing.staff_start[unit]
    one = (rng.random(size) * count).astype(np.int64)
    other = (one + 1 + (rng.random(size) * (count - 1)).astype(np.int64)) % count
    pair = (count > 1) & _chance(rng, size, 0.7)
    officer_a, officer_b = drawing.staff[base + one], drawing.staff[base + other]
    team = np.stack(  # per visit (lower id, higher id or 0), and their VisitOfficer ids
        (
            np.where(pair, np.minimum(officer_a, officer_b), officer_a),
            np.where(pair, np.maximum(officer_a, officer_b), 0),
        ),
        axis=1,
    )
    team_ids = drawing.first_officer + 2 * np.arange(start, start + size)[:, None] + [0, 1]
    slot = rng.integers(0, PEOPLE_PER_KIND, size)
    hardship = target == HARDSHIP
    days = drawing.days[start : start + size]
    visits = np.empty(size, dtype=DRAWN)
    visits["id"] = drawing.first + np.arange(start, start + size)
    visits["visit_date"] = drawing.day_numbers[days]
    visits["unit"] = unit
    visits["unit_id"] = drawing.unit_ids[unit]
    visits["target_type"] = target
    visits["channel"] = channel
    visits["person"] = (drawing.county[unit] * len(TYPES) + target - 1) * PEOPLE_PER_KIND + slot
    visits["is_return_visit"] = _chance(rng, size, 0.12)
    visits["opinions_collected"] = np.where(
        _chance(rng, size, 0.15), rng.choice(np.array([1, 1, 2, 3]), size), 0
    )
    visits["disputes_mediated"] = _chance(rng, size, 0.05)
    visits["hazards_found"] = np.where(_chance(rng, size, 0.08), rng.integers(1, 3, size), 0)
    visits["households_helped"] = hardship & _chance(rng, size, 0.8)
    visits["donation"] = np.where(
        hardship & _chance(rng, size, 0.4), rng.choice(np.array(DONATIONS), size), 0
    )
    visits["road"] = rng.integers(1, len(words.ROADS) + 1, size)
    visits["house"] = rng.integers(1, HOUSES, size)
    visits["topic"] = rng.integers(1, len(words.TOPICS) + 1, size)
    visits["action"] = rng.integers(1, len(words.ACTIONS) + 1, size)
    keys = _keys(drawing, visits, team, days)
    visits["dedup_key"] = keys
    first = _first_of_keys(keys, drawing.earlier)
    if not first.all():
        visits, team, team_ids = visits[first], team[first], team_ids[first]
    on = team.ravel() != 0  # the officers in visit order, the lower id first
    officers = binary_records(OFFICERS, int(on.sum()))
    officers["id"] = team_ids.ravel()[on]
    officers["visit_id"] = np.repeat(visits["id"], 2)[on]
    officers["officer_id"] = team.ravel()[on]
    return Drawn(visits=visits, officers=officers)


def _keys(drawing: Drawing, visits: np.ndarray, team: np.ndarray, days: np.ndarray) -> list[str]:
    """`ledger.services.dedup_key` of each row: date, unit, sorted officers, type, channel
    and the name as compared."""
    iso, names = drawing.day_iso, drawing.key_names
    types, channels = ["", *TYPES], ["", *CHANNELS]
    sha1 = hashlib.sha1
    return [
        sha1(
            f"{iso[day]}|{unit}|{a},{b}|{types[t]}|{channels[c]}|{names[p]}".encode()
            if b
            else f"{iso[day]}|{unit}|{a}|{types[t]}|{channels[c]}|{names[p]}".encode(),
            usedforsecurity=False,
        ).hexdigest()
        for day, unit, a, b, t, c, p in zip(
            days.tolist(),
            visits["unit_id"].tolist(),
            team[:, 0].tolist(),
            team[:, 1].tolist(),
            visits["target_type"].tolist(),
            visits["channel"].tolist(),
            visits["person"].tolist(),
            strict=True,
        )
    ]


def _first_of_keys(keys: list[str], earlier: frozenset[str]) -> np.ndarray:
    """Whether each key is new: neither in `earlier` nor before it in `keys`."""
    first = np.ones(len(keys), dtype=bool)
    seen: set[str] = set()
    for position, key in enumerate(keys):
        if key in seen or key in earlier:
            first[position] = False
        seen.add(key)
    return first


def encode_visits(drawing: Drawing, visits: np.ndarray) -> bytes:
    """The drawn visits as rows of binary COPY into the visits' table, columns `VISIT_FIXED`
    then `VISIT_TEXTS`."""
    size = len(visits)
    fixed = binary_records(VISIT_FIXED, size, columns=len(VISIT_FIXED) + len(VISIT_TEXTS))
    for name in ("id", "visit_date", "unit_id", "is_return_visit", "dedup_key"):
        fixed[name] = visits[name]
    for name in ("opinions_collected", "disputes_mediated", "hazards_found"):
        fixed[name] = visits[name]
    fixed["households_helped"] = visits["households_helped"]
    fixed["source"] = VisitSource.SEED.encode()
    fixed["created_at"] = fixed["updated_at"] = drawing.now
    fixed["version"] = 1
    width, rows = fixed.dtype.itemsize, fixed.tobytes()
    texts = drawing.texts
    types, channels, people, donations = texts.types, texts.channels, texts.people, texts.donations
    heads, tails, streets, houses = (
        texts.summary_heads,
        texts.summary_tails,
        texts.address_heads,
        texts.houses,
    )
    length, note = struct.Struct(">i").pack, texts.note
    street = (visits["unit"].astype(np.int64) * len(words.ROADS) + visits["road"] - 1).tolist()
    said = ((visits["topic"] - 1) * len(words.ACTIONS) + visits["action"] - 1).tolist()
    pieces: list[bytes] = []
    add = pieces.extend
    for row, t, c, p, s, h, d, a in zip(
        range(0, size * width, width),
        visits["target_type"].tolist(),
        visits["channel"].tolist(),
        visits["person"].tolist(),
        street,
        visits["house"].tolist(),
        visits["donation"].tolist(),
        said,
        strict=True,
    ):
        add(
            (
                rows[row : row + width],
                types[t],
                channels[c],
                people[p],
                length(len(streets[s]) + len(houses[h])),
                streets[s],
                houses[h],
                donations[d],
                length(len(heads[p]) + len(tails[a])),
                heads[p],
                tails[a],
                note,
            )
        )
    return binary_data(b"".join(pieces))


def chunks(days: np.ndarray, size: int) -> list[tuple[int, int]]:
    """(start, size) of the load's chunks: about `size` rows each, whole days (the rows are
    in date order), so a row's duplicate — same date among the rest — is in its own chunk or
    already in the ledger."""
    bounds = [0]
    while bounds[-1] < len(days):
        end = bounds[-1] + size
        bounds.append(
            len(days) if end >= len(days) else int(np.searchsorted(days, days[end - 1], "right"))
        )
    return [(start, end - start) for start, end in itertools.pairwise(bounds)]


# Set in this process before the workers are forked; they inherit it.
_drawing: Drawing | None = None


def _draw(job: tuple[int, int]) -> Chunk:
    """Worker: one chunk drawn, ready for COPY."""
    assert _drawing is not None
    start, size = job
    drawn = draw_chunk(_drawing, start, size)
    return Chunk(
        visits=encode_visits(_drawing, drawn.visits),
        officers=binary_data(drawn.officers),
        drawn=size,
        kept=len(drawn.visits),
    )


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
    say = _timed(progress or (lambda line: None))
    with transaction.atomic():
        first = reserve_ids(Visit, total)
        _drawing = drawing = drawing_prepare(
            generator,
            seed,
            total=total,
            first=first,
            first_officer=reserve_ids(VisitOfficer, 2 * total),
            earlier=frozenset(Visit.objects.values_list("dedup_key", flat=True)),
        )
        say(f"{len(drawing.people)} people sealed, {total} dates drawn")
        with connection.cursor() as cursor:  # sorts and hashes of millions of rows
            cursor.execute("SET LOCAL work_mem = '256MB'")
        try:
            with secondary_indexes_dropped(Visit, VisitOfficer, primary_keys=True):
                kept = _load_all(drawing, say)
                say(f"{kept} visits loaded, {total - kept} drawn twice skipped; building indexes")
        finally:
            _drawing = None
        say("indexes built; rebuilding roll-ups")
        with secondary_indexes_dropped(VisitDaily):
            rollup_rebuild()
        say("roll-ups rebuilt")
        audit_record(
            action=AuditAction.IMPORT,
            actor=None,
            object_type="ledger.visit",
            object_repr=f"{kept} visits",
            after={"count": kept, "first_id": first, "last_id": first + total - 1},
            note="seed_demo bulk load",
        )
    say("committed")
    with connection.cursor() as cursor:  # statistics for the planner (and the name filter)
        for model in (Visit, VisitOfficer, VisitDaily):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    say("analysed")
    return kept


def _timed(say: Callable[[str], None]) -> Callable[[str], None]:
    """`say` with the seconds since the previous line."""
    last = [time.monotonic()]

    def timed(line: str) -> None:
        now = time.monotonic()
        say(f"{line} ({now - last[0]:.1f} s)")
        last[0] = now

    return timed


def _load_all(drawing: Drawing, say: Callable[[str], None]) -> int:
    """Draw and COPY every chunk; returns how many visits were kept."""
    total = len(drawing.days)
    jobs = iter(chunks(drawing.days, CHUNK))
    visits = [name for name, _kind in VISIT_FIXED] + list(VISIT_TEXTS)
    officers = [name for name, _kind in OFFICERS]
    drawn = kept = 0
    context = multiprocessing.get_context("fork")
    with context.Pool(PROCESSES) as pool:
        pending: deque[Any] = deque(
            pool.apply_async(_draw, (job,)) for job in itertools.islice(jobs, WINDOW)
        )
        while pending:
            chunk: Chunk = pending.popleft().get()
            following = next(jobs, None)
            if following is not None:
                pending.append(pool.apply_async(_draw, (following,)))
            copy_data(Visit, visits, chunk.visits, binary=True)
            copy_data(VisitOfficer, officers, chunk.officers, binary=True)
            drawn, kept = drawn + chunk.drawn, kept + chunk.kept
            if drawn % 1_000_000 < chunk.drawn or drawn == total:
                say(f"visits {drawn}")
    return kept
