"""Fixtures shared by every test: a small city with one user per role."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest

from zoufang.org.models import Officer, Role, Unit, UnitKind
from zoufang.org.tests.factories import PASSWORD, OfficerFactory, UnitFactory


@dataclass
class City:
    """Units: JZ (city office) → JZ01 (county A) → JZ0101 (station A1); JZ02 → JZ0201;
    JZJ01 (police branch), JZB01 (agency department); one officer per role."""

    city: Unit
    county_a: Unit
    station_a: Unit
    county_b: Unit
    station_b: Unit
    branch: Unit
    agency: Unit
    city_admin: Officer
    leader: Officer
    inspector: Officer
    unit_admin: Officer
    officer: Officer
    officer_b: Officer
    password: str = PASSWORD

    def user(self, role: str) -> Any:
        """The user of a role name (`officer_b` is an officer of the other county)."""
        return getattr(self, role).user


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    """Throttles and rate limits live in the cache; every test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def city(db: Any) -> City:
    jz = UnitFactory(code="JZ", name="江州市公安局", kind=UnitKind.CITY_OFFICE)
    county_a = UnitFactory(code="JZ01", name="东湖分局", kind=UnitKind.COUNTY_BUREAU, parent=jz)
    station_a = UnitFactory(code="JZ0101", name="城关派出所", parent=county_a)
    county_b = UnitFactory(code="JZ02", name="西岭分局", kind=UnitKind.COUNTY_BUREAU, parent=jz)
    station_b = UnitFactory(code="JZ0201", name="解放路派出所", parent=county_b)
    branch = UnitFactory(code="JZJ01", name="治安支队", kind=UnitKind.POLICE_BRANCH, parent=jz)
    agency = UnitFactory(code="JZB01", name="办公室", kind=UnitKind.AGENCY_DEPT, parent=jz)
    return City(
        city=jz,
        county_a=county_a,
        station_a=station_a,
        county_b=county_b,
        station_b=station_b,
        branch=branch,
        agency=agency,
        city_admin=OfficerFactory(username="cityadmin", unit=jz, role=Role.CITY_ADMIN),
        leader=OfficerFactory(username="leader", unit=jz, role=Role.LEADER),
        inspector=OfficerFactory(username="inspector", unit=branch, role=Role.INSPECTOR),
        unit_admin=OfficerFactory(username="unitadmin", unit=county_a, role=Role.UNIT_ADMIN),
        officer=OfficerFactory(username="officer", unit=station_a, role=Role.OFFICER),
        officer_b=OfficerFactory(username="officer_b", unit=station_b, role=Role.OFFICER),
    )


@pytest.fixture
def campaign(city: Any) -> Any:
    """The 2022 campaign with its first phase."""
    from zoufang.campaigns.services import campaign_create, phase_create

    campaign = campaign_create(
        actor=None,
        slug="2022-dazoufang",
        name="2022年大走访开门评",
        start_date=datetime.date(2022, 1, 1),
        end_date=datetime.date(2022, 12, 31),
    )
    phase_create(
        actor=None,
        campaign=campaign,
        slug="phase-1",
        name="1–2月 双节两会",
        start_date=datetime.date(2022, 1, 1),
        end_date=datetime.date(2022, 2, 28),
        order=1,
    )
    return campaign


@pytest.fixture
def login(client: Any, city: City) -> Any:
    """`login("officer")` logs the test client in as that role's user and returns the client."""

    def _login(role: str) -> Any:
        client.force_login(city.user(role))
        return client

    return _login
