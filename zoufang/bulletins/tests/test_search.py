"""Chinese full-text search: the bigram tokens, and queries against the database (run the
suite with DATABASE_URL=postgres:///… to check PostgreSQL too)."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from zoufang.bulletins import search
from zoufang.bulletins.models import Bulletin
from zoufang.bulletins.selectors import ColumnFilters, column_list
from zoufang.bulletins.services import bulletin_update

TZ = ZoneInfo("Asia/Shanghai")


def test_tokens_are_cjk_bigrams_and_words() -> None:
    assert search.tokens("走访企业") == ["走访", "访企", "企业"]
    assert search.tokens("国家反诈中心APP，下载１２００人") == [
        "国家",
        "家反",
        "反诈",
        "诈中",
        "中心",
        "app",
        "下载",
        "1200",
        "人",
    ]
    assert search.token_text("反诈。宣传") == " 反诈 宣传 "  # runs break at punctuation
    assert search.token_text("，。！") == ""


def test_query_terms() -> None:
    query = search.parse_query("电信诈骗，ＡＰＰ 警")
    assert query.terms == (" 电信 ", " 信诈 ", " 诈骗 ", " app", "警")
    assert query.phrases == ("电信诈骗",)
    assert search.parse_query("，。？ ").empty


@pytest.mark.parametrize(
    ("query", "stored", "found"),
    [
        ("反诈", " 开展 展反 反诈 诈宣 宣传 ", True),
        ("反诈宣传", " 反诈 宣传 ", False),  # 诈宣 missing: the text had punctuation between
        ("反诈，宣传", " 反诈 宣传 ", True),  # the query's punctuation splits it the same way
        ("app", " 下载 app ", True),
        ("ap", " 下载 app ", True),  # words match by their start
        ("pp", " 下载 app ", False),
        ("诈", " 反诈 ", True),  # a single character matches inside a token
    ],
)
def test_matching_rule(query: str, stored: str, found: bool) -> None:
    assert search.matches(search.parse_query(query), stored) is found


@pytest.fixture
def column(publish: Any, write: Any, city: Any) -> dict[str, Any]:
    """Published bulletins with known text, oldest first; one draft that must never show."""
    items = {
        "fanzha": publish(
            "东湖分局开展反诈宣传进社区活动",
            body="民警向群众讲解电信网络诈骗的常见手法，发放宣传资料。",
            unit=city.county_a,
            actor=city.user("unit_admin"),
        ),
        "qiye": publish(
            "城关派出所走访辖区企业",
            body="所领导带队走访企业30家，宣传防范电信诈骗知识，帮助企业排查隐患。",
        ),
        "kentan": publish(
            "西岭分局召开警民恳谈会",
            body="邀请人大代表、政协委员和群众代表参加，听取意见建议12条。",
            unit=city.county_b,
            actor=city.user("city_admin"),
        ),
        "tishi": publish(
            "电信诈骗防范提示",
            body="请广大群众提高警惕，不轻信陌生来电。",
            unit=city.county_a,
            actor=city.user("unit_admin"),
        ),
        "app": publish(
            "推广国家反诈中心APP",
            body="指导群众下载安装国家反诈中心App，累计安装1200余人。",
        ),
    }
    for days, bulletin in enumerate(items.values()):
        Bulletin.objects.filter(pk=bulletin.pk).update(
            published_at=datetime.datetime(2022, 3, 1 + days, 10, tzinfo=TZ)
        )
    write("反诈宣传草稿", body="电信诈骗 走访企业 恳谈会 APP")  # a draft matches everything
    return items


def found(q: str) -> list[int]:
    return [b.pk for b in column_list(filters=ColumnFilters(q=q))]


@pytest.mark.django_db
def test_chinese_queries(column: dict[str, Any]) -> None:
    c = {name: b.pk for name, b in column.items()}
    assert set(found("反诈")) == {c["fanzha"], c["app"]}
    # 电信网络诈骗 (fanzha) lacks the bigram 信诈; the title match ranks first.
    assert found("电信诈骗") == [c["tishi"], c["qiye"]]
    assert found("走访企业") == [c["qiye"]]
    assert found("恳谈会") == [c["kentan"]]  # only in the title
    assert found("反诈，ＡＰＰ！") == [c["app"]]  # punctuation, full-width and mixed ASCII
    assert found("app") == [c["app"]]
    assert found("1200") == [c["app"]]
    assert set(found("诈")) == {c["fanzha"], c["qiye"], c["tishi"], c["app"]}
    assert found("，。") == []
    assert found("交通安全") == []


@pytest.mark.django_db
def test_a_title_match_ranks_above_a_newer_body_match(publish: Any) -> None:
    in_title = publish("开展反诈宣传", body="组织民警进社区。")
    in_body = publish("走访辖区商户", body="民警开展反诈宣传，发放资料。")
    Bulletin.objects.filter(pk=in_title.pk).update(
        published_at=datetime.datetime(2022, 1, 1, tzinfo=TZ)
    )
    Bulletin.objects.filter(pk=in_body.pk).update(
        published_at=datetime.datetime(2022, 6, 1, tzinfo=TZ)
    )
    assert found("反诈宣传") == [in_title.pk, in_body.pk]
    assert found("民警") == [in_body.pk, in_title.pk]  # equal rank: the newest first


@pytest.mark.django_db
def test_search_follows_edits(city: Any, write: Any) -> None:
    bulletin = write("走访困难群众", submit=False)
    bulletin_update(
        actor=city.user("officer"),
        bulletin_id=bulletin.pk,
        kind="news",
        title="帮扶困难群众",
        body="为困难群众送去米面油。",
    )
    bulletin.refresh_from_db()
    assert " 帮扶 " in bulletin.search_title
    assert " 米面 " in bulletin.search_text
    assert " 走访 " not in bulletin.search_text


@pytest.mark.django_db
def test_search_on_the_page_and_filters(column: dict[str, Any], login: Any, city: Any) -> None:
    client = login("leader")
    response = client.get(reverse("bulletins:bulletin_list"), {"q": "反诈"})
    assert {b.pk for b in response.context["page"]} == {column["fanzha"].pk, column["app"].pk}
    assert 'id="search-summary"' in response.content.decode()
    by_unit = client.get(reverse("bulletins:bulletin_list"), {"q": "反诈", "unit": "JZ0101"})
    assert [b.pk for b in by_unit.context["page"]] == [column["app"].pk]
    subtree = client.get(reverse("bulletins:bulletin_list"), {"q": "反诈", "unit": "JZ01"})
    assert len(subtree.context["page"]) == 2  # a county includes its stations
    by_kind = client.get(reverse("bulletins:bulletin_list"), {"q": "反诈", "kind": "news"})
    assert list(by_kind.context["page"]) == []


@pytest.mark.django_db
def test_postgresql_gets_a_trigram_index_when_it_can() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone() is None:
            pytest.skip("pg_trgm is not installed on this server")
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s", ["bulletin_search_trgm_idx"]
        )
        row = cursor.fetchone()
    assert row is not None and "gin_trgm_ops" in row[0]
