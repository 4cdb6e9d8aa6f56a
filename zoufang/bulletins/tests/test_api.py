"""The API: the column, one bulletin, writing and the transitions, with the wrong people
trying each step."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from zoufang.bulletins.models import Bulletin

pytestmark = pytest.mark.django_db
ROLES = ("city_admin", "leader", "inspector", "unit_admin", "officer", "officer_b")


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

    def act(self, bulletin_id: int, **body: Any) -> Any:
        return self.post(f"/api/v1/bulletins/{bulletin_id}/transitions", body)


@pytest.fixture
def c(client: Client, city: Any, campaign: Any) -> dict[str, Caller]:
    return {role: Caller(client, city, role) for role in ROLES}


def test_the_whole_flow(c: dict[str, Caller]) -> None:
    created = c["officer"].post(
        "/api/v1/bulletins",
        {"title": "城关派出所开展反诈宣传", "body": "民警走进社区开展反诈宣传。", "kind": "news"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    bid = body["id"]
    assert (body["status"], body["unit"], body["campaign"]) == ("draft", "JZ0101", "2022-dazoufang")

    assert c["officer_b"].act(bid, action="submit").status_code == 404  # another county
    assert c["leader"].act(bid, action="submit").status_code == 403
    submitted = c["officer"].act(bid, action="submit")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert c["officer"].act(bid, action="submit").status_code == 409

    for role in ("officer", "unit_admin", "leader"):
        assert c[role].act(bid, action="adopt").status_code == 403
    assert c["inspector"].act(bid, action="adopt").status_code == 404
    returned = c["city_admin"].act(bid, action="return")
    assert returned.status_code == 422
    assert returned.json()["errors"][0]["field"] == "comment"
    assert c["city_admin"].act(bid, action="return", comment="请补充数据").json()["status"] == (
        "returned"
    )
    assert c["city_admin"].act(bid, action="adopt").status_code == 409
    assert c["officer"].act(bid, action="submit").status_code == 200
    adopted = c["city_admin"].act(bid, action="adopt")
    assert adopted.json()["status"] == "adopted" and adopted.json()["published_at"]

    column = c["officer_b"].get("/api/v1/bulletins")
    assert column.status_code == 200
    assert [item["id"] for item in column.json()["items"]] == [bid]
    assert (
        c["officer_b"].get(f"/api/v1/bulletins/{bid}").json()["body"]
        == "民警走进社区开展反诈宣传。"
    )
    assert [i["id"] for i in c["inspector"].get("/api/v1/bulletins", q="反诈").json()["items"]] == [
        bid
    ]
    assert c["inspector"].get("/api/v1/bulletins", q="恳谈会").json()["count"] == 0


def test_create_and_submit_in_one_call(c: dict[str, Caller]) -> None:
    response = c["unit_admin"].post(
        "/api/v1/bulletins",
        {
            "title": "东湖分局工作简报",
            "body": "本周走访企业45家。",
            "unit": "JZ0101",
            "submit": True,
        },
    )
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["unit"]) == ("submitted", "JZ0101")
    assert response.json()["submitted_at"]


@pytest.mark.parametrize(
    ("role", "body", "status"),
    [
        ("leader", {"title": "t", "body": "b"}, 403),
        ("inspector", {"title": "t", "body": "b"}, 403),
        ("officer", {"title": "t", "body": "b", "unit": "JZ0201"}, 422),
        ("officer", {"title": "", "body": "b"}, 422),
        ("officer", {"title": "t", "body": "b", "kind": "poem"}, 422),
        ("officer", {"title": "t", "body": "b", "campaign": "nope"}, 422),
        ("officer", {"body": "b"}, 422),
    ],
)
def test_bad_writes(c: dict[str, Caller], role: str, body: dict[str, Any], status: int) -> None:
    response = c[role].post("/api/v1/bulletins", body)
    assert response.status_code == status, response.content
    assert response.json()["detail"]
    assert not Bulletin.objects.exists()


def test_unknown_action_and_other_units_drafts(c: dict[str, Caller], write: Any) -> None:
    draft = write()
    assert c["officer"].act(draft.pk, action="publish").status_code == 422
    assert c["officer_b"].get(f"/api/v1/bulletins/{draft.pk}").status_code == 404
    assert c["unit_admin"].get(f"/api/v1/bulletins/{draft.pk}").json()["status"] == "draft"


def test_stale_version_is_409(c: dict[str, Caller], write: Any) -> None:
    bulletin = write(submit=True)
    response = c["city_admin"].act(bulletin.pk, action="adopt", version=bulletin.version - 1)
    assert response.status_code == 409


def test_column_filters_and_pages(c: dict[str, Caller], publish: Any, city: Any) -> None:
    for i in range(22):
        publish(f"快报{i}", kind="news" if i % 2 else "work_brief")
    publish("二分局快报", unit=city.station_b, actor=city.user("officer_b"))
    first = c["leader"].get("/api/v1/bulletins").json()
    assert (first["count"], first["pages"], len(first["items"])) == (23, 2, 20)
    assert c["leader"].get("/api/v1/bulletins", page=2).json()["items"][-1]["title"] == "快报0"
    assert c["leader"].get("/api/v1/bulletins", kind="news").json()["count"] == 11
    assert c["leader"].get("/api/v1/bulletins", unit="JZ02").json()["count"] == 1
    assert c["leader"].get("/api/v1/bulletins", unit="NOPE").status_code == 422
    assert c["leader"].get("/api/v1/bulletins", tab="week").json()["count"] == 0  # unread


def test_the_api_needs_a_login(client: Client) -> None:
    assert client.get("/api/v1/bulletins").status_code == 401
