"""Server-set fields cannot be set by a client (mass assignment), through the API or a form.

Who recorded a record, its version, its source, its state, its duplicate key, its sealed
personal data, its scores: the server decides them. Unknown body fields are ignored; a unit
outside the caller's scope is refused.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from zoufang.assessment.models import Assessment, ServiceRecord
from zoufang.assessment.services import assess, contract_shape
from zoufang.bulletins.models import Bulletin
from zoufang.ledger.models import Visit
from zoufang.ledger.services import input_dedup_key
from zoufang.ledger.tests.factories import make_visit, visit_input
from zoufang.opinions.models import Opinion

from .conftest import World

pytestmark = pytest.mark.django_db

LONG_AGO = "2000-01-01T00:00:00+08:00"


def forged(city: Any) -> dict[str, Any]:
    """Fields no client may set, with values the server would never choose."""
    return {
        "id": 987654,
        "pk": 987654,
        "created_by": city.user("city_admin").pk,
        "created_by_id": city.user("city_admin").pk,
        "created_at": LONG_AGO,
        "updated_at": LONG_AGO,
        "version": 42,
        "source": "seed",
        "dedup_key": "forged",
        "phone_cipher": "forged",
        "phone_hash": "forged",
        "phone_masked": "forged",
        "id_number_cipher": "forged",
        "id_number_hash": "forged",
        "id_number_masked": "forged",
        "status": "closed",
    }


def assert_visit_server_set(visit: Visit, user: Any, source: str) -> None:
    assert visit.pk != 987654
    assert visit.created_by == user
    assert visit.version == 1
    assert visit.source == source
    assert visit.created_at > timezone.now() - datetime.timedelta(minutes=5)
    assert visit.phone_masked == "138****5678"
    assert visit.phone_hash != "forged" and visit.phone_cipher != "forged"
    assert visit.id_number_masked == visit.id_number_hash == visit.id_number_cipher == ""
    assert visit.dedup_key == input_dedup_key(
        visit_input(
            visit.officers.get(),
            visit_date=visit.visit_date,
            unit=visit.unit,
            target_type=visit.target_type,
            channel=visit.channel,
            target_name=visit.target_name,
        )
    )


# --- API ---------------------------------------------------------------------------------------


def visit_body(city: Any, **overrides: Any) -> dict[str, Any]:
    body = {
        "visit_date": "2022-06-01",
        "unit": "JZ0101",
        "officers": [city.officer.badge_no],
        "target_type": "enterprise",
        "channel": "wechat",
        "target_name": "江州恒丰科技有限公司",
        "phone": "13812345678",
    }
    body.update(overrides)
    return body


def test_api_visit(caller: Any, city: Any) -> None:
    response = caller("officer").post("/api/v1/visits", {**forged(city), **visit_body(city)})
    assert response.status_code == 201, response.content
    answer = response.json()
    assert (answer["version"], answer["source"], answer["phone"]) == (1, "api", "138****5678")
    assert_visit_server_set(Visit.objects.get(), city.user("officer"), "api")


@pytest.mark.parametrize(
    ("field", "value"),
    [("unit", "JZ01"), ("unit", "JZ0201"), ("officers", ["OTHER"])],
    ids=["parent-unit", "other-county", "unknown-officer"],
)
def test_api_visit_unit_and_officers_stay_in_scope(
    caller: Any, city: Any, field: str, value: Any
) -> None:
    """An officer records for his unit and the units below it, with their officers only."""
    if value == ["OTHER"]:
        value = [city.officer_b.badge_no]
    response = caller("officer").post("/api/v1/visits", visit_body(city, **{field: value}))
    assert response.status_code == 422
    assert not Visit.objects.exists()


def test_api_opinion(caller: Any, city: Any) -> None:
    body = {
        **forged(city),
        "deadline": "2030-01-01",
        "reply_by": "2030-01-01",
        "rating": "satisfied",
        "token": "forged-token",
        "reply": "已办结",
        "merged_into": 1,
        "reopen_count": 3,
        "category_confirmed": True,
        "responsible_unit": "JZ0101",
        "content": "希望夜间加强巡逻",
        "source": "form",
        "unit": "JZ0101",
    }
    response = caller("officer").post("/api/v1/opinions", body)
    assert response.status_code == 201, response.content
    opinion = Opinion.objects.get()
    assert opinion.status == "registered" and opinion.version == 1
    assert opinion.created_by == city.user("officer")
    assert opinion.unit is None  # only the city office assigns a responsible unit
    assert opinion.origin_unit == city.station_a
    assert (opinion.rating, opinion.reply, opinion.reopen_count, opinion.merged_into) == (
        "",
        "",
        0,
        None,
    )
    assert opinion.token != "forged-token"


def test_api_opinion_unit_outside_scope(caller: Any, city: Any) -> None:
    body = {"content": "希望夜间加强巡逻", "source": "form", "unit": "JZ0201"}
    assert caller("officer").post("/api/v1/opinions", body).status_code == 422
    assert not Opinion.objects.exists()


def test_api_opinion_transition_sets_only_what_the_action_does(caller: Any, world: World) -> None:
    body = {"action": "assign", "unit": "JZ0101", "status": "closed", "version": 42}
    response = caller("city_admin").post(f"/api/v1/opinions/{world.opinion.pk}/transitions", body)
    assert response.status_code == 200, response.content
    world.opinion.refresh_from_db()
    assert (world.opinion.status, world.opinion.version) == ("assigned", 2)


def test_api_bulletin(caller: Any, city: Any, campaign: Any) -> None:
    body = {
        **forged(city),
        "status": "adopted",
        "views": 9999,
        "published_at": LONG_AGO,
        "reviewed_at": LONG_AGO,
        "reviewed_by": city.user("city_admin").pk,
        "review_comment": "采用",
        "title": "走访辖区企业",
        "body": "民警深入企业听取意见建议。",
    }
    response = caller("officer").post("/api/v1/bulletins", body)
    assert response.status_code == 201, response.content
    bulletin = Bulletin.objects.get()
    assert (bulletin.status, bulletin.views, bulletin.version) == ("draft", 0, 1)
    assert bulletin.published_at is None and bulletin.reviewed_by is None
    assert bulletin.created_by == city.user("officer") and bulletin.unit == city.station_a


# --- forms -------------------------------------------------------------------------------------


def entry_form(city: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "visit_date": "2022-05-04",
        "unit": "JZ0101",
        "officers": city.officer.badge_no,
        "target_type": "resident",
        "channel": "in_person",
        "target_name": "赵六",
        "phone": "138 1234 5678",
    }
    data.update(overrides)
    return data


def test_quick_entry_form(login: Any, city: Any) -> None:
    response = login("officer").post(
        reverse("ledger:visit_create"), {**forged(city), **entry_form(city)}
    )
    assert response.status_code == 302
    assert_visit_server_set(Visit.objects.get(), city.user("officer"), "entry")


def test_quick_entry_form_unit_outside_scope(login: Any, city: Any) -> None:
    for unit in ("JZ01", "JZ0201"):
        response = login("officer").post(
            reverse("ledger:visit_create"), entry_form(city, unit=unit)
        )
        assert "unit" in response.context["form"].errors
    assert not Visit.objects.exists()


def test_edit_form(login: Any, city: Any) -> None:
    visit = make_visit(city.officer)
    url = reverse("ledger:visit_update", args=[visit.pk])
    data = {**forged(city), **entry_form(city, target_name="新名字"), "version": "1"}
    data["created_by"] = data["created_by_id"] = city.user("unit_admin").pk
    assert login("officer").post(url, data).status_code == 302
    visit.refresh_from_db()
    assert (visit.target_name, visit.version, visit.source) == ("新名字", 2, "entry")
    assert visit.created_by == city.user("officer")
    # The form's version is the one the editor read: it can only be the current one.
    stale = login("officer").post(url, {**entry_form(city, target_name="再改"), "version": "9"})
    assert stale.status_code == 200 and "conflict" in stale.context
    visit.refresh_from_db()
    assert (visit.target_name, visit.version) == ("新名字", 2)


def test_opinion_form(login: Any, city: Any) -> None:
    data = {
        **forged(city),
        "rating": "satisfied",
        "unit": "JZ0101",
        "deadline": "2030-01-01",
        "origin_unit": "JZ0101",
        "content": "路口红绿灯时间太短",
        "source": "visit",
    }
    login("officer").post(reverse("opinions:opinion_create"), data)
    opinion = Opinion.objects.get()
    assert (opinion.status, opinion.version, opinion.rating) == ("registered", 1, "")
    assert opinion.unit is None and opinion.created_by == city.user("officer")


def test_service_record_form(login: Any, city: Any) -> None:
    data = {
        **forged(city),
        "unit": "JZ01",
        "kind": "household_registration",
        "period_start": "2022-01-01",
        "period_end": "2022-01-31",
        "items_delegated": "3",
        "certificates_handled": "12",
    }
    login("unit_admin").post(reverse("assessment:service_list"), data)
    record = ServiceRecord.objects.get()
    assert record.created_by == city.user("unit_admin")
    assert (record.items_delegated, record.certificates_handled) == (3, 12)


def test_scores_are_computed_not_posted(login: Any, city: Any, campaign: Any) -> None:
    make_visit(city.officer, visit_date=datetime.date(2022, 1, 10))
    url = reverse("assessment:publish", args=[campaign.slug, "phase-1"])
    forged_scores = {"score": "150", "rank": "1", "result": "{}", "unit": "JZ0101", "version": "9"}
    assert login("city_admin").post(url, forged_scores).status_code == 302
    snapshot = Assessment.objects.get()
    phase = campaign.phases.get(slug="phase-1")
    assert snapshot.version == 1
    assert (
        snapshot.result["groups"]
        == contract_shape(assess(campaign=campaign, phase=phase))["groups"]
    )
