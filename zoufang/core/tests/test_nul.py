"""Requests with NUL characters are refused (404, 422, 400), never a database error (500).

PostgreSQL refuses text holding NUL; the API fuzz test (zoufang/api/tests/test_schema_fuzz.py)
found filters, paths and opinion bodies that reached the database with one.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils.translation import gettext

from zoufang.api.services import token_issue
from zoufang.ledger.models import Visit
from zoufang.opinions.models import Opinion

pytestmark = pytest.mark.django_db


def message() -> str:
    """The refusal, in the interface language (zh-hans once the catalog has it)."""
    return gettext("Contains a NUL character, which is not allowed")


@pytest.fixture
def api(city: Any) -> Any:
    client = Client(raise_request_exception=False)
    token, _record = token_issue(user=city.user("city_admin"), name="test")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/api/v1/visits?unit=JZ01%00", ["unit"]),
        ("/api/v1/visits?target_type=resident%00&page=1", ["target_type"]),
        ("/api/v1/opinions?status=%00", ["status"]),
        ("/api/v1/stats/summary?unit=%00&since=%00", ["unit", "since"]),
    ],
)
def test_api_query_parameters_are_422(
    api: Client, campaign: Any, path: str, fields: list[str]
) -> None:
    response = api.get(path)
    assert response.status_code == 422
    assert response.json() == {
        "detail": gettext("The request has invalid fields"),
        "errors": [{"field": field, "message": message()} for field in fields],
    }


@pytest.mark.parametrize(
    "path", ["/api/v1/campaigns/2022%00/tasks", "/api/v1/assessments/a%00/b", "/api/v1/visits/1%00"]
)
def test_api_paths_are_404(api: Client, campaign: Any, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 404 and response.json()["detail"] == gettext("Not found")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content": "路灯\u0000太暗", "source": "form", "unit": "JZ0101"}, "content"),
        ({"content": "路灯太暗", "source": "form\u0000", "unit": "JZ0101"}, "source"),
        ({"content": "路灯太暗", "source": "form", "unit": "JZ0101", "x": ["", "\u0000"]}, "x.1"),
    ],
)
def test_api_json_fields_are_422(api: Client, body: dict[str, Any], field: str) -> None:
    response = api.post("/api/v1/opinions", json.dumps(body), content_type="application/json")
    assert response.status_code == 422 and not Opinion.objects.exists()
    assert response.json()["errors"] == [{"field": field, "message": message()}]


def test_an_escaped_backslash_is_not_a_nul(api: Client) -> None:
    body = {"content": "路径 C:\\u0000 不是空字符", "source": "form", "unit": "JZ0101"}
    response = api.post("/api/v1/opinions", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    assert Opinion.objects.get().content == "路径 C:\\u0000 不是空字符"


def test_pages(login: Any) -> None:
    client = login("city_admin")
    client.raise_request_exception = False
    response = client.get("/ledger/visits/?target_type=%00")
    assert response.status_code == 400 and response.content.decode() == message()
    assert client.get("/ledger/visits/?target_type=resident").status_code == 200
    assert client.get("/campaigns/2022%00/").status_code == 404
    response = client.post("/ledger/visits/new/", {"target_name": "张\x00三"})
    assert response.status_code == 200 and not Visit.objects.exists()  # the form says why
