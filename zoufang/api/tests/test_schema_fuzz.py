"""Fuzzing the API from its own OpenAPI document (schemathesis, through the WSGI app).

Every operation of `/api/v1/openapi.json` gets generated requests, schema-valid (positive)
and schema-invalid (negative), as a city_admin and as an officer, each with a bearer token.
The checks, chosen deliberately:

- `not_a_server_error`: no 500, whatever comes in;
- `status_code_conformance`, `content_type_conformance`, `response_headers_conformance`,
  `response_schema_conformance`: every answer is one the document declares, in its shape.

Left out: `positive_data_acceptance` (a schema-valid body is refused for business rules the
schema cannot state — an unknown unit code, an officer of another unit, a date in the
future — so it fails by design); `negative_data_rejection` (noisy here: it counts the
mangled Authorization header it generated although the run sends its own token, and Django
reads a repeated query parameter as its last value instead of refusing it); `ignored_auth`
(the access tests cover anonymous requests; the check re-sends every request and doubles
the time); the stateful checks (`use_after_free`, `ensure_resource_availability`: the
document declares no links). `POST/DELETE /auth/token` are left out: the first is throttled
to 10 a minute (its 429 is tested in test_api.py), the second would revoke the token the
run uses.

Half the positive cases are steered to requests the services accept (`steer`), so writes
get through to the services and the opinion loop moves. Afterwards the database must hold
no partial write: every visit has its officers and the duplicate key of its fields, every
opinion the history of its state, and the daily roll-ups equal a rebuild from the visits.

`ZOUFANG_FUZZ_EXAMPLES` (default 8 per operation, mode and role) runs it longer.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from zoufang.api.services import token_issue
from zoufang.ledger.models import Visit, VisitDaily
from zoufang.ledger.rollups import rollup_rebuild
from zoufang.ledger.services import dedup_key
from zoufang.ledger.tests.factories import make_visit
from zoufang.opinions.models import Opinion
from zoufang.opinions.services import opinion_register

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("ZOUFANG_FUZZ_EXAMPLES", "8"))
LEFT_OUT = {("POST", "/api/v1/auth/token"), ("DELETE", "/api/v1/auth/token")}
RESPONSE_CHECKS: list[Callable[..., Any]] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def keep_the_test_connection() -> Iterator[None]:
    """Django's handler closes "obsolete" connections around each request, and the test's
    connection (inside its transaction) looks obsolete; the test client turns that off for
    its requests, the plain WSGI app used here needs it turned off too."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def schema(keep_the_test_connection: None, django_db_blocker: Any) -> Any:
    """The API's own document, fetched from the WSGI app once for the module."""
    with django_db_blocker.unblock():
        return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def ledger(city: Any, campaign: Any) -> None:
    """A few visits and opinions in both counties, so ids and filters find something."""
    for officer in (city.officer, city.officer_b):
        visit = make_visit(officer, phone="13812345678", id_number="11010519491231002X")
        opinion_register(
            actor=officer.user,
            origin_unit=officer.unit,
            content="希望加强夜间巡逻",
            source="visit",
            visit=visit,
            submitter_phone="13912345678",
        )


def _text(value: Any, limit: int, default: str = "") -> str:
    return (value if isinstance(value, str) else default)[:limit].strip() or default


SOURCES = ("form", "online", "meeting", "hotline")
ACTIONS = ("assign", "accept", "return", "reply", "rate", "reopen", "close")
RATINGS = ("satisfied", "basically_satisfied", "dissatisfied")


def steer(case: Any, officer: Any, pick: int) -> None:
    """Make a generated request one the services accept, but for its free text: a valid
    unit, officers, type, channel, date and numbers; an existing visit or opinion id. The
    fuzz then reaches the writes, the state machine and the roll-ups, not only validation."""
    path = case.operation.path
    if case.path_parameters:
        if "visit_id" in case.path_parameters:
            case.path_parameters["visit_id"] = Visit.objects.order_by("?").values("pk")[0]["pk"]
        if "opinion_id" in case.path_parameters:
            case.path_parameters["opinion_id"] = Opinion.objects.order_by("?").values("pk")[0]["pk"]
    if not isinstance(case.body, dict) or case.operation.method.upper() != "POST":
        return
    if path == "/api/v1/visits":
        case.body.update(
            unit=officer.unit.code,
            officers=[officer.badge_no],
            target_type="resident",
            channel="in_person",
            visit_date="2022-03-01",
            target_name=_text(case.body.get("target_name"), 100, "张三"),
            phone="13812345678",
            id_number="",
            address=_text(case.body.get("address"), 200),
            summary=_text(case.body.get("summary"), 1000),
            note=_text(case.body.get("note"), 500),
            donation_amount="12.50",
            opinions=[],
            **{
                name: abs(value) % 100 if isinstance(value := case.body.get(name), int) else 0
                for name in (
                    "opinions_collected",
                    "disputes_mediated",
                    "hazards_found",
                    "households_helped",
                )
            },
        )
    elif path == "/api/v1/opinions":
        case.body.update(
            unit=officer.unit.code,
            content=_text(case.body.get("content"), 2000, "希望加强夜间巡逻"),
            source=SOURCES[pick % len(SOURCES)],
            visit=None,
            category=None,
            submitter_phone="",
        )
    elif path == "/api/v1/opinions/{opinion_id}/transitions":
        case.body.update(
            action=ACTIONS[pick % len(ACTIONS)],
            unit=officer.unit.code,
            deadline=None,
            reason=_text(case.body.get("reason"), 200, "请补充材料后再办"),
            reply=_text(case.body.get("reply"), 2000, "已加强巡逻"),
            measures=_text(case.body.get("measures"), 2000, "每晚巡逻两次"),
            rating=RATINGS[pick % len(RATINGS)],
        )


def fuzz_operation(operation: Any, mode: GenerationMode, headers: dict, officer: Any) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(
        case=operation.as_strategy(generation_mode=mode),
        valid=st.booleans(),
        pick=st.integers(0, 1000),
    )
    def run(case: Any, valid: bool, pick: int) -> None:
        if mode is GenerationMode.POSITIVE and valid:
            steer(case, officer, pick)
        case.call_and_validate(headers=headers, checks=RESPONSE_CHECKS)

    run()


def assert_no_partial_writes() -> None:
    for visit in Visit.objects.prefetch_related("officers"):
        officer_ids = [o.pk for o in visit.officers.all()]
        assert officer_ids, f"visit {visit.pk} has no officers"
        assert visit.dedup_key == dedup_key(
            visit_date=visit.visit_date,
            unit_id=visit.unit_id,
            officer_ids=officer_ids,
            target_type=visit.target_type,
            channel=visit.channel,
            target_name=visit.target_name,
        )
        assert visit.visit_date <= datetime.date.today()
    for opinion in Opinion.objects.prefetch_related("events"):
        events = list(opinion.events.all())
        assert events and events[-1].to_status == opinion.status, f"opinion {opinion.pk}"
    kept = sorted(VisitDaily.objects.exclude(visits=0).values_list(*ROLLUP))
    rollup_rebuild()
    assert kept == sorted(VisitDaily.objects.exclude(visits=0).values_list(*ROLLUP))


ROLLUP = ("unit_id", "day", "target_type", "channel", "visits", "return_visits", "donation_cents")


@pytest.mark.parametrize("role", ["city_admin", "officer"])
def test_the_api_answers_every_request_as_documented(
    schema: Any, city: Any, ledger: None, role: str
) -> None:
    token, _record = token_issue(user=city.user(role), name="fuzz")
    headers = {"Authorization": f"Bearer {token}"}
    officer = city.officer
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 10
    for operation in operations:
        if (operation.method.upper(), operation.path) in LEFT_OUT:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                fuzz_operation(operation, mode, headers, officer)
            except Exception as error:
                failures.append(f"{operation.method.upper()} {operation.path} ({mode}): {error}")
    assert not failures, "\n\n".join(failures)
    assert_no_partial_writes()
