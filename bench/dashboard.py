"""Dashboards against the visits table: `python -m bench.dashboard --visits N --json`.

On a throwaway database (a test database of whatever DATABASE_URL names) it builds the demo
city with N visits, then times the dashboards' JSON views (p50 and p95 over repeated requests
through Django's test client, logged in as the city office) and the same figures computed by
a direct aggregate over the visits table, in the same run. `ratios.vs_direct` is the direct
aggregate's p95 over ours. It also times a cold `assess` of the phase (all units).
"""

from __future__ import annotations

import functools
import time
from typing import Any

from bench.common import emit, parser, percentiles, setup_django, stopwatch, time_repeated


def direct_figures(since: Any, until: Any) -> None:
    """What the summary, trend and channel charts need, aggregated over the visits."""
    from django.db.models import Count, Q, Sum

    from zoufang.ledger.models import Visit

    visits = Visit.objects.filter(visit_date__gte=since, visit_date__lte=until)
    visits.aggregate(
        n=Count("id"),
        returns=Count("id", filter=Q(is_return_visit=True)),
        disputes=Sum("disputes_mediated"),
        hazards=Sum("hazards_found"),
        helped=Sum("households_helped"),
        donations=Sum("donation_amount"),
        opinions=Sum("opinions_collected"),
    )
    list(visits.values("target_type", "channel").annotate(n=Count("id")).order_by())
    list(visits.values("visit_date").annotate(n=Count("id")).order_by())


def main() -> None:
    args_parser = parser(__doc__.splitlines()[0])
    args_parser.add_argument("--visits", type=int, default=50_000)
    args_parser.add_argument("--repeat", type=int, default=30)
    args = args_parser.parse_args()
    setup_django("config.settings.dev")

    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from zoufang.assessment.services import assess
    from zoufang.campaigns.models import Phase
    from zoufang.demo.services import demo_build
    from zoufang.org.models import Unit, User

    setup_test_environment()
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        with stopwatch() as seeded:
            demo_build(scale="medium" if args.visits > 200_000 else "small", visits=args.visits)
        phase = Phase.objects.get(slug="phase-2")
        client = Client()
        client.force_login(User.objects.get(username="admin"))
        endpoints = {
            "summary": f"/dashboards/data/summary/?phase={phase.pk}",
            "trend": f"/dashboards/data/trend/?phase={phase.pk}",
            "leaderboard": f"/dashboards/data/leaderboard/?phase={phase.pk}",
        }
        timings: dict[str, dict[str, float]] = {}
        everything: list[float] = []
        for name, url in endpoints.items():
            assert client.get(url).status_code == 200  # warm (the leaderboard fills its cache)
            samples = time_repeated(functools.partial(client.get, url), repeat=args.repeat)
            timings[name] = percentiles(samples)
            everything += samples
        direct = time_repeated(
            lambda: direct_figures(phase.start_date, phase.end_date),
            repeat=max(5, args.repeat // 3),
        )
        started = time.perf_counter()
        assess(campaign=phase.campaign, phase=phase)
        assess_ms = (time.perf_counter() - started) * 1000
        ours, theirs = percentiles(everything), percentiles(direct)
        figures = {
            "visits": args.visits,
            "units": Unit.objects.count(),
            "database": connection.vendor,
            "seed_seconds": round(seeded["seconds"], 1),
            "p50_ms": round(ours["p50_ms"], 2),
            "p95_ms": round(ours["p95_ms"], 2),
            "endpoints": {k: {m: round(v, 2) for m, v in t.items()} for k, t in timings.items()},
            "direct_p50_ms": round(theirs["p50_ms"], 2),
            "direct_p95_ms": round(theirs["p95_ms"], 2),
            "assess_ms": round(assess_ms, 1),
        }
        ratios = {
            "vs_direct": round(theirs["p95_ms"] / ours["p95_ms"], 2) if ours["p95_ms"] else None
        }
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)
    emit("dashboard", figures, ratios, as_json=args.json)


if __name__ == "__main__":
    main()
