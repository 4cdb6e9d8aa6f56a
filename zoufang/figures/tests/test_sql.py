"""`zoufang figures --json` equals a direct SQL count of each definition: for the demo city and
for a randomly generated city nobody has seen (with changes and deletions, so the roll-ups
kept by each write are checked, not only a rebuild)."""

from __future__ import annotations

import datetime
import io
import json
import random
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from zoufang.assessment.models import ServiceKind, ServiceRecord
from zoufang.campaigns.models import Campaign, Phase
from zoufang.campaigns.services import campaign_create, phase_create
from zoufang.core.validators import id_check_digit
from zoufang.figures.registry import REGISTRY
from zoufang.ledger.models import Channel, TargetType, Visit, VisitSource
from zoufang.ledger.services import VisitInput, visit_delete, visit_update, visits_bulk_create
from zoufang.opinions.models import Opinion, OpinionSource, OpinionStatus
from zoufang.org.models import Officer, Role, Unit, UnitKind
from zoufang.org.scope import SYSTEM
from zoufang.org.tests.factories import OfficerFactory, UnitFactory

from .direct_sql import direct_figures


def figures_json(campaign: str, phase: str, *extra: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("figures", "--campaign", campaign, "--phase", phase, *extra, "--json", stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def check_campaign(campaign: Campaign, units: list[Unit]) -> int:
    """Every phase, phase and 累计, for each unit: the command's figures equal the SQL."""
    checked = 0
    for phase in Phase.objects.filter(campaign=campaign).order_by("order"):
        for unit in units:
            for cumulative in (False, True):
                extra = ["--unit", unit.code] + (["--cumulative"] if cumulative else [])
                result = figures_json(campaign.slug, phase.slug, *extra)
                since = campaign.start_date if cumulative else phase.start_date
                assert result["unit"] == unit.code
                assert result["period"] == {
                    "from": since.isoformat(),
                    "to": phase.end_date.isoformat(),
                }
                values = {code: f["value"] for code, f in result["figures"].items()}
                assert values == direct_figures(unit, since, phase.end_date), (unit, phase)
                checked += 1
    return checked


@pytest.mark.django_db(transaction=True)
def test_the_demo_city_tiny(tmp_path: Any) -> None:
    call_command("seed_demo", "--scale", "tiny", "--ledger-files", tmp_path, stdout=io.StringIO())
    campaign = Campaign.objects.get()
    city = Unit.objects.get(parent__isnull=True)
    county = Unit.objects.filter(kind=UnitKind.COUNTY_BUREAU).order_by("code").first()
    station = Unit.objects.filter(kind=UnitKind.STATION, visits__isnull=False).first()
    assert county is not None and station is not None
    assert check_campaign(campaign, [city, county, station]) == 24
    by_default = figures_json(campaign.slug, "phase-2")
    assert by_default["unit"] == city.code
    assert set(by_default["figures"]) == set(REGISTRY)
    assert by_default["figures"]["visits_people"]["value"] > 0
    assert by_default["figures"]["places_visited"]["value"] > 0


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_demo_city_small(tmp_path: Any) -> None:
    call_command("seed_demo", "--scale", "small", "--ledger-files", tmp_path, stdout=io.StringIO())
    campaign = Campaign.objects.get()
    city = Unit.objects.get(parent__isnull=True)
    county = Unit.objects.filter(kind=UnitKind.COUNTY_BUREAU).order_by("code").first()
    assert county is not None
    assert check_campaign(campaign, [city, county]) == 16
    # The figures DESIGN.md quotes for the demo city's phase 2.
    phase2 = figures_json(campaign.slug, "phase-2")["figures"]
    assert phase2["visits_people"]["value"] == 13005
    assert phase2["places_visited"]["value"] == 3461


# -- A city nobody has seen ---------------------------------------------------------------------


def _id_number(rng: random.Random) -> str:
    born = f"19{rng.randrange(50, 99)}0{rng.randrange(1, 9)}1{rng.randrange(0, 9)}"
    first17 = f"3301{rng.randrange(10, 99)}{born}{rng.randrange(100, 999)}"
    return first17 + id_check_digit(first17)


def _random_units(rng: random.Random) -> list[Any]:
    root = UnitFactory(code="RC", name="随机市公安局", kind=UnitKind.CITY_OFFICE)
    units = [root]
    for c in range(rng.randint(2, 4)):
        county = UnitFactory(
            code=f"RC{c:02d}", name=f"第{c}分局", kind=UnitKind.COUNTY_BUREAU, parent=root
        )
        units.append(county)
        for s in range(rng.randint(1, 3)):
            units.append(UnitFactory(code=f"RC{c:02d}{s:02d}", name=f"第{c}-{s}所", parent=county))
    units.append(
        UnitFactory(code="RCJ1", name="治安支队", kind=UnitKind.POLICE_BRANCH, parent=root)
    )
    return units


def _random_visits(
    rng: random.Random, officers: list[Officer], days: list[datetime.date]
) -> list[VisitInput]:
    names = ["城东超市", "城东超市 ", "红星网吧", "李四", "王五", "赵六", "钱七", "阳光小区"]
    ids = [_id_number(rng) for _ in range(6)]
    rows = []
    for n in range(rng.randint(150, 250)):
        officer = rng.choice(officers)
        kind = rng.choice(TargetType.values)
        rows.append(
            VisitInput(
                visit_date=rng.choice(days),
                unit=officer.unit,
                officers=(officer,),
                target_type=kind,
                channel=rng.choice(Channel.values),
                is_return_visit=rng.random() < 0.2,
                target_name=rng.choice(names).strip() + ("" if rng.random() < 0.7 else str(n)),
                phone="",
                id_number=rng.choice(ids) if rng.random() < 0.5 else "",
                address="",
                opinions_collected=rng.randint(0, 2),
                disputes_mediated=rng.randint(0, 2),
                hazards_found=rng.randint(0, 3),
                households_helped=rng.randint(0, 2),
                donation_amount=Decimal(rng.randint(0, 500000)) / 100,
                summary="",
            )
        )
    return rows


def _random_opinions(rng: random.Random, units: list[Unit], days: list[datetime.date]) -> None:
    """Opinions on their own and from visits, some typed in weeks after the visit."""
    visits = list(Visit.objects.all())
    for n in range(rng.randint(30, 60)):
        visit = rng.choice(visits) if rng.random() < 0.4 else None
        day = visit.visit_date + datetime.timedelta(days=rng.randint(0, 60)) if visit else None
        created = timezone.make_aware(
            datetime.datetime.combine(day or rng.choice(days), datetime.time(rng.randint(0, 23)))
        )
        closed = created + datetime.timedelta(days=rng.randint(0, 40))
        is_closed = rng.random() < 0.5
        Opinion.objects.create(
            visit=visit,
            origin_unit=visit.unit if visit else rng.choice(units),
            content=f"意见{n}",
            source=rng.choice(OpinionSource.values),
            token=f"t{n}-{rng.random()}",
            created_at=created,
            status=OpinionStatus.CLOSED if is_closed else rng.choice(OpinionStatus.values),
            closed_at=closed if is_closed else None,
        )


def _random_services(rng: random.Random, units: list[Unit]) -> None:
    for unit in units:
        for month in range(1, 12, rng.choice((1, 2, 3))):
            start = datetime.date(2022, month, 1)
            end = datetime.date(2022, min(month + rng.randint(0, 2), 12), 28)
            ServiceRecord.objects.get_or_create(
                unit=unit,
                kind=rng.choice(ServiceKind.values),
                period_start=start,
                period_end=end,
                defaults={"certificates_handled": rng.randint(0, 300)},
            )


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_city_nobody_has_seen(seed: int) -> None:
    rng = random.Random(seed)
    units = _random_units(rng)
    admin: Any = OfficerFactory(username="rcadmin", unit=units[0], role=Role.CITY_ADMIN)
    officers: list[Any] = [OfficerFactory(unit=unit) for unit in units[1:] for _ in range(2)]
    campaign = campaign_create(
        actor=SYSTEM,
        slug="rc",
        name="随机活动",
        start_date=datetime.date(2022, 1, 1),
        end_date=datetime.date(2022, 12, 31),
    )
    bounds = [(1, 1, 2, 28), (3, 1, 6, 30), (7, 1, 9, 30)]
    for order, (m1, d1, m2, d2) in enumerate(bounds, start=1):
        phase_create(
            actor=SYSTEM,
            campaign=campaign,
            slug=f"p{order}",
            name=f"第{order}阶段",
            start_date=datetime.date(2022, m1, d1),
            end_date=datetime.date(2022, m2, d2),
            order=order,
        )
    days = [datetime.date(2022, 1, 1) + datetime.timedelta(days=n) for n in range(0, 273, 3)]
    visits_bulk_create(
        actor=admin.user,
        rows=_random_visits(rng, officers, days),
        source=VisitSource.IMPORT,
        audit="batch",
    )
    # Single writes on top: changes (of type, name, ID, date) and deletions keep the roll-ups.
    for visit in rng.sample(list(Visit.objects.all()), 25):
        row = _random_visits(rng, [o for o in officers if o.unit_id == visit.unit_id], days)[0]
        visit_update(actor=admin.user, visit_id=visit.pk, expected_version=visit.version, data=row)
    for visit in rng.sample(list(Visit.objects.all()), 15):
        visit_delete(actor=admin.user, visit_id=visit.pk, expected_version=visit.version)
    _random_opinions(rng, units, days)
    _random_services(rng, units)
    station = next(u for u in units if u.kind == UnitKind.STATION)
    assert check_campaign(campaign, [units[0], units[1], station]) == 18
