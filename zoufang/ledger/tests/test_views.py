"""The ledger pages: list and filters, quick entry, edit with conflicts, delete."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zoufang.ledger.models import Channel, TargetType, Visit, VisitDaily
from zoufang.ledger.services import visit_update
from zoufang.ledger.tests.factories import make_visit, visit_input

pytestmark = pytest.mark.django_db


def entry_form(officer: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "visit_date": "2022-05-04",
        "unit": officer.unit.code,
        "officers": officer.badge_no,
        "target_type": TargetType.RESIDENT,
        "channel": Channel.IN_PERSON,
        "target_name": "赵六",
        "phone": "138 1234 5678",
        "id_number": "",
        "address": "人民路8号",
        "summary": "了解出行安全",
        "opinions_collected": "1",
        "donation_amount": "1,200.50元",
    }
    data.update(overrides)
    return data


class TestList:
    def test_filters(self, city: Any, login: Any) -> None:
        make_visit(city.officer, target_name="甲企业", target_type=TargetType.ENTERPRISE)
        make_visit(city.officer, target_name="乙", channel=Channel.WECHAT, is_return_visit=True)
        make_visit(
            city.unit_admin, target_name="丙", visit_date=datetime.date(2022, 1, 2)
        )  # county level
        client = login("unit_admin")
        url = reverse("ledger:visit_list")

        def names(**params: Any) -> set[str]:
            response = client.get(url, params)
            return {visit.target_name for visit in response.context["page"]}

        assert names() == {"甲企业", "乙", "丙"}
        assert names(target_type="enterprise") == {"甲企业"}
        assert names(channel="wechat") == {"乙"}
        assert names(is_return_visit="1") == {"乙"}
        assert names(is_return_visit="0") == {"甲企业", "丙"}
        assert names(until="2022-02-01") == {"丙"}
        assert names(since="2022-03-01") == {"甲企业", "乙"}
        assert names(unit="JZ0101") == {"甲企业", "乙"}
        assert names(officer=city.unit_admin.badge_no) == {"丙"}
        assert names(target_name="企业") == {"甲企业"}

    def test_phone_is_masked_in_the_page(self, city: Any, login: Any) -> None:
        make_visit(city.officer, phone="13912345678")
        body = login("officer").get(reverse("ledger:visit_list")).content.decode()
        assert "139****5678" in body
        assert "13912345678" not in body

    def test_query_count_does_not_grow_with_rows(self, city: Any, login: Any) -> None:
        client = login("unit_admin")
        url = reverse("ledger:visit_list")
        make_visit(city.officer)
        client.get(url)  # warm the session and caches
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        for _ in range(30):
            make_visit(
                city.officer,
                actor=city.user("unit_admin"),
                officers=(city.officer, city.unit_admin),
                unit=city.county_a,
            )
        with CaptureQueriesContext(connection) as many:
            response = client.get(url)
        assert len(response.context["page"]) == 31
        assert len(many) == len(few), "\n".join(q["sql"] for q in many.captured_queries)
        assert len(many) <= 12, "\n".join(q["sql"] for q in many.captured_queries)


class TestQuickEntry:
    def test_records_a_visit(self, city: Any, login: Any) -> None:
        response = login("officer").post(reverse("ledger:visit_create"), entry_form(city.officer))
        visit = Visit.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("ledger:visit_detail", args=[visit.pk])
        assert visit.phone_masked == "138****5678"
        assert str(visit.donation_amount) == "1200.50"
        assert list(visit.officers.all()) == [city.officer]
        assert visit.created_by == city.user("officer")
        assert VisitDaily.objects.get().visits == 1

    def test_save_and_record_another_keeps_the_common_fields(self, city: Any, login: Any) -> None:
        data = entry_form(city.officer, another="1")
        response = login("officer").post(reverse("ledger:visit_create"), data)
        assert response.status_code == 302
        follow = login("officer").get(response["Location"])
        form = follow.context["form"]
        assert form.initial["visit_date"] == "2022-05-04"
        assert form.initial["officers"] == city.officer.badge_no

    def test_errors_say_what_and_where_in_chinese(self, city: Any, login: Any) -> None:
        data = entry_form(
            city.officer,
            phone="12345",
            id_number="110105194912310021",
            officers=f"{city.officer.badge_no} 999999",
            visit_date="2099-01-01",
        )
        response = login("officer").post(reverse("ledger:visit_create"), data)
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert errors["id_number"] == ["身份证号校验位错误"]
        assert "联系电话格式不正确" in errors["phone"][0]
        assert errors["officers"] == ["警号 999999 不存在"]
        assert errors["visit_date"] == ["日期不能晚于今天"]
        assert not Visit.objects.exists()

    def test_an_officer_of_another_unit_is_refused(self, city: Any, login: Any) -> None:
        data = entry_form(city.officer, officers=city.officer_b.badge_no)
        response = login("officer").post(reverse("ledger:visit_create"), data)
        assert "不属于单位 JZ0101" in response.context["form"].errors["officers"][0]
        assert not Visit.objects.exists()

    def test_a_unit_outside_scope_is_not_offered(self, city: Any, login: Any) -> None:
        data = entry_form(city.officer, unit="JZ0201")
        response = login("officer").post(reverse("ledger:visit_create"), data)
        assert "unit" in response.context["form"].errors
        assert not Visit.objects.exists()


class TestEdit:
    def test_edit_keeps_the_stored_phone_when_left_blank(self, city: Any, login: Any) -> None:
        visit = make_visit(city.officer, phone="13812345678")
        data = entry_form(city.officer, phone="", target_name="新名字", version="1")
        response = login("officer").post(reverse("ledger:visit_update", args=[visit.pk]), data)
        assert response.status_code == 302
        visit.refresh_from_db()
        assert (visit.target_name, visit.phone_masked, visit.version) == (
            "新名字",
            "138****5678",
            2,
        )

    def test_clear_removes_the_stored_phone(self, city: Any, login: Any) -> None:
        visit = make_visit(city.officer, phone="13812345678")
        data = entry_form(city.officer, phone="", clear_phone="on", version="1")
        login("officer").post(reverse("ledger:visit_update", args=[visit.pk]), data)
        visit.refresh_from_db()
        assert visit.phone_masked == "" and visit.phone_cipher == "" and visit.phone_hash == ""

    def test_a_stale_edit_shows_the_current_data(self, city: Any, login: Any) -> None:
        visit = make_visit(city.officer)
        visit_update(
            actor=city.user("unit_admin"),
            visit_id=visit.pk,
            expected_version=1,
            data=visit_input(city.officer, target_name="别人改过的名字"),
        )
        data = entry_form(city.officer, target_name="我的修改", version="1")
        response = login("officer").post(reverse("ledger:visit_update", args=[visit.pk]), data)
        body = response.content.decode()
        assert response.status_code == 200
        assert "已被他人修改" in body and "别人改过的名字" in body
        visit.refresh_from_db()
        assert visit.target_name == "别人改过的名字"
        # Saving again, knowingly, applies over the current version.
        assert response.context["form"].data["version"] == "2"


def test_detail_shows_history(city: Any, login: Any) -> None:
    visit = make_visit(city.officer)
    response = login("officer").get(reverse("ledger:visit_detail", args=[visit.pk]))
    assert [entry.action for entry in response.context["history"]] == ["create"]
    assert "新建" in response.content.decode()
