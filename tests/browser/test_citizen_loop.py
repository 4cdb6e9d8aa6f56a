"""A citizen submits on the public page, the unit replies through its pages, the citizen rates."""

from __future__ import annotations

from typing import Any

import pytest

from zoufang.opinions.models import Opinion

from .conftest import screenshot
from .test_quick_entry import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_citizen_unit_citizen(page: Any, browser: Any, live_server: Any, city: Any) -> None:
    # The citizen, on a phone, scans the visit card.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/p/JZ0101/")
    page.fill("#id_content", "晚上小区门口路灯不亮，希望加强巡逻")
    page.fill("#id_submitter_phone", "13912345678")
    page.click("button:has-text('提交')")
    page.wait_for_selector("#submitted")
    private_link = page.locator("#private-link").inner_text()
    assert page.locator(".qr svg").count() == 1
    screenshot(page, "public-submitted")
    opinion = Opinion.objects.get()

    # The city office assigns it, the station accepts and replies — through the pages.
    staff = browser.new_context(locale="zh-CN", base_url=live_server.url).new_page()
    log_in(staff, "cityadmin", city.password)
    staff.goto(f"/opinions/{opinion.pk}/")
    staff.select_option(".action-assign select[name=unit]", "JZ0101")
    staff.click(".action-assign button")
    staff.wait_for_selector("#status:has-text('已交办')")
    staff.context.clear_cookies()
    log_in(staff, "officer", city.password)
    staff.goto("/opinions/")
    assert staff.locator("#reminders").count() == 1  # the station is reminded
    staff.goto(f"/opinions/{opinion.pk}/")
    staff.click(".action-accept button")
    staff.wait_for_selector("#status:has-text('办理中')")
    staff.fill(".action-reply textarea[name=measures]", "已联系物业修复路灯，辖区民警每晚巡逻两次")
    staff.fill(".action-reply textarea[name=reply]", "您反映的路灯问题已修复，我所已加强夜间巡逻。")
    staff.click(".action-reply button")
    staff.wait_for_selector("#status:has-text('已反馈')")
    screenshot(staff, "opinion-detail-replied")

    # The citizen reads the reply through the private link and rates it.
    page.goto(private_link)
    assert "路灯问题已修复" in page.locator("#reply").inner_text()
    page.click("label:has-text('基本满意')")
    page.click("#rate button")
    page.wait_for_selector("#rated")
    assert "基本满意" in page.locator("#rated").inner_text()
    assert page.locator("#status").inner_text() == "已办结"
    screenshot(page, "public-rated")
    opinion.refresh_from_db()
    assert (opinion.status, opinion.rating, opinion.rating_channel) == (
        "closed",
        "basically_satisfied",
        "citizen_link",
    )
