"""Fixtures of the API contract tests: one record of each kind in station A1 (the callers'
scope) and one in station B1 (another county), and a caller per role."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from zoufang.api.services import token_issue
from zoufang.bulletins.services import bulletin_create
from zoufang.campaigns.services import task_create
from zoufang.inspections.services import inspection_create
from zoufang.ledger.tests.factories import make_visit
from zoufang.opinions.services import opinion_register

ROLES = ("city_admin", "leader", "inspector", "unit_admin", "officer")
ANONYMOUS = "anonymous"


@dataclass
class World:
    """The records the API is called about (`_b`: another county's)."""

    city: Any
    campaign: Any
    visit: Any
    visit_b: Any
    opinion: Any
    opinion_b: Any
    task: Any
    task_b: Any
    inspection: Any
    inspection_b: Any
    bulletin: Any
    bulletin_b: Any
    _published: bool = False

    def publish(self) -> None:
        """Publish the first phase's assessment (built on first use: it assesses the city)."""
        if not self._published:
            from zoufang.assessment.services import assessment_publish

            phase = self.campaign.phases.get(slug="phase-1")
            assessment_publish(
                actor=self.city.user("city_admin"), campaign=self.campaign, phase=phase
            )
            self._published = True


@pytest.fixture
def world(city: Any, campaign: Any) -> World:
    admin = city.user("city_admin")
    today = datetime.date.today()

    def inspection(units: list[Any], inspectors: list[Any], title: str) -> Any:
        return inspection_create(
            actor=admin,
            campaign=campaign,
            title=title,
            kind="planned",
            start_date=today,
            end_date=today,
            inspectors=inspectors,
            units=units,
        )

    def task(unit: Any, title: str) -> Any:
        return task_create(
            actor=admin,
            campaign=campaign,
            title=title,
            lead_leader=city.leader,
            responsible_units=[unit],
            deadline=datetime.date(2022, 12, 31),
        )

    def bulletin(officer: Any, title: str) -> Any:
        return bulletin_create(
            actor=officer.user,
            campaign=campaign,
            unit=officer.unit,
            kind="activity_report",
            title=title,
            body="组织民警深入辖区企业开展走访，听取意见建议。",
        )

    return World(
        city=city,
        campaign=campaign,
        visit=make_visit(city.officer),
        visit_b=make_visit(city.officer_b),
        opinion=opinion_register(
            actor=city.user("officer"),
            origin_unit=city.station_a,
            content="路口红绿灯时间太短",
            source="visit",
        ),
        opinion_b=opinion_register(
            actor=city.user("officer_b"),
            origin_unit=city.station_b,
            content="希望增加巡逻",
            source="visit",
        ),
        task=task(city.station_a, "走访辖区企业"),
        task_b=task(city.station_b, "走访困难群众"),
        # The inspector is on the inspection of station A1, not on the other one.
        inspection=inspection([city.station_a], [city.inspector], "第一次督导"),
        inspection_b=inspection([city.station_b], [city.city_admin], "第二次督导"),
        bulletin=bulletin(city.officer, "城关派出所走访辖区企业"),
        bulletin_b=bulletin(city.officer_b, "解放路派出所走访辖区企业"),
    )


class Caller:
    """Calls the API as one role (a bearer token) or anonymously (no credentials)."""

    def __init__(self, client: Client, user: Any | None) -> None:
        self.client = client
        self.headers: dict[str, str] = {}
        if user is not None:
            token, _record = token_issue(user=user, name="test")
            self.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, url: str, body: Any = None) -> Any:
        if method in ("post", "put", "patch"):
            return getattr(self.client, method)(
                url,
                json.dumps(body if body is not None else {}),
                content_type="application/json",
                headers=self.headers,
            )
        return getattr(self.client, method)(url, headers=self.headers)

    def get(self, url: str) -> Any:
        return self.call("get", url)

    def post(self, url: str, body: Any = None) -> Any:
        return self.call("post", url, body)


@pytest.fixture
def caller(client: Client, city: Any) -> Any:
    """`caller("officer")` (or `caller("anonymous")`) → a Caller."""

    def _caller(role: str) -> Caller:
        return Caller(client, None if role == ANONYMOUS else city.user(role))

    return _caller
