"""Every bulletin page: anonymous → login, a role without the right → 403, another unit's
unpublished bulletin → 404 (the same table tests/test_access.py keeps for the project)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import reverse

from zoufang.bulletins.models import Bulletin
from zoufang.inspections.services import inspection_create

from .conftest import docx_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db
ROLES = ("city_admin", "leader", "inspector", "unit_admin", "officer")
EVERYONE = dict.fromkeys(ROLES, 200)
FIELD = {"city_admin": 200, "leader": 403, "inspector": 403, "unit_admin": 200, "officer": 200}
CITY_POST = {"city_admin": 302, "leader": 403, "inspector": 403, "unit_admin": 403, "officer": 403}
CITY_ONLY = {"city_admin": 200, "leader": 403, "inspector": 403, "unit_admin": 403, "officer": 403}


@dataclass
class Records:
    draft: Bulletin  # station_a's draft, written by the officer, with a picture and a file
    submitted: Bulletin  # station_a's, waiting for review
    draft_b: Bulletin  # station_b's draft (another county), with a picture and a file


@dataclass(frozen=True)
class Route:
    name: str
    expect: dict[str, int]
    method: str = "get"
    kwargs: Callable[[Records], dict[str, Any]] = field(default=lambda r: {})
    foreign: Callable[[Records], dict[str, Any]] | None = None
    data: Callable[[Records], dict[str, Any]] = field(default=lambda r: {})


def files_of(bulletin: Bulletin, kind: str) -> dict[str, Any]:
    if kind == "image":
        return {"pk": bulletin.pk, "image_id": bulletin.images.get().pk}
    return {"pk": bulletin.pk, "attachment_id": bulletin.attachments.get().pk}


ROUTES = [
    Route("bulletins:bulletin_list", EVERYONE),
    Route("bulletins:bulletin_manage", EVERYONE),
    Route("bulletins:bulletin_create", FIELD),
    Route("bulletins:bulletin_digest", CITY_ONLY),
    Route("bulletins:bulletin_digest_docx", CITY_ONLY),
    Route(
        "bulletins:bulletin_detail",
        EVERYONE,
        kwargs=lambda r: {"pk": r.draft.pk},
        foreign=lambda r: {"pk": r.draft_b.pk},
    ),
    Route(
        "bulletins:bulletin_update",
        FIELD,
        kwargs=lambda r: {"pk": r.draft.pk},
        foreign=lambda r: {"pk": r.draft_b.pk},
    ),
    Route(
        "bulletins:bulletin_act",
        CITY_POST,
        method="post",
        kwargs=lambda r: {"pk": r.submitted.pk},
        data=lambda r: {"action": "adopt"},
    ),
    Route(
        "bulletins:bulletin_image",
        EVERYONE,
        kwargs=lambda r: files_of(r.draft, "image"),
        foreign=lambda r: files_of(r.draft_b, "image"),
    ),
    Route(
        "bulletins:bulletin_attachment",
        EVERYONE,
        kwargs=lambda r: files_of(r.draft, "attachment"),
        foreign=lambda r: files_of(r.draft_b, "attachment"),
    ),
]


def test_every_bulletin_page_is_in_the_table() -> None:
    from zoufang.bulletins import urls

    assert {f"bulletins:{p.name}" for p in urls.urlpatterns} == {r.name for r in ROUTES}


@pytest.fixture
def records(city: Any, write: Any, campaign: Any) -> Records:
    today = datetime.date.today()
    inspection_create(  # the inspector sees station_a's records, as in tests/test_access.py
        actor=city.user("city_admin"),
        campaign=campaign,
        title="第一次督导",
        kind="planned",
        start_date=today,
        end_date=today,
        inspectors=[city.inspector],
        units=[city.station_a],
    )

    def with_files(**kw: Any) -> Bulletin:
        return write(
            images=[upload("a.png", png_bytes())],
            attachments=[upload("汇总.docx", docx_bytes())],
            **kw,
        )

    return Records(
        draft=with_files(),
        submitted=write("待审核", submit=True),
        draft_b=with_files(unit=city.station_b, actor=city.user("officer_b")),
    )


def request(client: Any, route: Route, kwargs: dict[str, Any], records: Records) -> Any:
    path = reverse(route.name, kwargs=kwargs)
    if route.method == "post":
        return client.post(path, route.data(records))
    return client.get(path)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_anonymous_goes_to_login(client: Any, records: Records, route: Route) -> None:
    response = request(client, route, route.kwargs(records), records)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("org:login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_role_matrix(login: Any, records: Records, route: Route, role: str) -> None:
    response = request(login(role), route, route.kwargs(records), records)
    assert response.status_code == route.expect[role]


FOREIGN_CASES = [
    (route, role)
    for route in ROUTES
    if route.foreign
    for role in ("inspector", "unit_admin", "officer")
    if route.expect[role] != 403
]


@pytest.mark.parametrize(
    ("route", "role"), FOREIGN_CASES, ids=[f"{r.name}-{role}" for r, role in FOREIGN_CASES]
)
def test_another_units_unpublished_bulletin_is_404(
    login: Any, records: Records, route: Route, role: str
) -> None:
    assert route.foreign is not None
    response = request(login(role), route, route.foreign(records), records)
    assert response.status_code == 404
