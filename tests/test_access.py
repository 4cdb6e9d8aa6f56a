"""Every page: anonymous → login, a role without the right → 403, a record outside scope → 404.

The route table is checked against the URL resolver, so a new page without an entry here
fails the suite.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from zoufang.campaigns.plans import plan_submit
from zoufang.campaigns.services import task_create, task_report
from zoufang.inspections.services import finding_record, inspection_create
from zoufang.ledger.tests.factories import make_visit
from zoufang.notices.services import notice_draft, notice_issue
from zoufang.opinions.services import opinion_register

ROLES = ("city_admin", "leader", "inspector", "unit_admin", "officer")
EVERYONE = dict.fromkeys(ROLES, 200)


@dataclass(frozen=True)
class Route:
    """A page, the status each role gets on its own-scope record, and how to build its URL."""

    name: str
    expect: dict[str, int]
    method: str = "get"
    kwargs: Callable[[Any], dict[str, Any]] = field(default=lambda f: {})
    # For pages about one record: kwargs for a record of another county (→ 404 for the roles
    # that may open the page at all but do not see that county).
    foreign: Callable[[Any], dict[str, Any]] | None = None
    data: Callable[[Any], dict[str, Any]] = field(default=lambda f: {"version": f.visit.version})


def own_visit(f: Any) -> dict[str, Any]:
    return {"pk": f.visit.pk}


def other_visit(f: Any) -> dict[str, Any]:
    return {"pk": f.visit_b.pk}


def own_opinion(f: Any) -> dict[str, Any]:
    return {"pk": f.opinion.pk}


def other_opinion(f: Any) -> dict[str, Any]:
    return {"pk": f.opinion_b.pk}


def own_task(f: Any) -> dict[str, Any]:
    return {"slug": f.campaign.slug, "pk": f.task.pk}


def other_task(f: Any) -> dict[str, Any]:
    return {"slug": f.campaign.slug, "pk": f.task_b.pk}


CITY_ONLY = {"city_admin": 200, "leader": 403, "inspector": 403, "unit_admin": 403, "officer": 403}
CITY_POST = {"city_admin": 302, "leader": 403, "inspector": 403, "unit_admin": 403, "officer": 403}
FIELD = {"city_admin": 200, "leader": 403, "inspector": 403, "unit_admin": 200, "officer": 200}


# The inspector is on an inspection of JZ0101 (the fixtures), so sees its records.
IN_SCOPE = {"city_admin": 200, "leader": 200, "inspector": 200, "unit_admin": 200, "officer": 200}


ROUTES = [
    Route("dashboards:home", EVERYONE),
    Route("ledger:visit_list", EVERYONE),
    Route(
        "ledger:visit_create",
        {"city_admin": 200, "leader": 403, "inspector": 403, "unit_admin": 200, "officer": 200},
    ),
    Route(
        "ledger:visit_detail",
        IN_SCOPE,
        kwargs=own_visit,
        foreign=other_visit,
    ),
    Route(
        "ledger:visit_update",
        {"city_admin": 200, "leader": 403, "inspector": 403, "unit_admin": 200, "officer": 200},
        kwargs=own_visit,
        foreign=other_visit,
    ),
    Route(
        "ledger:visit_delete",
        {"city_admin": 302, "leader": 403, "inspector": 403, "unit_admin": 302, "officer": 403},
        method="post",
        kwargs=own_visit,
        foreign=other_visit,
    ),
    Route(
        "ledger:visit_reveal",
        {"city_admin": 200, "leader": 403, "inspector": 403, "unit_admin": 200, "officer": 403},
        method="post",
        kwargs=own_visit,
        foreign=other_visit,
        data=lambda f: {"field": "phone", "reason": "回访核实联系方式"},
    ),
    Route("campaigns:campaign_detail", EVERYONE, kwargs=lambda f: {"slug": f.campaign.slug}),
    Route("org:password_change", EVERYONE),
    Route("org:two_factor", EVERYONE),
    Route("opinions:opinion_list", EVERYONE),
    Route("opinions:survey_results", EVERYONE),
    Route("opinions:opinion_create", FIELD),
    Route(
        "opinions:opinion_similar",
        FIELD,
        method="post",
        data=lambda f: {"content": "希望加强夜间巡逻"},
    ),
    Route(
        "opinions:opinion_bulk_assign",
        {"city_admin": 302, "leader": 403, "inspector": 403, "unit_admin": 403, "officer": 403},
        method="post",
        data=lambda f: {"opinions": [f.opinion.pk], "unit": "JZ0101"},
    ),
    Route("opinions:opinion_detail", IN_SCOPE, kwargs=own_opinion, foreign=other_opinion),
    Route(
        "opinions:opinion_act",
        {"city_admin": 302, "leader": 403, "inspector": 403, "unit_admin": 403, "officer": 403},
        method="post",
        kwargs=own_opinion,
        foreign=other_opinion,
        data=lambda f: {"action": "assign", "unit": "JZ0101"},
    ),
    Route(
        "opinions:opinion_category",
        {"city_admin": 302, "leader": 403, "inspector": 403, "unit_admin": 302, "officer": 302},
        method="post",
        kwargs=own_opinion,
        foreign=other_opinion,
        data=lambda f: {"category": "traffic"},
    ),
    Route(
        "opinions:visit_card",
        FIELD,
        kwargs=lambda f: {"unit_code": "JZ0101"},
        foreign=lambda f: {"unit_code": "JZ0201"},
    ),
]
ROUTES += [
    Route("campaigns:campaign_list", EVERYONE),
    Route("campaigns:task_create", CITY_ONLY, kwargs=lambda f: {"slug": f.campaign.slug}),
    Route("campaigns:task_detail", IN_SCOPE, kwargs=own_task, foreign=other_task),
    Route(
        "campaigns:task_report",
        {"city_admin": 302, "leader": 403, "inspector": 403, "unit_admin": 302, "officer": 302},
        method="post",
        kwargs=own_task,
        foreign=other_task,
        data=lambda f: {"unit": "JZ0101", "text": "已走访辖区商户30家"},
    ),
    Route(
        "campaigns:task_report_attachment",
        IN_SCOPE,
        kwargs=lambda f: {**own_task(f), "report_id": f.report.pk},
        foreign=lambda f: {**other_task(f), "report_id": f.report_b.pk},
    ),
    Route("campaigns:task_done", CITY_POST, method="post", kwargs=own_task),
    Route(
        "campaigns:leader",
        EVERYONE,
        kwargs=lambda f: {"slug": f.campaign.slug, "badge_no": f.leader_badge},
    ),
    Route("campaigns:meeting_list", EVERYONE, kwargs=lambda f: {"slug": f.campaign.slug}),
    Route("campaigns:plan_list", EVERYONE, kwargs=lambda f: {"slug": f.campaign.slug}),
    Route(
        "campaigns:plan_detail",
        IN_SCOPE,
        kwargs=lambda f: {"slug": f.campaign.slug, "unit_code": "JZ0101"},
        foreign=lambda f: {"slug": f.campaign.slug, "unit_code": "JZ0201"},
    ),
    Route(
        "inspections:plan_finding",
        {"city_admin": 302, "leader": 403, "inspector": 302, "unit_admin": 403, "officer": 403},
        method="post",
        kwargs=lambda f: {"slug": f.campaign.slug, "unit_code": "JZ0101"},
        data=lambda f: {},
    ),
    Route("inspections:inspection_list", EVERYONE),
    Route("inspections:inspection_create", CITY_ONLY),
    Route(
        "inspections:inspection_detail",
        {"city_admin": 200, "leader": 200, "inspector": 200, "unit_admin": 200, "officer": 200},
        kwargs=lambda f: {"pk": f.inspection.pk},
        foreign=lambda f: {"pk": f.inspection_b.pk},
    ),
    Route(
        "inspections:finding_create",
        {"city_admin": 302, "leader": 403, "inspector": 302, "unit_admin": 403, "officer": 403},
        method="post",
        kwargs=lambda f: {"pk": f.inspection.pk},
        data=lambda f: {
            "unit": "JZ0101",
            "kind": "no_visit",
            "description": "台账空白",
            "deduction": "1",
        },
    ),
    Route(
        "inspections:finding_rectify",
        {"city_admin": 302, "leader": 403, "inspector": 403, "unit_admin": 302, "officer": 403},
        method="post",
        kwargs=lambda f: {"pk": f.finding.pk},
        foreign=lambda f: {"pk": f.finding_b.pk},
        data=lambda f: {"rectification": "已补录台账"},
    ),
    Route(
        "inspections:finding_verify",
        {"city_admin": 302, "leader": 403, "inspector": 302, "unit_admin": 403, "officer": 403},
        method="post",
        kwargs=lambda f: {"pk": f.finding.pk},
        data=lambda f: {"accepted": "1"},
    ),
]
DASH = dict.fromkeys(ROLES, 200)
SERVICE_RECORD = {
    "city_admin": 200,
    "leader": 403,
    "inspector": 403,
    "unit_admin": 200,
    "officer": 403,
}


def own_service_import() -> dict[str, Any]:
    """A checked 便民服务 import of the county lead's (only its uploader may open it)."""
    from zoufang.assessment.models import ServiceImport
    from zoufang.org.models import User

    job = ServiceImport.objects.create(
        created_by=User.objects.get(username="unitadmin"),
        filename="便民服务.csv",
        content="单位编码,业务类别,起始日期,截止日期\r\n".encode(),
        result={"rows": 0, "created": 0, "updated": 0, "errors": [], "changes": []},
    )
    return {"pk": job.pk}


ROUTES += [
    Route(
        "assessment:assessment",
        DASH,
        kwargs=lambda f: {"campaign": f.campaign.slug, "phase": "phase-1"},
    ),
    Route(
        "assessment:publish",
        CITY_POST,
        method="post",
        kwargs=lambda f: {"campaign": f.campaign.slug, "phase": "phase-1"},
        data=lambda f: {},
    ),
    Route("assessment:service_list", DASH),
    Route("assessment:service_import", SERVICE_RECORD),
    Route(
        "assessment:service_import_detail",
        {"city_admin": 404, "leader": 403, "inspector": 403, "unit_admin": 200, "officer": 403},
        kwargs=lambda f: own_service_import(),
    ),
    Route("assessment:service_template", SERVICE_RECORD),
    Route(
        "dashboards:unit",
        IN_SCOPE,
        kwargs=lambda f: {"code": "JZ0101"},
        foreign=lambda f: {"code": "JZ0201"},
    ),
    # Only leaders have a leader's page of their own; others get 404 (no such leader).
    Route(
        "dashboards:leader_self",
        {"city_admin": 404, "leader": 200, "inspector": 404, "unit_admin": 404, "officer": 404},
    ),
    Route("dashboards:leader", DASH, kwargs=lambda f: {"badge_no": f.leader_badge}),
    Route("dashboards:summary_data", DASH),
    Route("dashboards:trend_data", DASH),
    Route("dashboards:leaderboard_data", DASH),
]
LEDGER_WRITE = {
    "city_admin": 200,
    "leader": 403,
    "inspector": 403,
    "unit_admin": 200,
    "officer": 403,
}
ROUTES += [
    Route("ledger:visit_export", LEDGER_WRITE),
    Route("ledger:export_requests", LEDGER_WRITE),
    Route(
        "ledger:export_decide",
        CITY_POST,
        method="post",
        kwargs=lambda f: {"pk": f.export_request.pk},
        data=lambda f: {"approve": "1"},
    ),
    Route(
        "ledger:export_download",
        {"city_admin": 404, "leader": 403, "inspector": 403, "unit_admin": 403, "officer": 403},
        kwargs=lambda f: {"pk": f.export_request.pk},
    ),
    Route("ledger:import", FIELD),
    Route(
        "ledger:import_job",
        {"city_admin": 404, "leader": 403, "inspector": 403, "unit_admin": 200, "officer": 404},
        kwargs=lambda f: {"pk": f.import_job.pk},
    ),
    Route(
        "ledger:import_errors",
        {"city_admin": 404, "leader": 403, "inspector": 403, "unit_admin": 200, "officer": 404},
        kwargs=lambda f: {"pk": f.import_job.pk},
    ),
    Route(
        "ledger:template",
        {"city_admin": 200, "leader": 200, "inspector": 200, "unit_admin": 200, "officer": 200},
    ),
]
ROUTES += [
    Route("figures:definitions", DASH),
    # Another unit's records (?unit=) are 404 and hidden ones 403: figures/tests/test_views.py
    Route("figures:records", DASH, kwargs=lambda f: {"code": "visits_people"}),
]
ROUTES += [
    Route("notices:notice_list", DASH),
    Route("notices:notice_draft", CITY_POST, method="post", data=lambda f: {"phase": f.phase.pk}),
    Route("notices:notice_detail", DASH, kwargs=lambda f: {"pk": f.notice.pk}),
    Route("notices:notice_download", DASH, kwargs=lambda f: {"pk": f.notice.pk, "kind": "docx"}),
]
PUBLIC = {
    "core:health",
    "org:login",
    "org:logout",
    "public:opinion",
    "public:opinion_create",
    "public:survey",
}
NOT_PAGES = ("admin", "api")  # Django's admin (staff only) and the API (tests/api)


def named_routes(resolver: URLResolver | None = None, prefix: str = "") -> set[str]:
    """Every named URL of the project, as namespace:name."""
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = pattern.namespace or ""
            if namespace in NOT_PAGES:
                continue
            names |= named_routes(pattern, f"{prefix}{namespace}:" if namespace else prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(prefix + pattern.name)
    return names


def test_every_page_is_in_the_access_table() -> None:
    from zoufang.bulletins.tests.test_routes import ROUTES as BULLETIN_ROUTES

    # The column's pages keep their table (same rules, their own fixtures) with the app.
    elsewhere = {route.name for route in BULLETIN_ROUTES}
    assert named_routes() == {route.name for route in ROUTES} | elsewhere | PUBLIC


@dataclass
class Fixtures:
    visit: Any
    visit_b: Any
    campaign: Any
    opinion: Any
    opinion_b: Any
    task: Any = None
    task_b: Any = None
    report: Any = None
    report_b: Any = None
    leader_badge: str = ""
    inspection: Any = None
    inspection_b: Any = None
    finding: Any = None
    finding_b: Any = None
    phase: Any = None
    export_request: Any = None
    import_job: Any = None
    _notice: Any = None

    @property
    def notice(self) -> Any:
        """An issued notice, built on first use (it assesses and prints: not for every case)."""
        if self._notice is None:
            from zoufang.org.models import Officer

            actor = Officer.objects.get(user__username="cityadmin").user
            draft = notice_draft(actor=actor, campaign=self.campaign, phase=self.phase)
            self._notice = notice_issue(actor=actor, notice_id=draft.pk)
        return self._notice


@pytest.fixture
def f(city: Any) -> Fixtures:
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
    )
    fixtures = Fixtures(
        visit=make_visit(city.officer),
        visit_b=make_visit(city.officer_b),
        campaign=campaign,
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
    )
    admin = city.user("city_admin")
    deadline = datetime.date(2022, 12, 31)
    fixtures.task = task_create(
        actor=admin,
        campaign=campaign,
        title="走访辖区企业",
        lead_leader=city.leader,
        responsible_units=[city.station_a],
        deadline=deadline,
    )
    fixtures.task_b = task_create(
        actor=admin,
        campaign=campaign,
        title="走访困难群众",
        lead_leader=city.leader,
        responsible_units=[city.station_b],
        deadline=deadline,
    )
    pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
    fixtures.report = task_report(
        actor=city.user("officer"),
        task=fixtures.task,
        unit=city.station_a,
        text="已走访辖区企业12家",
        attachment=ContentFile(pdf, name="进展.pdf"),
    )
    fixtures.report_b = task_report(
        actor=city.user("officer_b"),
        task=fixtures.task_b,
        unit=city.station_b,
        text="已走访困难群众8户",
        attachment=ContentFile(pdf, name="进展.pdf"),
    )
    fixtures.leader_badge = city.leader.badge_no
    city_plan = (
        "江州市公安局大走访开门评活动实施方案。"
        "全面开展走访，认真听取群众意见建议，坚决防止不走访不评议不反馈不整改。"
    )
    plan_submit(actor=admin, campaign=campaign, unit=city.city, text=city_plan)
    plan_submit(
        actor=admin,
        campaign=campaign,
        unit=city.station_a,
        text=city_plan.replace("江州市公安局", "城关派出所"),
    )
    today = datetime.date.today()
    fixtures.inspection = inspection_create(
        actor=admin,
        campaign=campaign,
        title="第一次督导",
        kind="planned",
        start_date=today,
        end_date=today,
        inspectors=[city.inspector],
        units=[city.station_a],
    )
    fixtures.inspection_b = inspection_create(
        actor=admin,
        campaign=campaign,
        title="第二次督导",
        kind="planned",
        start_date=today,
        end_date=today,
        inspectors=[city.city_admin],
        units=[city.station_b],
    )
    fixtures.finding = finding_record(
        actor=admin,
        inspection=fixtures.inspection,
        unit=city.station_a,
        kind="no_visit",
        description="台账空白",
        deduction=Decimal("1"),
    )
    fixtures.finding_b = finding_record(
        actor=admin,
        inspection=fixtures.inspection_b,
        unit=city.station_b,
        kind="no_visit",
        description="台账空白",
        deduction=Decimal("1"),
    )
    fixtures.phase = campaign.phases.get(slug="phase-1")
    # A pending export request and an import job, both the county lead's.

    from zoufang.ledger.models import ExportRequest, ImportJob

    fixtures.export_request = ExportRequest.objects.create(
        requested_by=city.user("unit_admin"), filters={}, rows=9000, reason="汇总"
    )
    job = ImportJob(created_by=city.user("unit_admin"), filename="台账.csv", status="checked")
    job.upload.save("台账.csv", ContentFile("走访日期,单位编码\r\n".encode()), save=True)
    fixtures.import_job = job
    return fixtures


def request(client: Any, route: Route, kwargs: dict[str, Any], f: Fixtures) -> Any:
    url = reverse(route.name, kwargs=kwargs)
    if route.method == "post":
        return client.post(url, route.data(f))
    return client.get(url)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_anonymous_goes_to_login(client: Any, f: Fixtures, route: Route) -> None:
    response = request(client, route, route.kwargs(f), f)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("org:login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_role_matrix(login: Any, f: Fixtures, route: Route, role: str) -> None:
    response = request(login(role), route, route.kwargs(f), f)
    assert response.status_code == route.expect[role]


FOREIGN_CASES = [
    (route, role)
    for route in ROUTES
    if route.foreign
    for role in ("inspector", "unit_admin", "officer")
    if route.expect[role] != 403  # a role that may not open the page at all gets 403 first
]


@pytest.mark.parametrize(
    ("route", "role"), FOREIGN_CASES, ids=[f"{r.name}-{role}" for r, role in FOREIGN_CASES]
)
def test_another_units_record_is_404(login: Any, f: Fixtures, route: Route, role: str) -> None:
    assert route.foreign is not None
    response = request(login(role), route, route.foreign(f), f)
    assert response.status_code == 404


def test_public_pages_need_no_login(client: Any, db: Any) -> None:
    assert client.get(reverse("org:login")).status_code == 200
