"""A big city on one PostgreSQL: `python -m bench.scale --visits 5000000 --json`.

On a throwaway PostgreSQL database (a test database of what DATABASE_URL names) it:

1. builds the demo city with N visits (`demo_build(scale="large")`: the first visits the
   ordinary way, the rest bulk-loaded) and times it: `seed_seconds` (goal: 5,000,000 visits
   in at most 300 s on this machine);
2. times the pages people wait for, through Django's test client (p50 and p95 over
   `--repeat` requests): the ledger list unfiltered, filtered by unit and month, by target
   type, channel, return visits, officer and name, its 100th and last reachable page (the
   list counts to `VisitListView.COUNT_LIMIT`), as the city office and as a station officer,
   and the dashboard JSON;
3. checks the query plans (EXPLAIN) of the ledger list's page and of its capped count, for
   each filter and for a station officer: no sequential scan of the visits table where an
   index should serve (`plans_ok`, and each plan's scans; docs/ledger-indexes.md);
4. measures whether date ranges stay fast when rows are not stored in date order (the first
   visits, written the ordinary way, are in random order; the bulk load writes the rest in
   date order, as a ledger kept day by day grows): one month's count on the table as loaded,
   against the same on a copy clustered by date. `ratios.shuffled_vs_clustered` is the
   clustered time over the as-loaded time (1.0: order does not matter);
5. with `--partition-check`, monthly partitioning measured rather than assumed: the visits
   copied into a plain table and into one partitioned by month (same index), the load, one
   month's count and the newest page timed on both (`ratios.monthly_vs_plain_*`: plain time
   over partitioned time, above 1.0 where partitions win).
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import json
import time
from typing import Any

from bench.common import emit, parser, percentiles, setup_django, stopwatch, time_repeated


def explain(sql: str, params: Any) -> dict[str, Any]:
    """The plan of a query (JSON format), not run."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        raw = cursor.fetchone()[0]
    plan = raw if isinstance(raw, list) else json.loads(raw)
    return plan[0]["Plan"]


def scans(plan: dict[str, Any]) -> list[str]:
    """`node type [using index] on relation [filtered]` for every scan in a plan (`filtered`:
    the scan reads rows to throw some away)."""
    found = []
    if "Relation Name" in plan or "Index Name" in plan:
        using = f" using {plan['Index Name']}" if "Index Name" in plan else ""
        relation = f" on {plan['Relation Name']}" if "Relation Name" in plan else ""
        filtered = " filtered" if "Filter" in plan else ""
        found.append(f"{plan['Node Type']}{using}{relation}{filtered}")
    for child in plan.get("Plans", []):
        found += scans(child)
    return found


def scan_ok(scan: str) -> bool:
    """No sequential scan of the visits that filters them: an index should find those rows.
    (The count of the unfiltered list reads its first COUNT_LIMIT + 1 rows in any order, and
    a sequential scan that stops there is the cheapest way.)"""
    return not (scan.startswith("Seq Scan on ledger_visit") and scan.endswith(" filtered"))


def plan_check(
    *, admin: Any, officer: Any, county: Any, named: Any, name: str
) -> tuple[bool, dict[str, list[str]]]:
    """The scans of the ledger list's page and capped count for each filter, as the city office
    (`admin`) and as a station officer; False when a filter's rows are found by a sequential
    scan. `named`: an officer on some visits; `name`: a target name on some visits."""
    from zoufang.ledger.selectors import VisitFilters, visit_list
    from zoufang.ledger.views import VisitListView

    may = VisitFilters(since=datetime.date(2022, 5, 1), until=datetime.date(2022, 5, 31))
    cases = {
        "unit_month": (admin, dataclasses.replace(may, unit=county)),
        "month": (admin, may),
        "key_persons": (admin, VisitFilters(target_type="key_person")),
        "channel": (admin, VisitFilters(channel="weibo")),
        "return_month": (admin, dataclasses.replace(may, is_return_visit=True)),
        "officer": (admin, VisitFilters(officer=named)),
        "name": (admin, VisitFilters(target_name=name)),
        "newest_page": (admin, VisitFilters()),
        "station": (officer, VisitFilters()),
        "station_key_persons": (officer, VisitFilters(target_type="key_person")),
    }
    plans: dict[str, list[str]] = {}
    ok = True
    for case, (user, visit_filters) in cases.items():
        queryset = visit_list(user=user, filters=visit_filters)
        # The page, and the count as VisitListView's paginator runs it.
        counted = queryset.order_by().values("pk")[: VisitListView.COUNT_LIMIT + 1]
        count_sql, count_params = counted.query.sql_with_params()
        for part, (sql, params) in {
            "page": queryset[:50].query.sql_with_params(),
            "count": (f"SELECT COUNT(*) FROM ({count_sql}) counted", count_params),
        }.items():
            found = scans(explain(sql, params))
            plans[f"{case}_{part}"] = found
            ok = ok and all(scan_ok(scan) for scan in found)
    return ok, plans


def month_count_ms(table: str, repeat: int) -> float:
    """Median milliseconds of counting one month's visits and summing a column."""
    from django.db import connection

    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*), SUM(hazards_found) FROM {table} "
                "WHERE visit_date BETWEEN '2022-05-01' AND '2022-05-31'"
            )
            cursor.fetchone()

    run()
    samples = sorted(time_repeated(run, repeat=repeat))
    return samples[len(samples) // 2]


def newest_page_ms(table: str, repeat: int) -> float:
    """Median milliseconds of the ledger's first page: the newest 50 visits."""
    from django.db import connection

    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, visit_date, unit_id, target_name FROM {table} "
                "ORDER BY visit_date DESC, id DESC LIMIT 50"
            )
            cursor.fetchall()

    run()
    samples = sorted(time_repeated(run, repeat=repeat))
    return samples[len(samples) // 2]


def partition_check(repeat: int) -> dict[str, float]:
    """Monthly partitioning measured, not assumed: copy the visits into a plain table and
    into one partitioned by month (same index), timing the load and the two queries."""
    from django.db import connection

    figures: dict[str, float] = {}
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute("CREATE TABLE bench_plain (LIKE ledger_visit INCLUDING DEFAULTS)")
        cursor.execute("INSERT INTO bench_plain SELECT * FROM ledger_visit")
        cursor.execute("CREATE INDEX ON bench_plain (visit_date, id)")
        cursor.execute("ANALYZE bench_plain")
        figures["plain_load_s"] = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute(
            "CREATE TABLE bench_monthly (LIKE ledger_visit INCLUDING DEFAULTS) "
            "PARTITION BY RANGE (visit_date)"
        )
        for month in range(1, 13):
            following = "2023-01-01" if month == 12 else f"2022-{month + 1:02d}-01"
            cursor.execute(
                f"CREATE TABLE bench_monthly_{month:02d} PARTITION OF bench_monthly "
                f"FOR VALUES FROM ('2022-{month:02d}-01') TO ('{following}')"
            )
        cursor.execute("INSERT INTO bench_monthly SELECT * FROM ledger_visit")
        cursor.execute("CREATE INDEX ON bench_monthly (visit_date, id)")
        cursor.execute("ANALYZE bench_monthly")
        figures["monthly_load_s"] = time.perf_counter() - started
    for table in ("bench_plain", "bench_monthly"):
        figures[f"{table}_month_ms"] = month_count_ms(table, repeat)
        figures[f"{table}_newest_ms"] = newest_page_ms(table, repeat)
    return {key: round(value, 2) for key, value in figures.items()}


def main() -> None:
    args_parser = parser(__doc__.splitlines()[0])
    args_parser.add_argument("--visits", type=int, default=1_000_000)
    args_parser.add_argument("--repeat", type=int, default=15)
    args_parser.add_argument(
        "--no-order-check", action="store_true", help="skip the clustered copy (saves time)"
    )
    args_parser.add_argument(
        "--partition-check", action="store_true", help="compare a monthly partitioned copy"
    )
    args = args_parser.parse_args()
    setup_django("config.settings.dev")

    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from zoufang.campaigns.models import Phase
    from zoufang.demo.services import demo_build
    from zoufang.ledger.models import Visit, VisitOfficer
    from zoufang.ledger.views import VisitListView
    from zoufang.org.models import Officer, Unit, User

    if connection.vendor != "postgresql":
        raise SystemExit("bench.scale needs PostgreSQL: set DATABASE_URL")
    setup_test_environment()
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        lines: list[str] = []
        with stopwatch() as seeded:
            demo_build(scale="large", visits=args.visits, progress=lines.append)
        visits = Visit.objects.count()
        admin = User.objects.get(username="admin")
        officer = User.objects.get(username="officer")
        county = Unit.objects.get(code="JZ01")
        phase = Phase.objects.get(slug="phase-2")
        # An officer named on visits, and a name that is on some visits.
        visiting = Officer.objects.get(
            pk=VisitOfficer.objects.order_by("id").values_list("officer_id", flat=True)[0]
        )
        some_name = Visit.objects.order_by("id").values_list("target_name", flat=True)[:1][0]
        last_page = VisitListView.COUNT_LIMIT // VisitListView.PAGE_SIZE
        city, station = Client(), Client()
        city.force_login(admin)
        station.force_login(officer)
        pages = {
            "list": (city, "/ledger/visits/"),
            "list_unit_month": (
                city,
                "/ledger/visits/?unit=JZ01&since=2022-05-01&until=2022-05-31",
            ),
            "list_key_persons": (city, "/ledger/visits/?target_type=key_person"),
            "list_channel": (city, "/ledger/visits/?channel=weibo"),
            "list_return": (city, "/ledger/visits/?is_return_visit=1"),
            "list_officer": (city, f"/ledger/visits/?officer={visiting.badge_no}"),
            "list_name": (city, "/ledger/visits/?target_name=%E5%BC%A0%E4%BC%9F"),
            "list_name_company": (city, "/ledger/visits/?target_name=%E6%9C%89%E9%99%90"),
            "list_station": (station, "/ledger/visits/"),
            "list_station_key_persons": (station, "/ledger/visits/?target_type=key_person"),
            "list_page_100": (city, "/ledger/visits/?page=100"),
            f"list_page_{last_page}": (city, f"/ledger/visits/?page={last_page}"),
            "dashboard_summary": (city, f"/dashboards/data/summary/?phase={phase.pk}"),
            "dashboard_trend": (city, f"/dashboards/data/trend/?phase={phase.pk}"),
            "dashboard_leaderboard": (city, f"/dashboards/data/leaderboard/?phase={phase.pk}"),
        }
        timings: dict[str, dict[str, float]] = {}
        for name, (client, url) in pages.items():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            samples = time_repeated(functools.partial(client.get, url), repeat=args.repeat)
            timings[name] = {k: round(v, 1) for k, v in percentiles(samples).items()}

        plans_ok, plans = plan_check(
            admin=admin, officer=officer, county=county, named=visiting, name=some_name
        )
        order: dict[str, float] = {}
        if not args.no_order_check:
            order["as_loaded_ms"] = month_count_ms("ledger_visit", args.repeat)
            with connection.cursor() as cursor:
                cursor.execute(
                    "CREATE TABLE bench_clustered AS SELECT * FROM ledger_visit ORDER BY visit_date"
                )
                cursor.execute("CREATE INDEX ON bench_clustered (visit_date, id)")
                cursor.execute("ANALYZE bench_clustered")
            order["clustered_ms"] = month_count_ms("bench_clustered", args.repeat)
        partitions = partition_check(args.repeat) if args.partition_check else {}
        figures: dict[str, Any] = {
            "visits": visits,
            "database": connection.vendor,
            "seed_seconds": round(seeded["seconds"], 1),
            "seed_visits_per_second": round(visits / seeded["seconds"]),
            "pages": timings,
            "worst_p95_ms": max(t["p95_ms"] for t in timings.values()),
            "plans_ok": plans_ok,
            "plans": plans,
            **{f"month_count_{k}": round(v, 2) for k, v in order.items()},
            # The bulk load's phases, each with its seconds, and the last lines of the seed.
            "seed_log": [line for line in lines if line.endswith(" s)")] + lines[-3:],
            **{f"partition_{k}": v for k, v in partitions.items()},
        }
        ratios: dict[str, Any] = {}
        if order:
            ratios["shuffled_vs_clustered"] = round(
                order["clustered_ms"] / order["as_loaded_ms"], 2
            )
        started = time.perf_counter()
        Visit.objects.filter(visit_date__year=2022).count()
        figures["count_all_ms"] = round((time.perf_counter() - started) * 1000, 1)
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)
    emit("scale", figures, ratios, as_json=args.json)


if __name__ == "__main__":
    main()
