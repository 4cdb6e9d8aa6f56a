"""Sensitive visits (重点人员, 涉稳人员): only cleared roles (Perm.SENSITIVE_VIEW) and the
officers on a visit see it — in lists, pages, exports, the API and every count shown to a
user; the city office's assessment still counts them all."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from zoufang.api.services import token_issue
from zoufang.assessment.services import assess
from zoufang.campaigns.selectors import current_phase
from zoufang.core.models import AuditLog
from zoufang.dashboards.selectors import leaderboard
from zoufang.inspections.services import inspection_create
from zoufang.ledger.exports import ledger_export
from zoufang.ledger.models import TargetType, Visit, VisitSource
from zoufang.ledger.selectors import VisitFilters, visit_list, visit_totals, visit_trend
from zoufang.ledger.services import visits_bulk_create
from zoufang.ledger.tests.factories import make_visit, visit_input
from zoufang.opinions.services import opinion_register
from zoufang.org.models import Role
from zoufang.org.permissions import ROLE_PERMS, Perm
from zoufang.org.tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2022, 1, 15)


@dataclass
class Ledger:
    """Station A1's ledger: an ordinary visit, a key-person visit by the test officer, and a
    key-person and a stability-risk visit by a colleague of the same station."""

    colleague: Any
    ordinary: Visit
    own_key: Visit
    colleague_key: Visit
    colleague_risk: Visit

    @property
    def names(self) -> dict[str, str]:
        return {
            "ordinary": self.ordinary.target_name,
            "own_key": self.own_key.target_name,
            "colleague_key": self.colleague_key.target_name,
            "colleague_risk": self.colleague_risk.target_name,
        }


@pytest.fixture
def ledger(city: Any, campaign: Any) -> Ledger:
    colleague: Any = OfficerFactory(username="colleague", unit=city.station_a, role=Role.OFFICER)
    # The inspector is on an inspection of station A1, so sees its (ordinary) visits.
    inspection_create(
        actor=city.user("city_admin"),
        campaign=campaign,
        title="第一次督导",
        kind="planned",
        start_date=DAY,
        end_date=DAY,
        inspectors=[city.inspector],
        units=[city.station_a],
    )
    return Ledger(
        colleague=colleague,
        ordinary=make_visit(colleague, target_name="普通群众王五", visit_date=DAY),
        own_key=make_visit(
            city.officer,
            target_name="本人走访的重点人员",
            target_type=TargetType.KEY_PERSON,
            visit_date=DAY,
            hazards_found=1,
        ),
        colleague_key=make_visit(
            colleague,
            target_name="同事走访的重点人员",
            target_type=TargetType.KEY_PERSON,
            visit_date=DAY,
            disputes_mediated=3,
        ),
        colleague_risk=make_visit(
            colleague,
            target_name="同事走访的涉稳人员",
            target_type=TargetType.STABILITY_RISK,
            visit_date=DAY,
            disputes_mediated=5,
        ),
    )


def names_seen(user: Any) -> set[str]:
    return set(visit_list(user=user).values_list("target_name", flat=True))


ALL = {"ordinary", "own_key", "colleague_key", "colleague_risk"}
# Who sees which of station A1's visits: cleared roles all, the officer the ordinary one and
# his own key-person visit, the inspector (not cleared) only the ordinary one.
SEES = {
    "city_admin": ALL,
    "leader": ALL,
    "unit_admin": ALL,
    "officer": {"ordinary", "own_key"},
    "inspector": {"ordinary"},
}


def test_the_matrix_clears_the_city_office_leaders_and_unit_leads_only() -> None:
    cleared = {role for role, perms in ROLE_PERMS.items() if Perm.SENSITIVE_VIEW in perms}
    assert cleared == {Role.CITY_ADMIN, Role.LEADER, Role.UNIT_ADMIN}


def test_sensitive_types_are_key_persons_and_stability_risks() -> None:
    assert TargetType.sensitive() == {"key_person", "stability_risk"}


@pytest.mark.parametrize("role", sorted(SEES))
def test_the_ledger_list_page(city: Any, login: Any, ledger: Ledger, role: str) -> None:
    response = login(role).get(reverse("ledger:visit_list"))
    shown = {visit.target_name for visit in response.context["page"]}
    assert shown == {ledger.names[key] for key in SEES[role]}
    body = response.content.decode()
    for key in ALL - SEES[role]:
        assert ledger.names[key] not in body


@pytest.mark.parametrize("role", sorted(SEES))
def test_the_visit_page_is_404_when_not_cleared(
    city: Any, login: Any, ledger: Ledger, role: str
) -> None:
    client = login(role)
    for key in ALL:
        visit = getattr(ledger, key)
        expected = 200 if key in SEES[role] else 404
        assert client.get(reverse("ledger:visit_detail", args=[visit.pk])).status_code == expected


def test_a_target_type_filter_does_not_reveal_them(city: Any, login: Any, ledger: Ledger) -> None:
    response = login("officer").get(reverse("ledger:visit_list"), {"target_type": "key_person"})
    assert [v.target_name for v in response.context["page"]] == [ledger.own_key.target_name]


def test_an_officer_named_on_the_visit_sees_it(city: Any, ledger: Ledger) -> None:
    """Recorded by the unit lead with the officer among its officers: the officer's own."""
    visit = make_visit(
        city.unit_admin,
        actor=city.user("unit_admin"),
        unit=city.station_a,
        officers=(city.officer, ledger.colleague),
        target_type=TargetType.STABILITY_RISK,
        target_name="共同走访的涉稳人员",
    )
    assert visit.target_name in names_seen(city.user("officer"))
    assert visit.target_name not in names_seen(city.user("inspector"))


def test_the_export_leaves_them_out(city: Any, ledger: Ledger) -> None:
    """No uncleared role may export today; the export still reads through the door."""
    out = io.BytesIO()
    count = ledger_export(actor=city.user("officer"), filters=VisitFilters(), out=out)
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    cells = {str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value}
    assert count == 2
    assert ledger.own_key.target_name in cells and ledger.ordinary.target_name in cells
    assert ledger.colleague_key.target_name not in cells
    assert ledger.colleague_risk.target_name not in cells
    exported = AuditLog.objects.filter(action="export").latest("id").after
    assert exported is not None and exported["count"] == 2


def test_the_export_page_leaves_them_out_for_an_uncleared_lead(
    city: Any, login: Any, ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        ROLE_PERMS, Role.UNIT_ADMIN, ROLE_PERMS[Role.UNIT_ADMIN] - {Perm.SENSITIVE_VIEW}
    )
    response = login("unit_admin").get(reverse("ledger:visit_export"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = {str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value}
    assert ledger.ordinary.target_name in cells
    assert not {ledger.colleague_key.target_name, ledger.colleague_risk.target_name} & cells


def bearer(city: Any, role: str) -> dict[str, str]:
    token, _record = token_issue(user=city.user(role), name="test")
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("role", sorted(SEES))
def test_the_api_list_and_detail(client: Any, city: Any, ledger: Ledger, role: str) -> None:
    headers = bearer(city, role)
    page = client.get("/api/v1/visits", headers=headers).json()
    assert {item["target_name"] for item in page["items"]} == {
        ledger.names[key] for key in SEES[role]
    }
    assert page["count"] == len(SEES[role])
    for key in ALL:
        response = client.get(f"/api/v1/visits/{getattr(ledger, key).pk}", headers=headers)
        assert response.status_code == (200 if key in SEES[role] else 404)


def test_an_opinion_from_such_a_visit_does_not_name_it(
    city: Any, login: Any, ledger: Ledger
) -> None:
    opinion = opinion_register(
        actor=ledger.colleague.user,
        origin_unit=city.station_a,
        content="希望社区加强帮扶",
        source="visit",
        visit=ledger.colleague_key,
    )
    url = reverse("opinions:opinion_detail", args=[opinion.pk])
    assert ledger.colleague_key.target_name not in login("officer").get(url).content.decode()
    assert ledger.colleague_key.target_name in login("unit_admin").get(url).content.decode()


# --- counts ---------------------------------------------------------------------------------


def test_roll_up_counts_leave_them_out_for_the_uncleared(city: Any, ledger: Ledger) -> None:
    """Roll-ups cannot tell whose visits they sum: an officer's counts leave out even his own."""
    for role, visits, disputes in (
        ("unit_admin", 4, 8),
        ("leader", 4, 8),
        ("officer", 1, 0),
        ("inspector", 1, 0),
    ):
        total = visit_totals(user=city.user(role), since=None, until=None)[0]
        assert (role, total["visits"], total["disputes_mediated"]) == (role, visits, disputes)
        weeks = visit_trend(user=city.user(role), since=DAY, until=DAY)
        assert sum(week["visits"] for week in weeks) == visits


def test_the_dashboard_figures(city: Any, login: Any, ledger: Ledger) -> None:
    url = reverse("dashboards:summary_data")
    cleared = login("unit_admin").get(url).json()
    values = {code: f["value"] for code, f in cleared["summary"]["figures"].items()}
    assert values["visits_people"] == 4 and values["key_persons"] == 3
    assert {row["code"] for row in cleared["target_types"]} >= TargetType.sensitive()

    # The officer's figures count what he may see: the ordinary visit and his own key-person
    # visit (as his visit list does), not his colleague's; distinct key persons not at all.
    officer = login("officer").get(url).json()
    values = {code: f["value"] for code, f in officer["summary"]["figures"].items()}
    assert values["visits_people"] == 2
    assert values["disputes"] == 0 and values["hazards"] == 1
    assert values["key_persons"] is None  # not shown at all, rather than 0
    assert not {row["code"] for row in officer["target_types"]} & TargetType.sensitive()
    assert sum(row["visits"] for row in officer["channels"]) == 2


def test_the_home_page_says_the_key_person_figure_is_not_shown(
    city: Any, login: Any, ledger: Ledger
) -> None:
    home = reverse("dashboards:home")
    officer = login("officer").get(home)
    card = next(c for c in officer.context["cards"] if c["key"] == "key_persons")
    assert card["value"] is None
    assert "不向您显示" in officer.content.decode()
    records = login("officer").get(card["url"])
    assert records.status_code == 403 and "重点人员" in records.content.decode()
    lead = login("unit_admin").get(home)
    assert {c["key"]: c["value"] for c in lead.context["cards"]}["key_persons"] == 3


def test_the_stats_api(client: Any, city: Any, ledger: Ledger) -> None:
    def values(role: str, **query: str) -> dict[str, Any]:
        answer = client.get("/api/v1/stats/summary", query, headers=bearer(city, role)).json()
        return {code: f["value"] for code, f in answer["figures"].items()}

    officer = values("officer")
    assert (officer["visits_people"], officer["key_persons"]) == (2, None)
    leader = values("leader")
    assert (leader["visits_people"], leader["key_persons"]) == (4, 3)


def test_the_stats_count_what_the_visit_list_lists(client: Any, city: Any, ledger: Ledger) -> None:
    """Issue 20: an officer's stats for his station left out the key-person visits his visit
    list shows him; both now count the visits he may see."""
    for role in ("officer", "unit_admin", "leader", "inspector"):
        headers = bearer(city, role)
        listed = client.get("/api/v1/visits", {"unit": "JZ0101"}, headers=headers).json()
        stats = client.get("/api/v1/stats/summary", {"unit": "JZ0101"}, headers=headers).json()
        people = stats["figures"]["visits_people"]["value"]
        assert people == listed["count"], role  # every visit of the ledger is to a person


def test_assessment_scores_a_unit_on_all_its_visits(
    city: Any, campaign: Any, ledger: Ledger
) -> None:
    """The city office's scoring is not the viewer's: every visit counts, whoever looks."""
    phase = current_phase()
    assert phase is not None
    result = assess(campaign=campaign, phase=phase)
    counts = result["figures"]["JZ0101"]["counts"]
    assert counts["visits"] == 4
    assert counts["key_person_visits"] == 3
    # The leaderboard every role sees is that ranking: scores, not counts.
    board = leaderboard(phase=phase)
    assert "figures" not in board
    assert board["groups"] == [
        {"kind": g["kind"], "ranking": g["ranking"]} for g in result["groups"]
    ]


# --- recording --------------------------------------------------------------------------------


def test_an_officer_records_one_and_still_opens_it(city: Any, login: Any) -> None:
    client = login("officer")
    response = client.post(
        reverse("ledger:visit_create"),
        {
            "visit_date": "2022-05-04",
            "unit": "JZ0101",
            "officers": city.officer.badge_no,
            "target_type": TargetType.KEY_PERSON,
            "channel": "in_person",
            "target_name": "刑满释放人员李某",
        },
    )
    visit = Visit.objects.get()
    assert response["Location"] == reverse("ledger:visit_detail", args=[visit.pk])
    assert client.get(response["Location"]).status_code == 200
    assert visit.target_name not in names_seen(city.user("inspector"))


def test_an_officer_imports_them_and_sees_his_own(city: Any) -> None:
    colleague: Any = OfficerFactory(username="colleague", unit=city.station_a, role=Role.OFFICER)
    result = visits_bulk_create(
        actor=city.user("officer"),
        rows=[
            visit_input(city.officer, target_type=TargetType.STABILITY_RISK, target_name="甲"),
            visit_input(city.officer, target_type=TargetType.KEY_PERSON, target_name="乙"),
        ],
        source=VisitSource.IMPORT,
    )
    assert len(result.created_ids) == 2
    assert names_seen(city.user("officer")) == {"甲", "乙"}
    assert names_seen(colleague.user) == set()
    assert names_seen(city.user("unit_admin")) == {"甲", "乙"}
