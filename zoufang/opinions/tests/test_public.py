"""The public 开门评 pages: no login, a private link, rating, a honeypot, a rate limit."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from zoufang.opinions.models import Opinion, SurveyResponse
from zoufang.opinions.services import opinion_transition

pytestmark = pytest.mark.django_db


def submit(client: Client, code: str = "JZ0101", **data: Any) -> Any:
    body = {
        "content": "派出所门口停车难，希望规划停车位",
        "submitter_name": "王先生",
        "submitter_phone": "13912345678",
    }
    body.update(data)
    return client.post(reverse("public:opinion_create", args=[code]), body)


def test_a_citizen_submits_and_follows_the_private_link(client: Client, city: Any) -> None:
    page = client.get(reverse("public:opinion_create", args=["JZ0101"]))
    assert page.status_code == 200 and "城关派出所" in page.content.decode()
    response = submit(client)
    opinion = Opinion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("public:opinion", args=[opinion.token]) + "?new=1"
    assert (opinion.source, opinion.origin_unit, opinion.status) == (
        "form",
        city.station_a,
        "registered",
    )
    assert opinion.created_by is None and opinion.submitter_phone_masked == "139****5678"
    followed = client.get(response["Location"]).content.decode()
    assert "<svg" in followed and opinion.token in followed  # the QR code and the link
    assert "13912345678" not in followed


def test_the_citizen_rates_the_reply(client: Client, city: Any) -> None:
    submit(client)
    opinion = Opinion.objects.get()
    url = reverse("public:opinion", args=[opinion.token])
    assert client.post(url, {"rating": "satisfied"}).status_code == 409  # nothing to rate yet
    opinion_transition(
        actor=city.user("city_admin"), opinion_id=opinion.pk, action="assign", unit=city.station_a
    )
    opinion_transition(actor=city.user("officer"), opinion_id=opinion.pk, action="accept")
    opinion_transition(
        actor=city.user("officer"),
        opinion_id=opinion.pk,
        action="reply",
        reply="已在门口增设20个停车位",
        measures="协调街道规划停车位",
    )
    page = client.get(url).content.decode()
    assert "已在门口增设20个停车位" in page and 'name="rating"' in page
    assert client.post(url, {"rating": "basically_satisfied", "comment": "还行"}).status_code == 302
    opinion.refresh_from_db()
    assert (opinion.status, opinion.rating, opinion.rating_channel) == (
        "closed",
        "basically_satisfied",
        "citizen_link",
    )
    event = opinion.events.get(action="rate")
    assert event.actor is None and event.actor_name == "群众"


def test_unknown_links_and_units_are_404(client: Client, city: Any) -> None:
    assert client.get(reverse("public:opinion", args=["nope"])).status_code == 404
    assert client.get(reverse("public:opinion_create", args=["NOPE"])).status_code == 404


def test_the_honeypot_keeps_nothing(client: Client, city: Any) -> None:
    response = submit(client, website="http://spam.example")
    assert response.status_code == 200 and "感谢" in response.content.decode()
    assert not Opinion.objects.exists()


def test_bad_input_is_explained(client: Client, city: Any) -> None:
    response = submit(client, content="", submitter_phone="123")
    assert response.status_code == 400
    body = response.content.decode()
    assert "这个字段是必填项" in body
    assert not Opinion.objects.exists()
    assert "联系电话格式不正确" in submit(client, submitter_phone="123").content.decode()


def test_submissions_are_rate_limited_per_address(client: Client, city: Any) -> None:
    codes = [submit(client, content=f"意见{i}").status_code for i in range(6)]
    assert codes == [302] * 5 + [429]
    assert Opinion.objects.count() == 5
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert submit(other, content="另一个地址").status_code == 302


def test_the_survey(client: Client, city: Any) -> None:
    url = reverse("public:survey", args=["JZ0101"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"security": "safe", "satisfaction": "satisfied", "visited": "1"})
    assert response.status_code == 200 and "感谢您参与调查" in response.content.decode()
    answer = SurveyResponse.objects.get()
    assert (answer.unit, answer.security, answer.satisfaction, answer.visited) == (
        city.station_a,
        "safe",
        "satisfied",
        True,
    )
    assert client.post(url, {"security": "??"}).status_code == 400
