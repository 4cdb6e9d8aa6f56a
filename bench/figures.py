"""The figure registry against the visits: `python -m bench.figures --visits N --json`.

On a throwaway database (a test database of whatever DATABASE_URL names) it builds the demo
city with N visits, then times, for phase 2, the registry's figures of the city (the city
office's overview: every figure, as `figures.selectors.figure_values` reads them) and of a
county bureau (its unit lead's scope), the two distinct counts alone (places and key persons,
from the distinct-target roll-up) and the same two counted directly over the visits table.
`ratios.vs_direct` is the direct distinct counts' p95 over the roll-up's.
"""

from __future__ import annotations

import functools
from typing import Any

from bench.common import emit, parser, percentiles, setup_django, stopwatch, time_repeated


def direct_distinct(since: Any, until: Any) -> tuple[int, int]:
    """Places and key persons of the city in the phase, counted over the visits."""
    from django.db.models import Case, CharField, F, Value, When
    from django.db.models.functions import Concat, Trim

    from zoufang.ledger.models import Visit

    visits = Visit.objects.filter(visit_date__gte=since, visit_date__lte=until)
    places = (
        visits.filter(target_type__in=("enterprise", "venue"))
        .values("unit_id", "target_name")
        .distinct()
        .count()
    )
    key = Case(
        When(~Value("") == F("id_number_hash"), then=F("id_number_hash")),
        default=Concat(F("unit_id"), Value(":"), Trim("target_name")),
        output_field=CharField(),
    )
    persons = (
        visits.filter(target_type__in=("key_person", "stability_risk"))
        .annotate(person=key)
        .values("person")
        .distinct()
        .count()
    )
    return places, persons


def main() -> None:
    args_parser = parser(__doc__.splitlines()[0])
    args_parser.add_argument("--visits", type=int, default=50_000)
    args_parser.add_argument("--repeat", type=int, default=20)
    args = args_parser.parse_args()
    setup_django("config.settings.dev")

    from django.db import connection
    from django.test.utils import setup_test_environment

    from zoufang.campaigns.models import Phase
    from zoufang.demo.services import demo_build
    from zoufang.figures.selectors import figure_values
    from zoufang.ledger.models import VisitTarget
    from zoufang.ledger.selectors import distinct_targets
    from zoufang.org.models import Unit, UnitKind, User

    setup_test_environment()
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        with stopwatch() as seeded:
            demo_build(scale="medium" if args.visits > 200_000 else "small", visits=args.visits)
        phase = Phase.objects.get(slug="phase-2")
        since, until = phase.start_date, phase.end_date
        admin = User.objects.get(username="admin")
        lead = User.objects.get(username="unitadmin")
        county = Unit.objects.filter(kind=UnitKind.COUNTY_BUREAU).order_by("code").first()
        repeat = args.repeat

        def values(user: Any, unit: Any = None) -> None:
            figure_values(user=user, since=since, until=until, unit=unit)

        def distinct() -> tuple[int | None, int | None]:
            return tuple(  # type: ignore[return-value]
                distinct_targets(user=admin, since=since, until=until, target_types=types)
                for types in (("enterprise", "venue"), ("key_person", "stability_risk"))
            )

        values(admin)  # warm
        city = percentiles(time_repeated(functools.partial(values, admin), repeat=repeat))
        scoped = percentiles(time_repeated(functools.partial(values, lead, county), repeat=repeat))
        ours = percentiles(time_repeated(distinct, repeat=repeat))
        theirs = percentiles(
            time_repeated(lambda: direct_distinct(since, until), repeat=max(5, repeat // 4))
        )
        assert distinct() == direct_distinct(since, until)
        figures = {
            "visits": args.visits,
            "database": connection.vendor,
            "seed_seconds": round(seeded["seconds"], 1),
            "target_rows": VisitTarget.objects.count(),
            "target_rows_in_phase": VisitTarget.objects.between(since, until).count(),
            "city_figures_p50_ms": round(city["p50_ms"], 1),
            "city_figures_p95_ms": round(city["p95_ms"], 1),
            "county_figures_p50_ms": round(scoped["p50_ms"], 1),
            "county_figures_p95_ms": round(scoped["p95_ms"], 1),
            "distinct_p50_ms": round(ours["p50_ms"], 1),
            "distinct_p95_ms": round(ours["p95_ms"], 1),
            "direct_distinct_p50_ms": round(theirs["p50_ms"], 1),
            "direct_distinct_p95_ms": round(theirs["p95_ms"], 1),
        }
        ratios = {
            "vs_direct": round(theirs["p95_ms"] / ours["p95_ms"], 2) if ours["p95_ms"] else None
        }
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)
    emit("figures", figures, ratios, as_json=args.json)


if __name__ == "__main__":
    main()
