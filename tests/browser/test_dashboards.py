"""The dashboards' trend charts draw the weeks their JSON view returns (the overview and a
unit's page; a leader's page has no chart, only its table)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from zoufang.campaigns.models import Assignment
from zoufang.ledger.models import Channel
from zoufang.ledger.tests.factories import make_visit

from .conftest import screenshot
from .test_quick_entry import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]
LINE_COLOUR = "#1d3f8f"  # the first series' colour (zoufang/static/zoufang/charts.js)

# The series ECharts holds for the chart in `selector`: [[name, [values…]], …].
SERIES_JS = """selector => echarts.getInstanceByDom(document.querySelector(selector))
    .getOption().series.map(s => [s.name, s.data])"""


@pytest.fixture
def visits(city: Any, campaign: Any) -> None:
    """Phase 1 (January and February 2022): station A1 in three weeks, station B1 in one."""
    for day, channel in (
        (datetime.date(2022, 1, 4), Channel.IN_PERSON),
        (datetime.date(2022, 1, 5), Channel.PHONE),
        (datetime.date(2022, 1, 12), Channel.IN_PERSON),
        (datetime.date(2022, 2, 8), Channel.WECHAT),
    ):
        make_visit(city.officer, visit_date=day, channel=channel)
    make_visit(city.officer_b, visit_date=datetime.date(2022, 1, 12), channel=Channel.PHONE)


def open_with_trend(page: Any, path: str) -> dict[str, Any]:
    """Open a page and return the trend data its chart fetched."""
    page.wait_for_load_state("networkidle")  # the fetches of the page before are done
    with page.expect_response(lambda r: "/dashboards/data/trend/" in r.url) as response:
        page.goto(path)
    assert response.value.status == 200
    return response.value.json()


def check_trend_chart(page: Any, data: dict[str, Any], *, visits: int, online: int) -> None:
    weeks = data["weeks"]
    assert [w["visits"] for w in weeks] and sum(w["visits"] for w in weeks) == visits
    assert sum(w["online"] for w in weeks) == online
    page.wait_for_selector("#trend-chart[data-rendered=true] svg")
    series = dict(page.evaluate(SERIES_JS, "#trend-chart"))
    assert series == {
        "全部走访": [w["visits"] for w in weeks],
        "键对键": [w["online"] for w in weeks],
    }
    # The visits line is drawn: a path in the series' colour, besides the axes.
    assert page.locator(f"#trend-chart svg path[stroke='{LINE_COLOUR}']").count() >= 1
    assert page.locator("#trend-chart svg path").count() > 2


def test_the_overview_trend_chart_renders_its_weeks(page: Any, city: Any, visits: None) -> None:
    log_in(page, "leader", city.password)
    data = open_with_trend(page, "/")
    assert data["phase"] == "phase-1"
    check_trend_chart(page, data, visits=5, online=3)
    by_week = {w["week"]: w["visits"] for w in data["weeks"]}
    assert (by_week["2022-01-03"], by_week["2022-01-10"], by_week["2022-02-07"]) == (2, 2, 1)
    page.wait_for_selector("#chart-target-types-box[data-rendered=true] svg")
    page.wait_for_selector("#chart-channels-box[data-rendered=true] svg")
    screenshot(page, "dashboard-overview")


def test_a_units_trend_chart_shows_only_its_visits(page: Any, city: Any, visits: None) -> None:
    log_in(page, "leader", city.password)
    data = open_with_trend(page, "/dashboards/units/JZ0101/")
    check_trend_chart(page, data, visits=4, online=2)
    assert page.locator("#figure-cards [data-figure=visits_people] .figure").inner_text() == "4"
    flags = page.inner_text("#unit-rank")
    assert "未办理意见建议" in flags and "zero_opinions" not in flags  # words, not codes
    screenshot(page, "dashboard-unit")


def test_a_leaders_page_lists_the_units_he_answers_for(
    page: Any, city: Any, campaign: Any, visits: None
) -> None:
    Assignment.objects.create(campaign=campaign, leader=city.leader, unit=city.county_a)
    log_in(page, "leader", city.password)
    page.goto("/dashboards/leader/")
    row = page.locator("#leader-units tbody tr")
    assert row.count() == 1 and "东湖分局" in row.inner_text()
    assert page.locator("[data-chart]").count() == 0  # a table, no chart to wait for
    screenshot(page, "dashboard-leader")
