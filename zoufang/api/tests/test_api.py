"""The API base: tokens, scope and masking, the error shape, idempotency."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from zoufang.core.models import AuditAction, AuditLog
from zoufang.ledger.models import Visit
from zoufang.ledger.tests.factories import make_visit
from zoufang.org.models import ApiToken

pytestmark = pytest.mark.django_db


def token_for(client: Client, city: Any, role: str) -> str:
    response = client.post(
        "/api/v1/auth/token",
        {"username": city.user(role).username, "password": city.password},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


class Api:
    """A client that sends a bearer token."""

    def __init__(self, client: Client, token: str) -> None:
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params, headers=self.headers)

    def post(self, path: str, body: Any, **headers: str) -> Any:
        return self.client.post(
            path,
            json.dumps(body),
            content_type="application/json",
            headers={**self.headers, **headers},
        )


@pytest.fixture
def api(client: Client, city: Any) -> Any:
    return lambda role: Api(client, token_for(client, city, role))


def visit_body(officer: Any, **overrides: Any) -> dict[str, Any]:
    body = {
        "visit_date": "2022-06-01",
        "unit": officer.unit.code,
        "officers": [officer.badge_no],
        "target_type": "enterprise",
        "channel": "wechat",
        "target_name": "江州恒丰科技有限公司",
        "phone": "0795-86661234",
        "id_number": "11010519491231002X",
        "disputes_mediated": 1,
        "donation_amount": "500.00",
    }
    body.update(overrides)
    return body


class TestTokens:
    def test_issue_stores_only_a_hash(self, client: Client, city: Any) -> None:
        token = token_for(client, city, "officer")
        stored = ApiToken.objects.get()
        assert token not in (stored.key_hash, stored.prefix)
        assert stored.expires_at > timezone.now() + datetime.timedelta(days=29)
        assert AuditLog.objects.filter(action=AuditAction.TOKEN).exists()

    def test_wrong_password_is_401_in_the_error_shape(self, client: Client, city: Any) -> None:
        response = client.post(
            "/api/v1/auth/token",
            {"username": "officer", "password": "nope"},
            content_type="application/json",
        )
        assert response.status_code == 401
        assert response.json() == {"detail": "用户名或密码错误", "errors": []}

    def test_no_token_is_401(self, client: Client, city: Any) -> None:
        response = client.get("/api/v1/visits")
        assert response.status_code == 401
        assert response.json()["detail"] == "未登录，或令牌无效、已过期"

    def test_revoked_and_expired_tokens_are_refused(self, api: Any) -> None:
        caller = api("officer")
        assert caller.get("/api/v1/units").status_code == 200
        ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
        assert caller.get("/api/v1/units").status_code == 401
        ApiToken.objects.update(expires_at=timezone.now() + datetime.timedelta(days=1))
        response = caller.client.delete("/api/v1/auth/token", headers=caller.headers)
        assert response.status_code == 204
        assert caller.get("/api/v1/units").status_code == 401

    def test_token_requests_are_throttled_per_address(self, client: Client, city: Any) -> None:
        codes = [
            client.post(
                "/api/v1/auth/token",
                {"username": f"nobody{n}", "password": "wrong"},
                content_type="application/json",
            ).status_code
            for n in range(11)
        ]
        assert codes == [401] * 10 + [429]

    def test_five_failures_lock_the_account(self, client: Client, city: Any) -> None:
        def attempt(password: str, address: str = "127.0.0.1") -> int:
            return client.post(
                "/api/v1/auth/token",
                {"username": "officer", "password": password},
                content_type="application/json",
                REMOTE_ADDR=address,
            ).status_code

        assert [attempt("wrong") for _ in range(5)] == [401, 401, 401, 401, 429]
        assert attempt(city.password) == 429  # even the right password, for 30 minutes
        assert attempt(city.password, address="10.9.9.9") == 200  # another address is not locked

    def test_the_session_works_with_csrf(self, city: Any) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(city.user("officer"))
        assert client.get("/api/v1/units").status_code == 200
        refused = client.post(
            "/api/v1/visits", json.dumps(visit_body(city.officer)), content_type="application/json"
        )
        assert refused.status_code == 403


class TestScope:
    def test_units(self, api: Any) -> None:
        units = api("unit_admin").get("/api/v1/units").json()
        assert [(u["code"], u["parent"]) for u in units] == [("JZ01", "JZ"), ("JZ0101", "JZ01")]

    def test_visits_in_scope_and_404_outside(self, api: Any, city: Any) -> None:
        mine = make_visit(city.officer, phone="13812345678")
        theirs = make_visit(city.officer_b)
        caller = api("officer")
        page = caller.get("/api/v1/visits").json()
        assert page["count"] == 1 and page["items"][0]["id"] == mine.pk
        assert page["items"][0]["phone"] == "138****5678"
        assert caller.get(f"/api/v1/visits/{mine.pk}").status_code == 200
        response = caller.get(f"/api/v1/visits/{theirs.pk}")
        assert response.status_code == 404
        assert response.json() == {"detail": "未找到", "errors": []}
        assert caller.get("/api/v1/visits", unit="JZ0201").status_code == 404

    def test_filters_and_pages(self, api: Any, city: Any) -> None:
        for day in range(1, 56):
            make_visit(
                city.officer, visit_date=datetime.date(2022, 1, 1) + datetime.timedelta(days=day)
            )
        caller = api("leader")
        first = caller.get("/api/v1/visits").json()
        assert (first["count"], first["pages"], len(first["items"])) == (55, 2, 50)
        assert len(caller.get("/api/v1/visits", page=2).json()["items"]) == 5
        assert caller.get("/api/v1/visits", since="2022-02-20").json()["count"] == 6
        assert caller.get("/api/v1/visits", target_type="venue").json()["count"] == 0


class TestCreate:
    def test_records_with_masked_answer(self, api: Any, city: Any) -> None:
        response = api("officer").post("/api/v1/visits", visit_body(city.officer))
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["phone"] == "0795-****1234"
        assert body["id_number"] == "110105********002X"
        assert body["officers"] == [city.officer.badge_no]
        visit = Visit.objects.get()
        assert visit.source == "api" and visit.created_by == city.user("officer")

    def test_field_errors_name_the_field(self, api: Any, city: Any) -> None:
        body = visit_body(city.officer, id_number="110105194912310021", channel="pigeon")
        response = api("officer").post("/api/v1/visits", body)
        assert response.status_code == 422
        errors = {e["field"]: e["message"] for e in response.json()["errors"]}
        assert errors["id_number"] == "身份证号校验位错误"
        assert "channel" in errors
        assert not Visit.objects.exists()

    def test_schema_errors_are_422_in_the_same_shape(self, api: Any, city: Any) -> None:
        body = visit_body(city.officer)
        del body["target_name"]
        response = api("officer").post("/api/v1/visits", body)
        assert response.status_code == 422
        assert response.json()["errors"] == [{"field": "target_name", "message": "必填"}]

    def test_a_unit_outside_scope_is_refused(self, api: Any, city: Any) -> None:
        response = api("officer").post("/api/v1/visits", visit_body(city.officer_b))
        assert response.status_code == 422
        assert not Visit.objects.exists()

    def test_a_role_without_the_right_is_403(self, api: Any, city: Any) -> None:
        response = api("leader").post("/api/v1/visits", visit_body(city.officer))
        assert response.status_code == 403
        assert response.json()["detail"] == "您的角色无权执行此操作"

    def test_server_set_fields_cannot_be_set(self, api: Any, city: Any) -> None:
        body = visit_body(
            city.officer, created_by=city.user("city_admin").pk, version=9, source="seed"
        )
        api("officer").post("/api/v1/visits", body)
        visit = Visit.objects.get()
        assert (visit.created_by, visit.version, visit.source) == (city.user("officer"), 1, "api")


class TestIdempotency:
    def test_a_replay_returns_the_first_answer_and_writes_nothing(
        self, api: Any, city: Any
    ) -> None:
        caller = api("officer")
        first = caller.post("/api/v1/visits", visit_body(city.officer), **{"Idempotency-Key": "k1"})
        again = caller.post("/api/v1/visits", visit_body(city.officer), **{"Idempotency-Key": "k1"})
        assert first.status_code == again.status_code == 201
        assert first.json() == again.json()
        assert again["Idempotent-Replayed"] == "true"
        assert Visit.objects.count() == 1
        assert AuditLog.objects.filter(object_type="ledger.visit").count() == 1

    def test_the_same_key_with_another_body_is_422(self, api: Any, city: Any) -> None:
        caller = api("officer")
        caller.post("/api/v1/visits", visit_body(city.officer), **{"Idempotency-Key": "k2"})
        other = caller.post(
            "/api/v1/visits",
            visit_body(city.officer, target_name="别的"),
            **{"Idempotency-Key": "k2"},
        )
        assert other.status_code == 422
        assert other.json()["errors"][0]["field"] == "Idempotency-Key"
        assert Visit.objects.count() == 1

    def test_keys_belong_to_their_user(self, api: Any, city: Any) -> None:
        api("officer").post("/api/v1/visits", visit_body(city.officer), **{"Idempotency-Key": "k3"})
        response = api("unit_admin").post(
            "/api/v1/visits",
            visit_body(city.officer, target_name="另一条"),
            **{"Idempotency-Key": "k3"},
        )
        assert response.status_code == 201
        assert Visit.objects.count() == 2

    def test_a_refused_request_replays_its_refusal(self, api: Any, city: Any) -> None:
        caller = api("officer")
        bad = visit_body(city.officer, phone="123")
        assert caller.post("/api/v1/visits", bad, **{"Idempotency-Key": "k4"}).status_code == 422
        assert caller.post("/api/v1/visits", bad, **{"Idempotency-Key": "k4"}).status_code == 422
        assert not Visit.objects.exists()


def test_openapi_document(client: Client, db: Any) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert {
        "/api/v1/auth/token",
        "/api/v1/units",
        "/api/v1/visits",
        "/api/v1/visits/{visit_id}",
    } <= set(document["paths"])


def test_docs_page_uses_no_cdn(client: Client, city: Any) -> None:
    client.force_login(city.user("officer"))
    body = client.get("/api/v1/docs").content.decode()
    assert "cdn" not in body.lower() and "/static/ninja/" in body
