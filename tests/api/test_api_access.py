"""Every API operation × every role: the status each gets, from an explicit table.

The operations are read from the OpenAPI document (/api/v1/openapi.json), so a new endpoint
without an entry here fails the suite — as tests/test_access.py does for pages. Each entry
says what anonymous callers and each role get on a record of their own scope, and, for
operations about one record, what the scoped roles get on another county's record (404:
its existence must not leak).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from .conftest import ANONYMOUS, ROLES, World

CALLERS = (ANONYMOUS, *ROLES)
SCOPED = ("inspector", "unit_admin", "officer")


def everyone(status: int) -> dict[str, int]:
    """Every role gets `status`; anonymous callers 401."""
    return {ANONYMOUS: 401, **dict.fromkeys(ROLES, status)}


def only(status: int, *roles: str, others: int = 403) -> dict[str, int]:
    """The named roles get `status`, the other roles `others`, anonymous callers 401."""
    return {ANONYMOUS: 401, **{role: status if role in roles else others for role in ROLES}}


@dataclass(frozen=True)
class Op:
    """An API operation: the statuses per caller, and how to build its call."""

    method: str
    path: str  # as the OpenAPI document writes it, with {params}
    expect: dict[str, int]
    params: Callable[[World], dict[str, Any]] = field(default=lambda w: {})
    body: Callable[[World, str], Any] = field(default=lambda w, role: None)
    # For operations about one record: params of another county's record, and what the
    # scoped roles get there (404 unless the role is refused before the record is looked up).
    foreign: Callable[[World], dict[str, Any]] | None = None
    foreign_expect: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SCOPED, 404))
    setup: Callable[[World], None] = field(default=lambda w: None)

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)


def visit_body(w: World, role: str) -> dict[str, Any]:
    return {
        "visit_date": "2022-06-01",
        "unit": "JZ0101",
        "officers": [w.city.officer.badge_no],
        "target_type": "enterprise",
        "channel": "wechat",
        "target_name": "江州恒丰科技有限公司",
    }


def token_body(w: World, role: str) -> dict[str, str]:
    if role == ANONYMOUS:
        return {"username": "nobody", "password": "wrong"}
    return {"username": w.city.user(role).username, "password": w.city.password}


def own_visit(w: World) -> dict[str, Any]:
    return {"visit_id": w.visit.pk}


def other_visit(w: World) -> dict[str, Any]:
    return {"visit_id": w.visit_b.pk}


def own_opinion(w: World) -> dict[str, Any]:
    return {"opinion_id": w.opinion.pk}


def other_opinion(w: World) -> dict[str, Any]:
    return {"opinion_id": w.opinion_b.pk}


def own_bulletin(w: World) -> dict[str, Any]:
    return {"bulletin_id": w.bulletin.pk}


def other_bulletin(w: World) -> dict[str, Any]:
    return {"bulletin_id": w.bulletin_b.pk}


def slug(w: World) -> dict[str, Any]:
    return {"slug": w.campaign.slug}


WRITERS = ("city_admin", "unit_admin", "officer")  # record visits, opinions, bulletins

OPERATIONS = [
    # A token for a user name and password: every role gets one; without an account, 401.
    Op("post", "/api/v1/auth/token", {ANONYMOUS: 401, **dict.fromkeys(ROLES, 200)},
       body=token_body),
    Op("delete", "/api/v1/auth/token", everyone(204)),
    Op("get", "/api/v1/units", everyone(200)),
    Op("get", "/api/v1/visits", everyone(200)),
    Op("post", "/api/v1/visits", only(201, *WRITERS), body=visit_body),
    Op("get", "/api/v1/visits/{visit_id}", everyone(200), own_visit, foreign=other_visit),
    Op(
        "post",
        "/api/v1/visits/{visit_id}/reveal",
        only(200, "city_admin", "unit_admin"),
        own_visit,
        body=lambda w, role: {"field": "phone", "reason": "回访核实联系方式"},
        foreign=other_visit,
        # The role is checked first: roles without the right get 403 wherever the visit is.
        foreign_expect={"inspector": 403, "unit_admin": 404, "officer": 403},
    ),
    Op("get", "/api/v1/opinions", everyone(200)),
    Op(
        "post",
        "/api/v1/opinions",
        only(201, *WRITERS),
        body=lambda w, role: {"content": "希望夜间加强巡逻", "source": "form", "unit": "JZ0101"},
    ),
    Op("get", "/api/v1/opinions/{opinion_id}", everyone(200), own_opinion, foreign=other_opinion),
    Op(
        "post",
        "/api/v1/opinions/{opinion_id}/transitions",
        # Only the city office assigns; the others see the opinion, so are refused (403).
        only(200, "city_admin"),
        own_opinion,
        body=lambda w, role: {"action": "assign", "unit": "JZ0101"},
        foreign=other_opinion,
    ),
    Op("get", "/api/v1/campaigns/{slug}/tasks", everyone(200), slug),
    Op(
        "get",
        "/api/v1/campaigns/{slug}/tasks/{task_id}",
        everyone(200),
        lambda w: {"slug": w.campaign.slug, "task_id": w.task.pk},
        foreign=lambda w: {"slug": w.campaign.slug, "task_id": w.task_b.pk},
    ),
    Op("get", "/api/v1/campaigns/{slug}/plans", everyone(200), slug),
    Op("get", "/api/v1/inspections", everyone(200)),
    Op(
        "get",
        "/api/v1/inspections/{inspection_id}",
        everyone(200),
        lambda w: {"inspection_id": w.inspection.pk},
        foreign=lambda w: {"inspection_id": w.inspection_b.pk},
    ),
    Op("get", "/api/v1/bulletins", everyone(200)),
    Op(
        "post",
        "/api/v1/bulletins",
        only(201, *WRITERS),
        body=lambda w, role: {"title": "走访辖区企业", "body": "民警深入企业听取意见建议。"},
    ),
    # A draft of station A1 written by its officer: the unit's writers and the city office.
    Op("get", "/api/v1/bulletins/{bulletin_id}", everyone(200), own_bulletin,
       foreign=other_bulletin),
    Op(
        "post",
        "/api/v1/bulletins/{bulletin_id}/transitions",
        only(200, *WRITERS),
        own_bulletin,
        body=lambda w, role: {"action": "submit"},
        foreign=other_bulletin,
    ),
    Op(
        "get",
        "/api/v1/assessments/{campaign}/{phase}",
        everyone(200),
        lambda w: {"campaign": w.campaign.slug, "phase": "phase-1"},
        setup=World.publish,
    ),
    Op("get", "/api/v1/stats/summary", everyone(200)),
]  # fmt: skip
TABLE = {op.key: op for op in OPERATIONS}


def openapi_operations(client: Any) -> dict[tuple[str, str], dict[str, Any]]:
    """Every operation of the OpenAPI document: (method, path) → its description."""
    document = client.get("/api/v1/openapi.json").json()
    return {
        (method, path): operation
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }


def test_every_operation_is_in_the_table(client: Any, db: Any) -> None:
    assert len(TABLE) == len(OPERATIONS), "an operation is in the table twice"
    assert set(openapi_operations(client)) == set(TABLE)


def test_every_expected_status_is_documented(client: Any, db: Any) -> None:
    """Clients read the statuses from the document: each one the table expects is in it."""
    operations = openapi_operations(client)
    missing = [
        (op.method, op.path, status)
        for op in OPERATIONS
        for status in {*op.expect.values(), *(op.foreign_expect.values() if op.foreign else ())}
        if str(status) not in operations[op.key]["responses"]
    ]
    assert missing == []


def call(caller: Any, world: World, op: Op, role: str, params: dict[str, Any]) -> Any:
    op.setup(world)
    return caller(role).call(op.method, op.path.format(**params), op.body(world, role))


CASES = [(op, role) for op in OPERATIONS for role in CALLERS]


@pytest.mark.parametrize(
    ("op", "role"), CASES, ids=[f"{op.method}-{op.path}-{role}" for op, role in CASES]
)
def test_role_matrix(caller: Any, world: World, op: Op, role: str) -> None:
    response = call(caller, world, op, role, op.params(world))
    assert response.status_code == op.expect[role], response.content
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"detail", "errors"} and body["detail"]


FOREIGN = [(op, role) for op in OPERATIONS if op.foreign for role in SCOPED]


@pytest.mark.parametrize(
    ("op", "role"), FOREIGN, ids=[f"{op.method}-{op.path}-{role}" for op, role in FOREIGN]
)
def test_another_countys_record(caller: Any, world: World, op: Op, role: str) -> None:
    assert op.foreign is not None
    response = call(caller, world, op, role, op.foreign(world))
    assert response.status_code == op.foreign_expect[role], response.content
