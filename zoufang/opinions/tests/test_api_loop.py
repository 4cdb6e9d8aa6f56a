"""The whole loop through the API, with the wrong people trying each step, and deadlines
across the 2022 Spring Festival with time frozen."""

from __future__ import annotations

import datetime
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from zoufang.core.models import AuditAction, AuditLog
from zoufang.opinions.models import Opinion, OpinionEvent
from zoufang.opinions.selectors import opinion_figures

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def at(day: int, month: int = 1, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2022, month, day, hour, tzinfo=TZ)


class Caller:
    def __init__(self, client: Client, city: Any, role: str) -> None:
        response = client.post(
            "/api/v1/auth/token",
            {"username": city.user(role).username, "password": city.password},
            content_type="application/json",
        )
        self.client = client
        self.headers = {"Authorization": f"Bearer {response.json()['token']}"}

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(
            path, json.dumps(body), content_type="application/json", headers=self.headers
        )

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params, headers=self.headers)

    def act(self, opinion_id: int, **body: Any) -> Any:
        return self.post(f"/api/v1/opinions/{opinion_id}/transitions", body)


ROLES = ("city_admin", "leader", "inspector", "unit_admin", "officer", "officer_b")


@pytest.fixture
def callers(client: Client, city: Any) -> Any:
    """Tokens for every role, issued at the (frozen) time of the call."""
    return lambda: {role: Caller(client, city, role) for role in ROLES}


def test_the_whole_loop(callers: Any, city: Any) -> None:
    with time_machine.travel(at(28), tick=False):  # Friday before the Spring Festival
        c = callers()
        created = c["officer"].post(
            "/api/v1/opinions",
            {
                "content": "路口红绿灯时间太短，老人过马路不安全",
                "source": "visit",
                "submitter_phone": "13912345678",
            },
        )
        assert created.status_code == 201, created.content
        body = created.json()
        oid = body["id"]
        assert (body["status"], body["unit"], body["origin_unit"]) == ("registered", None, "JZ0101")
        assert body["category"] == "traffic"  # suggested by the keyword rules
        assert body["submitter_phone"] == "139****5678"
        assert body["history"][0]["action"] == "register"

        # Nobody but the city office assigns.
        for role in ("officer", "unit_admin", "leader"):
            assert c[role].act(oid, action="assign", unit="JZ0101").status_code == 403
        assert c["inspector"].act(oid, action="assign", unit="JZ0101").status_code == 404
        assert c["officer_b"].act(oid, action="assign", unit="JZ0101").status_code == 404
        # A step the state does not allow is 409 and changes nothing.
        refused = c["officer"].act(oid, action="accept")
        assert refused.status_code == 409
        assert refused.json()["detail"] == "意见建议处于“已登记”状态，不能“签收”"
        assigned = c["city_admin"].act(oid, action="assign", unit="JZ0101")
        assert assigned.status_code == 200
        assert assigned.json()["deadline"] == "2022-01-29"  # the make-up Saturday

    with time_machine.travel(at(29), tick=False):
        # Only the responsible unit accepts; the county above it is not the unit.
        assert c["unit_admin"].act(oid, action="accept").status_code == 403
        assert c["city_admin"].act(oid, action="accept").status_code == 403
        accepted = c["officer"].act(oid, action="accept")
        assert accepted.status_code == 200
        assert accepted.json()["status"] == "in_progress"
        assert accepted.json()["deadline"] == "2022-02-10"  # 5 working days across the holiday
        assert c["officer"].act(oid, action="accept").status_code == 409

    with time_machine.travel(at(11, 2), tick=False):  # one day late
        listed = c["city_admin"].get("/api/v1/opinions", overdue="true").json()
        assert [item["id"] for item in listed["items"]] == [oid]
        missing = c["officer"].act(oid, action="reply", reply="已调整")
        assert missing.status_code == 422
        assert {e["field"] for e in missing.json()["errors"]} == {"measures"}
        replied = c["officer"].act(
            oid, action="reply", measures="联系交警部门将绿灯延长10秒", reply="已协调延长绿灯时间"
        )
        assert replied.json()["status"] == "replied"

        # Only the citizen or an officer on a phone 回访 rates; a leader may not.
        assert c["leader"].act(oid, action="rate", rating="satisfied").status_code == 403
        bad = c["officer"].act(oid, action="rate", rating="great")
        assert bad.status_code == 422
        rated = c["officer"].act(oid, action="rate", rating="dissatisfied", comment="时间还是不够")
        assert rated.json()["status"] == "reopened"
        assert c["officer"].act(oid, action="accept").json()["status"] == "in_progress"
        c["officer"].act(
            oid, action="reply", measures="再延长5秒并加装语音提示", reply="已再次调整"
        )
        assert c["officer"].act(oid, action="rate", rating="satisfied").json()["status"] == "closed"

        # The city office may reopen a closed opinion, with a reason.
        assert c["city_admin"].act(oid, action="reopen").status_code == 422
        reopened = c["city_admin"].act(oid, action="reopen", reason="群众再次来电反映")
        assert reopened.json()["status"] == "reopened"
        history = c["city_admin"].get(f"/api/v1/opinions/{oid}").json()["history"]

    assert [h["action"] for h in history] == [
        "register",
        "assign",
        "accept",
        "reply",
        "rate",
        "accept",
        "reply",
        "rate",
        "reopen",
    ]
    assert history[1]["from"] == "registered" and history[1]["to"] == "assigned"
    assert all({"action", "from", "to", "actor", "at", "note"} <= set(h) for h in history)
    # Every transition is audited.
    assert AuditLog.objects.filter(action=AuditAction.TRANSITION, object_id=str(oid)).count() == 8

    figures = opinion_figures(
        since=datetime.date(2022, 1, 1),
        until=datetime.date(2022, 2, 28),
        today=datetime.date(2022, 2, 11),
    )
    unit = figures[city.station_a.pk]
    assert (unit.assigned, unit.accepted, unit.accepted_on_time) == (1, 2, 2)
    assert (unit.replied, unit.replied_on_time) == (2, 1)
    # Reopened twice: once by the citizen's 不满意, once by the city office.
    assert (unit.rated, unit.satisfied, unit.reopened) == (2, 1, 2)
    assert unit.satisfaction_rate == 0.5 and unit.rating_rate == 1.0 and unit.reopen_rate == 1.0
    assert unit.timely_acceptance_rate == 1.0 and unit.on_time_completion_rate == 0.5
    assert unit.late_steps == 1


def test_return_goes_back_to_the_city_office(callers: Any) -> None:
    with time_machine.travel(at(10, 3), tick=False):
        c = callers()
        oid = (
            c["officer"]
            .post("/api/v1/opinions", {"content": "建议周末开放户籍窗口", "source": "meeting"})
            .json()["id"]
        )
        c["city_admin"].act(oid, action="assign", unit="JZ0201")
        # The collecting station cannot act for the unit it was assigned to.
        assert c["officer"].act(oid, action="return", reason="不归我们").status_code == 403
        assert c["officer_b"].act(oid, action="return").status_code == 422  # a reason is required
        returned = c["officer_b"].act(oid, action="return", reason="属于户政窗口，应交治安大队")
        assert returned.json()["status"] == "registered" and returned.json()["unit"] is None
        event = OpinionEvent.objects.filter(opinion_id=oid, action="return").get()
        assert event.note == "属于户政窗口，应交治安大队"


def test_assignment_deadline_set_by_the_city_office(callers: Any) -> None:
    with time_machine.travel(at(10, 3), tick=False):
        c = callers()
        oid = (
            c["officer"]
            .post("/api/v1/opinions", {"content": "噪音扰民", "source": "hotline"})
            .json()["id"]
        )
        past = c["city_admin"].act(oid, action="assign", unit="JZ0101", deadline="2022-03-01")
        assert past.status_code == 422
        c["city_admin"].act(oid, action="assign", unit="JZ0101", deadline="2022-03-31")
        assert c["officer"].act(oid, action="accept").json()["deadline"] == "2022-03-31"


def test_unknown_action_and_bad_source(callers: Any) -> None:
    with time_machine.travel(at(10, 3), tick=False):
        c = callers()
        bad = c["officer"].post("/api/v1/opinions", {"content": "x", "source": "pigeon"})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "source"
        oid = (
            c["officer"].post("/api/v1/opinions", {"content": "x", "source": "online"}).json()["id"]
        )
        assert c["city_admin"].act(oid, action="fly").status_code == 422
        assert Opinion.objects.get(pk=oid).status == "registered"


def test_opinions_on_a_visit(callers: Any, city: Any) -> None:
    with time_machine.travel(at(10, 3), tick=False):
        response = callers()["officer"].post(
            "/api/v1/visits",
            {
                "visit_date": "2022-03-09",
                "unit": "JZ0101",
                "officers": [city.officer.badge_no],
                "target_type": "resident",
                "channel": "in_person",
                "target_name": "李大妈",
                "opinions": ["希望多开展防诈骗宣传", "小区门口停车乱"],
            },
        )
    assert response.status_code == 201, response.content
    assert response.json()["opinions_collected"] == 2
    opinions = Opinion.objects.filter(visit_id=response.json()["id"]).order_by("id")
    assert [o.content for o in opinions] == ["希望多开展防诈骗宣传", "小区门口停车乱"]
    assert {o.source for o in opinions} == {"visit"} and {o.status for o in opinions} == {
        "registered"
    }
    assert opinions[1].category is not None and opinions[1].category.code == "traffic"
