"""The ledger list at scale: the count that stops at a limit, the target-name filter through the
gram index, and (PostgreSQL) the indexes each filter's query can use (docs/ledger-indexes.md)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from zoufang.core.actors import SYSTEM
from zoufang.ledger import querysets
from zoufang.ledger.models import Channel, TargetType, VisitSource
from zoufang.ledger.querysets import name_grams
from zoufang.ledger.selectors import VisitFilters, visit_list
from zoufang.ledger.services import visits_bulk_create
from zoufang.ledger.tests.factories import make_visit, visit_input
from zoufang.ledger.views import VisitListView

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the indexes are PostgreSQL's"
)


class TestCount:
    def test_under_the_limit_the_count_and_pages_are_exact(
        self, city: Any, login: Any, monkeypatch: Any
    ) -> None:
        monkeypatch.setattr(VisitListView, "PAGE_SIZE", 2)
        monkeypatch.setattr(VisitListView, "COUNT_LIMIT", 5)
        for _ in range(5):
            make_visit(city.officer)
        response = login("unit_admin").get(reverse("ledger:visit_list"))
        paginator = response.context["page"].paginator
        assert (paginator.count, paginator.capped, paginator.num_pages) == (5, False, 3)
        assert b'id="visit-count-limit"' not in response.content

    def test_past_the_limit_the_count_stops_and_says_so(
        self, city: Any, login: Any, monkeypatch: Any
    ) -> None:
        monkeypatch.setattr(VisitListView, "PAGE_SIZE", 2)
        monkeypatch.setattr(VisitListView, "COUNT_LIMIT", 4)
        visits = [
            make_visit(city.officer, visit_date=datetime.date(2022, 3, day)) for day in range(1, 8)
        ]
        client = login("unit_admin")
        first = client.get(reverse("ledger:visit_list"))
        paginator = first.context["page"].paginator
        assert (paginator.count, paginator.capped, paginator.num_pages) == (4, True, 2)
        header = first.content.decode().split('id="visit-count">')[1].split("</small>")[0]
        assert "4" in header and "7" not in header
        # The pages reach the newest four; asking past them gives the last of those.
        last = client.get(reverse("ledger:visit_list"), {"page": "9"})
        assert last.context["page"].number == 2
        assert [visit.pk for visit in last.context["page"]] == [visits[4].pk, visits[3].pk]
        assert b'id="visit-count-limit"' in last.content

    def test_the_count_is_one_query_that_stops_at_the_limit(
        self, city: Any, login: Any, monkeypatch: Any
    ) -> None:
        from django.test.utils import CaptureQueriesContext

        monkeypatch.setattr(VisitListView, "COUNT_LIMIT", 3)
        for _ in range(5):
            make_visit(city.officer)
        client = login("unit_admin")
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("ledger:visit_list"))
        counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
        assert len(counts) == 1
        assert "LIMIT 4" in counts[0]
        assert "ORDER BY" not in counts[0].upper()


def test_the_scope_is_a_list_of_units_not_a_subquery(city: Any) -> None:
    """With the ids the planner knows how many visits the units have (a subquery it guessed)."""
    make_visit(city.officer)
    filters = VisitFilters(unit=city.county_a)
    for role in ("officer", "unit_admin"):
        sql, params = visit_list(user=city.user(role), filters=filters).query.sql_with_params()
        assert "org_unit" not in sql.split(" WHERE ", 1)[1], sql
        assert city.station_a.pk in params


class TestTargetName:
    NAMES = ("张伟", "张伟华", "李张伟", "王芳", "江州市鑫源电子有限公司", "欧阳100%", "A_b")

    @pytest.fixture
    def names(self, city: Any) -> Any:
        for name in self.NAMES:
            make_visit(city.officer, target_name=name)

        def found(text: str) -> set[str]:
            visits = visit_list(
                user=city.user("unit_admin"), filters=VisitFilters(target_name=text)
            )
            return {visit.target_name for visit in visits}

        return found

    def test_finds_the_names_containing_the_text(self, names: Any) -> None:
        assert names("张") == {"张伟", "张伟华", "李张伟"}
        assert names("张伟") == {"张伟", "张伟华", "李张伟"}
        assert names("伟华") == {"张伟华"}
        assert names("张伟华") == {"张伟华"}
        assert names("华张") == set()
        assert names("鑫源电子") == {"江州市鑫源电子有限公司"}
        assert names("电子有限") == {"江州市鑫源电子有限公司"}
        assert names("有限电子") == set()  # every pair present, not in this order
        assert names("江州市鑫源电子有限公司") == {"江州市鑫源电子有限公司"}
        assert names("赵") == set()

    def test_like_wildcards_are_plain_characters(self, names: Any) -> None:
        assert names("100%") == {"欧阳100%"}
        assert names("0%") == {"欧阳100%"}
        assert names("%") == {"欧阳100%"}
        assert names("_") == {"A_b"}
        assert names("Ab") == set()

    def test_a_common_gram_searches_without_the_index(self, names: Any, monkeypatch: Any) -> None:
        monkeypatch.setattr(querysets, "common_grams", lambda alias: {"张": 0.5, "张伟": 0.2})
        assert names("张伟") == {"张伟", "张伟华", "李张伟"}
        assert names("张伟华") == {"张伟华"}  # 伟华 is rare: through the index

    def test_the_grams_of_a_search(self) -> None:
        assert name_grams("张") == ["张"]
        assert name_grams("张伟") == ["张伟"]
        assert name_grams("张伟华") == ["张伟", "伟华"]


# ----------------------------------------------------------------------------------------------
# PostgreSQL: the index each filter can use. The test tables are tiny, so the planner would
# scan them whatever the indexes; with sequential and plain index scans switched off it must
# answer through a bitmap of an index whose condition matches the query's, or not at all.


def count_plan(queryset: Any) -> str:
    """The plan of the list's count (as the page counts it) with only bitmap scans allowed."""
    sql, params = queryset.order_by().values("pk")[:10001].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_indexonlyscan = off")
        cursor.execute(f"EXPLAIN SELECT COUNT(*) FROM ({sql}) counted", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@postgresql_only
@pytest.mark.parametrize(
    ("filters", "index"),
    [
        ({"target_type": TargetType.JOURNALIST}, "visit_type_date_idx"),
        ({"channel": Channel.WEIBO}, "visit_channel_date_idx"),
        ({"is_return_visit": True}, "visit_return_date_idx"),
        ({"target_name": "张伟"}, "visit_name_grams_idx"),
        ({"target_name": "张"}, "visit_name_grams_idx"),
        ({"target_name": "鑫源电子"}, "visit_name_grams_idx"),
        # Any index with visit_date may serve a date range on a one-row table (the planner
        # picks among equal costs); at scale it is visit_date_id_idx (bench.scale checks).
        ({"since": datetime.date(2022, 5, 1)}, None),
    ],
)
def test_each_filter_has_its_index(city: Any, filters: dict[str, Any], index: str | None) -> None:
    # A ledger of some size, its statistics current: on a table of one row the planner may
    # pick any index that holds the column (visit_unit_date_filters_idx holds them all), and
    # which one depended on how much earlier tests had grown each index's file.
    types = [TargetType.RESIDENT, TargetType.ENTERPRISE]
    channels = [Channel.IN_PERSON, Channel.PHONE]
    visits_bulk_create(
        actor=SYSTEM,
        rows=[
            visit_input(
                city.officer,
                visit_date=datetime.date(2022, 3, 1) + datetime.timedelta(days=n % 60),
                target_type=types[n % 2],
                channel=channels[n % 2],
            )
            for n in range(400)
        ],
        source=VisitSource.SEED,
        audit="batch",
    )
    make_visit(city.officer)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE ledger_visit")
    plan = count_plan(visit_list(user=city.user("city_admin"), filters=VisitFilters(**filters)))
    if index is None:
        assert "Index Cond: (visit_date >= '2022-05-01'::date)" in plan, plan
    else:
        assert f"Bitmap Index Scan on {index}" in plan, plan
    assert "Seq Scan on ledger_visit" not in plan, plan


@postgresql_only
def test_a_station_officers_list_is_read_through_the_unit_index(city: Any) -> None:
    make_visit(city.officer)
    plan = count_plan(visit_list(user=city.user("officer")))
    assert "Bitmap Index Scan on visit_unit_date_filters_idx" in plan, plan
    assert "Seq Scan on ledger_visit" not in plan, plan


@postgresql_only
def test_the_newest_page_is_read_in_index_order(city: Any) -> None:
    make_visit(city.officer)
    sql, params = visit_list(user=city.user("city_admin"))[:50].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan Backward using visit_date_id_idx on ledger_visit" in plan, plan


@postgresql_only
def test_the_database_grams_hold_every_search_gram() -> None:
    names = ["张伟华", "江州市鑫源电子有限公司", "A_b 100%", "𠮷野家", "王"]
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute("SELECT ledger_name_grams(%s)", [name])
            grams = set(cursor.fetchone()[0])
            for start in range(len(name)):
                for end in range(start + 1, len(name) + 1):
                    assert set(name_grams(name[start:end])) <= grams, (name, start, end)
