"""Building the demo city (江州市公安局) through each app's own services.

Deterministic for a seed: the same seed gives the same units, officers and visits (only the
ciphertexts differ, their nonces being random). A spread of activity is planted on purpose:
agencies much quieter than the grassroots (上冷下热) and a few units with nothing at all
(零战果), so rankings and flags have something to find.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from zoufang.bulletins.demo import build_demo_bulletins
from zoufang.campaigns.models import Campaign
from zoufang.campaigns.services import campaign_create, phase_create
from zoufang.core.actors import SYSTEM
from zoufang.core.validators import id_check_digit
from zoufang.ledger.models import Channel, TargetType, VisitSource
from zoufang.ledger.services import VisitInput, visits_bulk_create
from zoufang.opinions.models import Opinion
from zoufang.org.models import Officer, Role, Unit, UnitKind, User
from zoufang.org.services import officer_create, unit_create

from . import vocabulary as words

DEMO_PASSWORD = "Zoufang@2022"
CAMPAIGN_SLUG = "2022-dazoufang"


@dataclass(frozen=True)
class Scale:
    """How big a demo city is."""

    visits: int
    officer_ratio: float


SCALES = {
    "tiny": Scale(visits=2_000, officer_ratio=0.04),
    "small": Scale(visits=50_000, officer_ratio=0.25),
    "medium": Scale(visits=1_000_000, officer_ratio=1.0),
    "large": Scale(visits=5_000_000, officer_ratio=1.0),
}

# On PostgreSQL, visits beyond this many are bulk-loaded (COPY, indexes built after).
BULK_FROM = 50_000
# Opinions from the public form grow with the city, up to this many.
MAX_FORM_OPINIONS = 2_000

# The demo logins printed by `make demo`: (role, username, unit code).
DEMO_LOGINS = (
    (Role.CITY_ADMIN, "admin", "JZ"),
    (Role.LEADER, "leader", "JZ"),
    (Role.INSPECTOR, "inspector", "JZJ12"),
    (Role.UNIT_ADMIN, "unitadmin", "JZ01"),
    (Role.OFFICER, "officer", "JZ0101"),
)
# Units planted with no activity at all (零战果).
ZERO_RESULT_UNITS = ("JZB08", "JZB09", "JZB15", "JZJ10", "JZ1203")

PHASES = (
    ("phase-1", "1–2月 双节两会", "护航双节两会，走访问需于民", (1, 1), (2, 28)),
    ("phase-2", "3–6月 集中走访", "全面走访，开门评警", (3, 1), (6, 30)),
    ("phase-3", "7–9月 整改回访", "问题整改，回访评议", (7, 1), (9, 30)),
    ("phase-4", "10–12月 总结评估", "巩固成果，总结评估", (10, 1), (12, 31)),
)
YEAR = 2022
# Activity per head by unit kind: grassroots busy, agencies cold (上冷下热).
KIND_ACTIVITY = {
    UnitKind.STATION: 1.0,
    UnitKind.COUNTY_BUREAU: 0.35,
    UnitKind.POLICE_BRANCH: 0.08,
    UnitKind.AGENCY_DEPT: 0.05,
    UnitKind.CITY_OFFICE: 0.02,
}
GRASSROOTS_TYPES = {
    TargetType.RESIDENT: 45,
    TargetType.ENTERPRISE: 12,
    TargetType.VENUE: 10,
    TargetType.KEY_PERSON: 8,
    TargetType.HARDSHIP_HOUSEHOLD: 8,
    TargetType.STABILITY_RISK: 3,
    TargetType.VULNERABLE: 5,
    TargetType.NPC_DEPUTY: 2,
    TargetType.CPPCC_MEMBER: 2,
    TargetType.OVERSIGHT_MONITOR: 1,
    TargetType.JOURNALIST: 1,
    TargetType.OTHER: 3,
}
AGENCY_TYPES = {
    TargetType.RESIDENT: 25,
    TargetType.ENTERPRISE: 25,
    TargetType.NPC_DEPUTY: 12,
    TargetType.CPPCC_MEMBER: 12,
    TargetType.OVERSIGHT_MONITOR: 8,
    TargetType.JOURNALIST: 6,
    TargetType.HARDSHIP_HOUSEHOLD: 8,
    TargetType.OTHER: 4,
}
GRASSROOTS_CHANNELS = {
    Channel.IN_PERSON: 72,
    Channel.PHONE: 14,
    Channel.WECHAT: 10,
    Channel.WEIBO: 1,
    Channel.ONLINE_OTHER: 3,
}
AGENCY_CHANNELS = {
    Channel.IN_PERSON: 45,
    Channel.PHONE: 25,
    Channel.WECHAT: 20,
    Channel.WEIBO: 4,
    Channel.ONLINE_OTHER: 6,
}
PERSON_TYPES = {
    TargetType.RESIDENT,
    TargetType.KEY_PERSON,
    TargetType.STABILITY_RISK,
    TargetType.HARDSHIP_HOUSEHOLD,
    TargetType.VULNERABLE,
    TargetType.NPC_DEPUTY,
    TargetType.CPPCC_MEMBER,
    TargetType.OVERSIGHT_MONITOR,
    TargetType.JOURNALIST,
}


@dataclass
class DemoSummary:
    """What seed_demo built."""

    scale: str
    seed: int
    units: int = 0
    officers: int = 0
    visits: int = 0
    duplicates: int = 0
    opinions: int = 0
    imported: int = 0
    ledger_files: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    logins: list[tuple[str, str, str]] = field(default_factory=list)


def person_name(rng: random.Random) -> str:
    """A believable Chinese name."""
    given = rng.choice(words.GIVEN_CHARS) + (
        rng.choice(words.GIVEN_CHARS) if rng.random() < 0.7 else ""
    )
    return rng.choice(words.SURNAMES) + given


def id_number(rng: random.Random, county: int) -> str:
    """A fictional ID number (region 3699xx) with a valid check digit."""
    birth = datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randrange(0, 64 * 365))
    first17 = f"3699{county:02d}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_check_digit(first17)


def mobile(rng: random.Random) -> str:
    """A mobile number 1[3-9]xxxxxxxxx."""
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def demo_build(
    *,
    scale: str,
    seed: int = 2022,
    progress: Callable[[str], None] | None = None,
    visits: int | None = None,
    ledger_files: Path | None = None,
) -> DemoSummary:
    """Build the demo city at a scale (`visits` overrides the scale's number of visits, for
    benchmarks); `progress` receives a line now and then. `ledger_files`: a directory for
    the sheets to try the import page with (`demo.ledger_files`), the first imported."""
    started = time.monotonic()
    say = progress or (lambda line: None)
    rng = random.Random(seed)
    params = SCALES[scale]
    if visits is not None:
        params = Scale(visits=visits, officer_ratio=params.officer_ratio)
    summary = DemoSummary(scale=scale, seed=seed)
    with transaction.atomic():
        units = build_units(rng)
        officers = build_officers(rng, units, params.officer_ratio)
        campaign = build_campaign()
    summary.units, summary.officers = len(units), sum(len(group) for group in officers.values())
    say(f"units {summary.units}, officers {summary.officers}")
    # Beyond BULK_FROM visits on PostgreSQL, the rest is bulk-loaded (demo.bulkload).
    bulk = connection.vendor == "postgresql" and params.visits > BULK_FROM
    ordinary = min(params.visits, BULK_FROM) if bulk else params.visits
    for rows in generate_visits(rng, units, officers, ordinary):
        result = visits_bulk_create(
            actor=SYSTEM, rows=rows, source=VisitSource.SEED, audit="batch", note="seed_demo"
        )
        summary.visits += len(result.created_ids)
        summary.duplicates += len(result.duplicate_rows)
        if summary.visits % 50_000 < len(rows):
            say(f"visits {summary.visits}")
    if bulk:
        from .bulkload import visits_bulk_load

        drawn = params.visits - ordinary
        kept = visits_bulk_load(
            generator=VisitGenerator(units, officers), total=drawn, seed=seed, progress=say
        )
        summary.visits += kept
        summary.duplicates += drawn - kept
        say(f"visits {summary.visits}")
    if ledger_files is not None:
        from .ledger_files import demo_ledger_files

        clean, wrong, summary.imported = demo_ledger_files(ledger_files, seed=seed)
        summary.ledger_files = [clean, wrong]
        say(f"ledger files {clean.name}, {wrong.name}")
    from . import campaign_data, opinions

    admin = User.objects.get(username="admin")
    with transaction.atomic():
        plans = campaign_data.build_plans(rng, campaign, admin)
        tasks = campaign_data.build_tasks(rng, campaign, admin)
        meetings = campaign_data.build_meetings(rng, campaign, admin)
        findings = campaign_data.build_inspections(rng, campaign, admin)
        services = campaign_data.build_services(rng, admin)
        bulletins = build_demo_bulletins(rng=rng, campaign=campaign, admin_user=admin)
    say(
        f"plans {plans}, tasks {tasks}, meetings {meetings}, inspection findings {findings}, "
        f"service records {services}, bulletins {bulletins}"
    )
    form_opinions = opinions.add_form_opinions(
        rng, units, min(MAX_FORM_OPINIONS, max(20, params.visits // 200))
    )
    events = opinions.play_loop(rng)
    answers = opinions.add_survey(rng, units, per_station=40 if scale != "tiny" else 6)
    summary.opinions = Opinion.objects.count()
    say(
        f"opinions {summary.opinions} ({form_opinions} from the public form), "
        f"{events} loop events, {answers} survey answers"
    )
    summary.logins = [(str(role), username, code) for role, username, code in DEMO_LOGINS]
    summary.seconds = time.monotonic() - started
    return summary


def build_units(rng: random.Random) -> list[Unit]:
    """The city office, 12 county bureaus with 3–8 stations each, 12 branches, 15 departments."""
    city = unit_create(
        actor=SYSTEM,
        code="JZ",
        name="江州市公安局",
        short_name="市局机关",
        kind=UnitKind.CITY_OFFICE,
        headcount=80,
    )
    units = [city]
    places = list(words.STATION_PLACES)
    rng.shuffle(places)
    for index, (name, short) in enumerate(words.COUNTIES, start=1):
        county = unit_create(
            actor=SYSTEM,
            code=f"JZ{index:02d}",
            name=f"江州市公安局{name}" if "分局" in name else name,
            short_name=short,
            kind=UnitKind.COUNTY_BUREAU,
            parent=city,
            headcount=rng.randrange(60, 150),
            sort_order=index,
        )
        units.append(county)
        for number in range(1, rng.randrange(3, 9) + 1):
            place = places.pop() if places else f"第{number}"
            units.append(
                unit_create(
                    actor=SYSTEM,
                    code=f"JZ{index:02d}{number:02d}",
                    name=f"{short}{place}派出所",
                    short_name=f"{place}所",
                    kind=UnitKind.STATION,
                    parent=county,
                    headcount=rng.randrange(20, 60),
                    sort_order=number,
                )
            )
    for index, (name, headcount) in enumerate(words.POLICE_BRANCHES, start=1):
        units.append(
            unit_create(
                actor=SYSTEM,
                code=f"JZJ{index:02d}",
                name=f"江州市公安局{name}",
                short_name=name,
                kind=UnitKind.POLICE_BRANCH,
                parent=city,
                headcount=headcount,
                sort_order=index,
            )
        )
    for index, (name, headcount) in enumerate(words.AGENCY_DEPTS, start=1):
        units.append(
            unit_create(
                actor=SYSTEM,
                code=f"JZB{index:02d}",
                name=f"江州市公安局{name}",
                short_name=name,
                kind=UnitKind.AGENCY_DEPT,
                parent=city,
                headcount=headcount,
                sort_order=index,
            )
        )
    return units


def build_officers(rng: random.Random, units: list[Unit], ratio: float) -> dict[int, list[Officer]]:
    """Accounts by headcount: every unit a lead and officers; the city office the other roles."""
    password_hash = make_password(DEMO_PASSWORD)
    by_code = {unit.code: unit for unit in units}
    named = {(code, role): username for role, username, code in DEMO_LOGINS}
    badge = iter(range(100_001, 1_000_000))
    officers: dict[int, list[Officer]] = {unit.pk: [] for unit in units}

    def add(unit: Unit, role: Role, username: str | None = None, title: str = "") -> Officer:
        number = f"{next(badge):06d}"
        officer = officer_create(
            actor=SYSTEM,
            username=username or f"u{number}",
            full_name=person_name(rng),
            unit=unit,
            badge_no=number,
            role=role,
            password_hash=password_hash,
            title=title,
            must_change_password=False,
        )
        officers[unit.pk].append(officer)
        return officer

    city = by_code["JZ"]
    for index, title in enumerate(words.LEADER_TITLES):
        add(city, Role.LEADER, "leader" if index == 0 else None, title)
    for index in range(3):
        add(city, Role.CITY_ADMIN, "admin" if index == 0 else None, "走访办工作人员")
    add(by_code["JZJ12"], Role.INSPECTOR, "inspector", "督察")
    for _ in range(3):
        add(by_code["JZJ12"], Role.INSPECTOR, None, "督察")
    for unit in units:
        lead_name = named.get((unit.code, Role.UNIT_ADMIN))
        add(unit, Role.UNIT_ADMIN, lead_name, "走访负责人")
        count = max(2, round(unit.headcount * ratio))
        for index in range(count):
            username = named.get((unit.code, Role.OFFICER)) if index == 0 else None
            add(unit, Role.OFFICER, username, "民警")
    return officers


def build_campaign() -> Campaign:
    """The campaign 2022年大走访开门评 with its four phases."""
    campaign = campaign_create(
        actor=SYSTEM,
        slug=CAMPAIGN_SLUG,
        name="2022年大走访开门评",
        start_date=datetime.date(YEAR, 1, 1),
        end_date=datetime.date(YEAR, 12, 31),
        description="深入开展“大走访·开门评”活动，走访群众、企业和重点对象，开门听取意见建议，"
        "坚决防止不走访、不评议、不反馈、不整改。",
    )
    for order, (slug, name, theme, start, end) in enumerate(PHASES, start=1):
        phase_create(
            actor=SYSTEM,
            campaign=campaign,
            slug=slug,
            name=name,
            theme=theme,
            order=order,
            start_date=datetime.date(YEAR, *start),
            end_date=datetime.date(YEAR, *end),
        )
    return campaign


def _day_weights() -> tuple[list[datetime.date], list[float]]:
    days, weights = [], []
    day = datetime.date(YEAR, 1, 1)
    spring_festival = (datetime.date(YEAR, 1, 31), datetime.date(YEAR, 2, 6))
    phase_factor = {1: 1.3, 2: 1.3, 3: 1.0, 4: 1.0, 5: 1.0, 6: 1.0, 7: 0.8, 8: 0.8, 9: 0.8}
    while day.year == YEAR:
        weight = (
            phase_factor.get(day.month, 1.1) * (1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.35)[day.weekday()]
        )
        if spring_festival[0] <= day <= spring_festival[1]:
            weight *= 0.5
        days.append(day)
        weights.append(weight)
        day += datetime.timedelta(days=1)
    return days, weights


class VisitGenerator:
    """Draws demo ledger rows: busy units and days more often, the zero-result units never."""

    def __init__(self, units: list[Unit], officers: dict[int, list[Officer]]) -> None:
        self.officers = officers
        self.active = [u for u in units if u.code not in ZERO_RESULT_UNITS and officers[u.pk]]
        self.weights = [u.headcount * KIND_ACTIVITY[UnitKind(u.kind)] for u in self.active]
        self.days, self.day_weights = _day_weights()
        self.county_of = {u.pk: int(u.code[2:4]) if u.code[2:4].isdigit() else 1 for u in units}

    def rows(self, rng: random.Random, size: int) -> list[VisitInput]:
        """`size` rows drawn with `rng`."""
        picked_units = rng.choices(self.active, weights=self.weights, k=size)
        picked_days = rng.choices(self.days, weights=self.day_weights, k=size)
        return [
            _visit_row(rng, unit, self.officers[unit.pk], day, self.county_of[unit.pk])
            for unit, day in zip(picked_units, picked_days, strict=True)
        ]


def generate_visits(
    rng: random.Random,
    units: list[Unit],
    officers: dict[int, list[Officer]],
    total: int,
    chunk: int = 5_000,
) -> Iterator[list[VisitInput]]:
    """Rows of the demo ledger, `chunk` at a time."""
    generator = VisitGenerator(units, officers)
    made = 0
    while made < total:
        size = min(chunk, total - made)
        made += size
        yield generator.rows(rng, size)


def _visit_row(
    rng: random.Random, unit: Unit, staff: list[Officer], day: datetime.date, county: int
) -> VisitInput:
    grassroots = unit.kind in (UnitKind.STATION, UnitKind.COUNTY_BUREAU)
    types = GRASSROOTS_TYPES if grassroots else AGENCY_TYPES
    channels = GRASSROOTS_CHANNELS if grassroots else AGENCY_CHANNELS
    target_type = rng.choices(list(types), weights=list(types.values()))[0]
    channel = rng.choices(list(channels), weights=list(channels.values()))[0]
    team = rng.sample(staff, k=2 if len(staff) > 1 and rng.random() < 0.7 else 1)
    name, phone, id_no = _target(rng, target_type, county)
    place = unit.short_name.removesuffix("所") or "江州"
    hardship = target_type == TargetType.HARDSHIP_HOUSEHOLD
    collected = rng.choice((1, 1, 2, 3)) if rng.random() < 0.15 else 0
    return VisitInput(
        visit_date=day,
        unit=unit,
        officers=tuple(team),
        target_type=target_type,
        channel=channel,
        target_name=name,
        is_return_visit=rng.random() < 0.12,
        phone=phone,
        id_number=id_no,
        address=f"江州市{place}{rng.choice(words.ROADS)}{rng.randrange(1, 300)}号",
        opinions_collected=collected,
        opinions=(rng.choice(words.OPINIONS),) if collected and rng.random() < 0.25 else (),
        disputes_mediated=1 if rng.random() < 0.05 else 0,
        hazards_found=rng.choice((1, 2)) if rng.random() < 0.08 else 0,
        households_helped=1 if hardship and rng.random() < 0.8 else 0,
        donation_amount=Decimal(rng.choice((200, 300, 500, 800, 1000, 1500, 2000)))
        if hardship and rng.random() < 0.4
        else Decimal("0.00"),
        summary=f"走访{name}，了解{rng.choice(words.TOPICS)}，{rng.choice(words.ACTIONS)}。",
        note="",
    )


def _target(rng: random.Random, target_type: str, county: int) -> tuple[str, str, str]:
    """A target's name, phone and ID number."""
    if target_type == TargetType.ENTERPRISE:
        name = rng.choice(words.ENTERPRISE_WORDS) + rng.choice(words.ENTERPRISE_KINDS)
        phone = f"0795-{rng.randrange(10**7, 10**8)}" if rng.random() < 0.6 else mobile(rng)
        return name, phone, ""
    if target_type == TargetType.VENUE:
        name = rng.choice(words.ENTERPRISE_WORDS) + rng.choice(words.VENUE_KINDS)
        return name, mobile(rng) if rng.random() < 0.7 else "", ""
    if target_type == TargetType.OTHER:
        return f"{rng.choice(words.STATION_PLACES)}社区居委会", mobile(rng), ""
    name = person_name(rng)
    phone = mobile(rng) if rng.random() < 0.7 else ""
    wants_id: dict[str, float] = {
        TargetType.KEY_PERSON: 0.9,
        TargetType.STABILITY_RISK: 0.9,
        TargetType.HARDSHIP_HOUSEHOLD: 0.5,
    }
    id_no = id_number(rng, county) if rng.random() < wants_id.get(target_type, 0.15) else ""
    return name, phone, id_no


def demo_exists() -> bool:
    """Whether a demo city (or any data) is already there."""
    return Unit.objects.exists()
