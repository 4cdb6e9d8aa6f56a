"""An officer records a visit on a phone-sized screen and finds it in the ledger, masked."""

from __future__ import annotations

from typing import Any

import pytest

from zoufang.ledger.models import Visit

from .conftest import screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def log_in(page: Any, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def test_officer_records_a_visit_and_sees_it_masked(page: Any, city: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "officer", city.password)
    page.goto("/ledger/visits/new/")
    assert page.input_value("#id_officers") == city.officer.badge_no
    page.fill("#id_visit_date", "2022-05-04")
    page.select_option("#id_target_type", "hardship_household")
    page.click("label[for=id_channel_1]")  # 电话
    page.fill("#id_target_name", "困难户王大爷")
    page.fill("#id_phone", "139 1234 5678")
    page.fill("#id_summary", "了解生活困难情况，送去慰问品。")
    screenshot(page, "quick-entry-phone")
    page.click("button[name=save]")
    page.wait_for_url("**/ledger/visits/*/")
    assert page.locator("#phone").inner_text() == "139****5678"

    page.goto("/ledger/visits/")
    row = page.locator("#visit-table tbody tr", has_text="困难户王大爷")
    assert row.count() == 1
    assert "139****5678" in row.inner_text()
    assert "电话" in row.inner_text() and "困难群众" in row.inner_text()
    assert "13912345678" not in page.content()
    screenshot(page, "ledger-list-phone")

    visit = Visit.objects.get()
    assert visit.channel == "phone" and visit.created_by == city.user("officer")


def test_dashboard_charts_render(page: Any, city: Any) -> None:
    log_in(page, "leader", city.password)
    page.wait_for_selector("#chart-target-types-box[data-rendered=true] svg")
    page.wait_for_selector("#chart-channels-box[data-rendered=true] svg")
    screenshot(page, "dashboard")
