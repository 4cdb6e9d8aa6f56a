"""Showing a phone or ID number in full: a permission, a reason, an audit record, a rate
limit, never cached and never replayed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import IntegrityError
from django.test import override_settings
from django.urls import reverse
from django.utils.translation import gettext

from zoufang.api.models import IdempotencyRecord
from zoufang.api.services import token_issue
from zoufang.core import audit, auditchain
from zoufang.core.models import AuditAction, AuditLog
from zoufang.ledger.models import TargetType
from zoufang.ledger.reveal import RevealRateLimited, visit_reveal
from zoufang.ledger.tests.factories import make_visit
from zoufang.org.models import Role
from zoufang.org.permissions import ROLE_PERMS, Perm
from zoufang.org.tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
ID_NUMBER = "11010519491231002X"
REASON = "回访核实群众联系方式"


@pytest.fixture
def visit(city: Any) -> Any:
    return make_visit(city.officer, phone=PHONE, id_number=ID_NUMBER)


def reveals() -> list[AuditLog]:
    return list(AuditLog.objects.filter(action=AuditAction.REVEAL).order_by("id"))


def reveal_url(visit: Any) -> str:
    return reverse("ledger:visit_reveal", args=[visit.pk])


class TestPage:
    def test_the_visit_page_shows_masked_numbers_and_the_reveal_form(
        self, city: Any, login: Any, visit: Any
    ) -> None:
        body = login("unit_admin").get(reverse("ledger:visit_detail", args=[visit.pk]))
        text = body.content.decode()
        assert "138****5678" in text and "110105********002X" in text
        assert PHONE not in text and ID_NUMBER not in text
        assert 'data-reveal="phone"' in text and 'data-reveal="id_number"' in text
        officer = login("officer").get(reverse("ledger:visit_detail", args=[visit.pk]))
        assert "data-reveal=" not in officer.content.decode()

    @pytest.mark.parametrize(("field", "clear"), [("phone", PHONE), ("id_number", ID_NUMBER)])
    def test_reveal_shows_the_number_once_and_records_it(
        self, city: Any, login: Any, visit: Any, field: str, clear: str
    ) -> None:
        client = login("unit_admin")
        response = client.post(reveal_url(visit), {"field": field, "reason": f"  {REASON} "})
        assert response.status_code == 200
        assert clear in response.content.decode()
        assert "no-store" in response["Cache-Control"]
        (row,) = reveals()
        assert row.actor == city.user("unit_admin")
        assert (row.object_type, row.object_id) == ("ledger.visit", str(visit.pk))
        assert row.note == REASON
        assert row.after == {"field": field, "masked": getattr(visit, f"{field}_masked")}
        assert clear not in json.dumps([row.before, row.after, row.note, row.object_repr])
        # The page itself still shows it masked, and its history names the reveal.
        again = client.get(reverse("ledger:visit_detail", args=[visit.pk])).content.decode()
        assert clear not in again and REASON in again

    @pytest.mark.parametrize("reason", ["", "   ", "看看", "回访核实\x00联系方式"])
    def test_a_reason_is_required(self, city: Any, login: Any, visit: Any, reason: str) -> None:
        response = login("unit_admin").post(reveal_url(visit), {"field": "phone", "reason": reason})
        assert response.status_code == 400
        assert PHONE not in response.content.decode()
        assert response.context["reveal_form"].errors["reason"]
        assert not reveals()

    def test_an_unknown_field_is_refused(self, city: Any, login: Any, visit: Any) -> None:
        response = login("unit_admin").post(
            reveal_url(visit), {"field": "phone_cipher", "reason": REASON}
        )
        assert response.status_code == 400 and not reveals()

    def test_roles_without_the_right_get_403(self, city: Any, login: Any, visit: Any) -> None:
        for role in ("officer", "leader", "inspector"):
            response = login(role).post(reveal_url(visit), {"field": "phone", "reason": REASON})
            assert response.status_code == 403
        assert not reveals()

    def test_another_units_visit_is_404(self, city: Any, login: Any) -> None:
        theirs = make_visit(city.officer_b, phone=PHONE)
        response = login("unit_admin").post(
            reveal_url(theirs), {"field": "phone", "reason": REASON}
        )
        assert response.status_code == 404 and not reveals()

    def test_a_sensitive_visit_the_user_is_not_cleared_for_is_404(
        self, city: Any, login: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setitem(
            ROLE_PERMS, Role.UNIT_ADMIN, ROLE_PERMS[Role.UNIT_ADMIN] - {Perm.SENSITIVE_VIEW}
        )
        key = make_visit(city.officer, phone=PHONE, target_type=TargetType.KEY_PERSON)
        response = login("unit_admin").post(reveal_url(key), {"field": "phone", "reason": REASON})
        assert response.status_code == 404 and not reveals()

    def test_get_is_not_allowed(self, city: Any, login: Any, visit: Any) -> None:
        assert login("unit_admin").get(reveal_url(visit)).status_code == 405

    @override_settings(ZOUFANG_REVEAL_LIMIT=2)
    def test_reveals_are_rate_limited(self, city: Any, login: Any, visit: Any) -> None:
        client = login("unit_admin")
        codes = [
            client.post(reveal_url(visit), {"field": "phone", "reason": REASON}).status_code
            for _ in range(3)
        ]
        assert codes == [200, 200, 429]
        assert len(reveals()) == 2
        # Per user: the city office is not held up by the county lead.
        other = login("city_admin").post(reveal_url(visit), {"field": "phone", "reason": REASON})
        assert other.status_code == 200


class TestService:
    def test_no_stored_number(self, city: Any, visit: Any) -> None:
        bare = make_visit(city.officer, phone="", id_number="")
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError) as refused:
            visit_reveal(
                actor=city.user("unit_admin"), visit_id=bare.pk, field="phone", reason=REASON
            )
        assert "field" in refused.value.message_dict and not reveals()

    def test_the_reveal_fails_when_its_audit_fails(
        self, city: Any, visit: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(audit, "row_digest", lambda row: "")
        monkeypatch.setattr(auditchain, "row_digest", lambda row: "")
        with pytest.raises(IntegrityError):
            visit_reveal(
                actor=city.user("unit_admin"), visit_id=visit.pk, field="phone", reason=REASON
            )

    @override_settings(ZOUFANG_REVEAL_LIMIT=1)
    def test_the_limit_is_per_user(self, city: Any, visit: Any) -> None:
        lead = city.user("unit_admin")
        visit_reveal(actor=lead, visit_id=visit.pk, field="phone", reason=REASON)
        with pytest.raises(RevealRateLimited):
            visit_reveal(actor=lead, visit_id=visit.pk, field="id_number", reason=REASON)
        second: Any = OfficerFactory(username="lead2", unit=city.county_a, role=Role.UNIT_ADMIN)
        assert (
            visit_reveal(actor=second.user, visit_id=visit.pk, field="phone", reason=REASON)
            == PHONE
        )


def api_post(client: Any, city: Any, role: str, visit: Any, body: Any, **headers: str) -> Any:
    token, _record = token_issue(user=city.user(role), name="test")
    return client.post(
        f"/api/v1/visits/{visit.pk}/reveal",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", **headers},
    )


class TestApi:
    def test_reveal(self, client: Any, city: Any, visit: Any) -> None:
        body = {"field": "id_number", "reason": REASON}
        response = api_post(client, city, "unit_admin", visit, body)
        assert response.status_code == 200
        assert response.json() == {
            "id": visit.pk,
            "field": "id_number",
            "value": ID_NUMBER,
            "masked": "110105********002X",
        }
        assert "no-store" in response["Cache-Control"]
        (row,) = reveals()
        assert row.note == REASON and row.channel == "api"

    def test_errors(self, client: Any, city: Any, visit: Any) -> None:
        bad = api_post(client, city, "unit_admin", visit, {"field": "name", "reason": "看"})
        assert bad.status_code == 422
        fields = {e["field"] for e in bad.json()["errors"]}
        assert fields == {"field", "reason"}
        reason_error = next(e["message"] for e in bad.json()["errors"] if e["field"] == "reason")
        assert reason_error == gettext(
            "Say why you need the number in full (at least %(n)s characters)"
        ) % {"n": 5}
        missing = api_post(client, city, "unit_admin", visit, {"field": "phone"})
        assert missing.status_code == 422
        assert (
            api_post(
                client, city, "officer", visit, {"field": "phone", "reason": REASON}
            ).status_code
            == 403
        )
        theirs = make_visit(city.officer_b, phone=PHONE)
        outside = api_post(client, city, "unit_admin", theirs, {"field": "phone", "reason": REASON})
        assert outside.status_code == 404
        anonymous = client.post(
            f"/api/v1/visits/{visit.pk}/reveal",
            json.dumps({"field": "phone", "reason": REASON}),
            content_type="application/json",
        )
        assert anonymous.status_code == 401
        assert not reveals()

    @pytest.mark.parametrize("reason", ["回访核实\u0000号码", "回访核实\ud800号码"])
    def test_unrecordable_characters_are_422_not_500(
        self, client: Any, city: Any, visit: Any, reason: str
    ) -> None:
        token, _record = token_issue(user=city.user("unit_admin"), name="test")
        response = client.post(
            f"/api/v1/visits/{visit.pk}/reveal",
            json.dumps({"field": "phone", "reason": reason}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["reason"]
        assert not reveals()

    @override_settings(ZOUFANG_REVEAL_LIMIT=1)
    def test_rate_limit_is_429(self, client: Any, city: Any, visit: Any) -> None:
        body = {"field": "phone", "reason": REASON}
        assert api_post(client, city, "unit_admin", visit, body).status_code == 200
        limited = api_post(client, city, "unit_admin", visit, body)
        assert limited.status_code == 429
        assert limited.json()["detail"] == gettext(
            "You have shown too many numbers in full; try again later"
        )

    def test_an_idempotency_key_never_stores_or_replays_the_number(
        self, client: Any, city: Any, visit: Any
    ) -> None:
        body = {"field": "phone", "reason": REASON}
        first = api_post(client, city, "unit_admin", visit, body, **{"Idempotency-Key": "k1"})
        second = api_post(client, city, "unit_admin", visit, body, **{"Idempotency-Key": "k1"})
        assert first.status_code == second.status_code == 200
        assert "Idempotent-Replayed" not in second
        assert not IdempotencyRecord.objects.exists()
        assert len(reveals()) == 2  # each answer with the number is its own audited reveal
