"""Personal data across the interfaces (docs/security.md, "Personal data at rest and on
screen"): the database row holds no clear number, every interface shows it masked, and the
reveal service checks the right itself, whichever interface calls it."""

from __future__ import annotations

import io
import json
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from zoufang.api.services import token_issue
from zoufang.core.models import AuditAction, AuditLog
from zoufang.ledger.reveal import visit_reveal
from zoufang.ledger.tests.factories import make_visit

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
ID_NUMBER = "11010519491231002X"
MASKED = ("138****5678", "110105********002X")
CLEAR = (PHONE, "138 1234 5678", "1234 5678", ID_NUMBER, "19491231002X")


@pytest.fixture
def visit(city: Any) -> Any:
    return make_visit(city.officer, phone=PHONE, id_number=ID_NUMBER)


def test_the_stored_row_holds_no_clear_number(visit: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM ledger_visit WHERE id = %s", [visit.pk])
        row = " ".join(str(value) for value in cursor.fetchone())
    assert PHONE not in row and ID_NUMBER not in row
    assert MASKED[0] in row and MASKED[1] in row  # the masked forms are stored beside


def test_every_interface_shows_the_numbers_masked(city: Any, login: Any, visit: Any) -> None:
    client = login("city_admin")
    page = client.get(f"/ledger/visits/{visit.pk}/").content.decode()
    listing = client.get("/ledger/visits/").content.decode()
    token, _ = token_issue(user=city.user("city_admin"))
    api = {"Authorization": f"Bearer {token}"}
    detail = client.get(f"/api/v1/visits/{visit.pk}", headers=api).content.decode()
    items = client.get("/api/v1/visits", headers=api).content.decode()
    export = client.get("/ledger/visits/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    cells = " ".join(str(cell.value) for row in sheet.iter_rows() for cell in row)
    audit = json.dumps(list(AuditLog.objects.values("before", "after", "note")), default=str)
    for name, text in {
        "visit page": page,
        "ledger list": listing,
        "API detail": detail,
        "API list": items,
        "export": cells,
        "audit trail": audit,
    }.items():
        for clear in CLEAR:
            assert clear not in text, (name, clear)
    assert MASKED[0] in page and MASKED[0] in json.loads(detail)["phone"]
    assert MASKED[1] in cells


@pytest.mark.parametrize("role", ["leader", "inspector", "officer"])
def test_the_reveal_service_checks_the_right_itself(city: Any, visit: Any, role: str) -> None:
    """The page and the API check the right too; this is the layer under both."""
    with pytest.raises(PermissionDenied):
        visit_reveal(
            actor=city.user(role), visit_id=visit.pk, field="phone", reason="回访核实联系方式"
        )
    assert not AuditLog.objects.filter(action=AuditAction.REVEAL).exists()


def test_the_reveal_service_needs_a_reason(city: Any, visit: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        visit_reveal(actor=city.user("city_admin"), visit_id=visit.pk, field="phone", reason=" ")
    assert "reason" in refused.value.message_dict
    assert not AuditLog.objects.filter(action=AuditAction.REVEAL).exists()
