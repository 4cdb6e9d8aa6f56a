"""A station writes a bulletin and submits it; the city office adopts it; it is in the column."""

from __future__ import annotations

from typing import Any

import pytest

from zoufang.bulletins.models import Bulletin

from .conftest import screenshot
from .test_quick_entry import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_submit_adopt_and_read_in_the_column(
    page: Any, browser: Any, live_server: Any, city: Any, campaign: Any
) -> None:
    log_in(page, "officer", city.password)
    page.goto("/bulletins/new/")
    page.fill("#id_title", "城关派出所走进辖区企业听取意见")
    page.fill("#id_body", "民警走访辖区企业12家，收集意见建议5条。\n现场解答群众咨询30余人次。")
    screenshot(page, "bulletin-write")
    page.click("button[name=submit_now]")
    page.wait_for_url("**/bulletins/*/")
    bulletin = Bulletin.objects.get()
    assert bulletin.status == "submitted" and bulletin.unit == city.station_a

    # Not in the column until the city office adopts it.
    page.goto("/bulletins/")
    assert page.locator(f"#bulletins .bulletin-item[data-id='{bulletin.pk}']").count() == 0

    reviewer = browser.new_context(locale="zh-CN", base_url=live_server.url).new_page()
    log_in(reviewer, "cityadmin", city.password)
    reviewer.goto(f"/bulletins/{bulletin.pk}/")
    with reviewer.expect_navigation():
        reviewer.click("#actions .action-adopt button")
    reviewer.context.close()
    bulletin.refresh_from_db()
    assert bulletin.status == "adopted" and bulletin.reviewed_by is not None

    page.goto("/bulletins/")
    item = page.locator(f"#bulletins .bulletin-item[data-id='{bulletin.pk}']")
    assert item.count() == 1 and "走进辖区企业" in item.inner_text()
    page.fill("#column-search input[name=q]", "企业 意见")
    page.press("#column-search input[name=q]", "Enter")
    page.wait_for_url("**/bulletins/?*q=*")
    assert page.locator(f"#bulletins .bulletin-item[data-id='{bulletin.pk}']").count() == 1
    screenshot(page, "bulletin-column")
