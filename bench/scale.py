"""A big city on one PostgreSQL: `python -m bench.scale --visits 5000000 --json`.

On a throwaway PostgreSQL database (a test database of what DATABASE_URL names) it:

1. builds the demo city with N visits (`demo_build(scale="large")`: the first visits the
   ordinary way, the rest bulk-loaded) and times it: `seed_seconds` (goal: 5,000,000 visits
   in at most 300 s on this machine);
2. times the pages people wait for, through Django's test client (p50 and p95 over
   `--repeat` requests): the ledger list unfiltered, filtered by unit and month, by target
   type, by name, as the city office and as a station officer, and the dashboard JSON;
3. checks the query plans (EXPLAIN) of the ledger's list and filters: no sequential scan of
   the visits table where an index should serve (`plans_ok`, and each plan's top nodes);
4. measures whether date ranges stay fast when rows are not stored in date order (the bulk
   load writes them in random order): one month's count on the table as loaded, against the
   same on a copy clustered by date. `ratios.shuffled_vs_clustered` is the clustered time
   over the as-loaded time (1.0: order does not matter);
5. with `--partition-check`, monthly partitioning measured rather than assumed: the visits
   copied into a plain table and into one partitioned by month (same index), the load, one
   month's count and the newest page timed on both (`ratios.monthly_vs_plain_*`: plain time
   over partitioned time, above 1.0 where partitions win).
"""

from __future__ import annotations

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
    """`node type on relation` for every scan in a plan."""
    found = []
    if "Relation Name" in plan:
        found.append(f"{plan['Node Type']} on {plan['Relation Name']}")
    for child in plan.get("Plans", []):
        found += scans(child)
    return found


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
    from zoufang.ledger.models import Visit
    from zoufang.ledger.selectors import VisitFilters, visit_list
    from zoufang.org.models import Unit, User

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
            "list_name": (city, "/ledger/visits/?target_name=%E5%BC%A0%E4%BC%9F"),
            "list_station": (station, "/ledger/visits/"),
            "list_page_100": (city, "/ledger/visits/?page=100"),
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

        import datetime

        filters = {
            "unit_month": VisitFilters(
                unit=county,
                since=datetime.date(2022, 5, 1),
                until=datetime.date(2022, 5, 31),
            ),
            "month": VisitFilters(
                since=datetime.date(2022, 5, 1), until=datetime.date(2022, 5, 31)
            ),
            "key_persons": VisitFilters(target_type="key_person"),
            "newest_page": VisitFilters(),
        }
        plans: dict[str, list[str]] = {}
        plans_ok = True
        for name, visit_filters in filters.items():
            queryset = visit_list(user=admin, filters=visit_filters)[:50]
            sql, params = queryset.query.sql_with_params()
            found = scans(explain(sql, params))
            plans[name] = found
            if any(scan.startswith("Seq Scan on ledger_visit") for scan in found):
                plans_ok = False
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
            "seed_log": lines[-6:],
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
