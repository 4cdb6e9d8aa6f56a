"""The figures assessment scores, per unit and phase, read from the other apps' selectors
(roll-ups, never a scan of the visits). A unit's figures include its sub-units: a county
bureau answers for its stations.

`phase_figures` returns, per unit id, a dict keyed by `Source` values (the scored figures)
plus the raw counts behind them (`visits`, `officers`, `opinions_handled`, …).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from zoufang.campaigns.models import Campaign, Phase
from zoufang.campaigns.selectors import meeting_counts, overdue_task_counts, task_figures
from zoufang.inspections.selectors import deductions_by_unit
from zoufang.ledger.selectors import rollups_by_unit
from zoufang.opinions.selectors import opinion_figures, survey_counts
from zoufang.org.models import Unit, UnitKind
from zoufang.org.scope import SYSTEM
from zoufang.org.selectors import ancestors_map, officer_counts

from .models import Source
from .selectors import service_records_within

GRASSROOTS = (UnitKind.COUNTY_BUREAU, UnitKind.STATION)
AGENCIES = (UnitKind.AGENCY_DEPT, UnitKind.POLICE_BRANCH)
COUNTS = (
    "visits", "return_visits", "online_visits", "officers", "key_person_visits",
    "hardship_visits", "enterprise_visits", "opinions_collected", "disputes_mediated",
    "hazards_found", "households_helped", "donation_cents", "assigned", "accepted",
    "accepted_on_time", "replied", "replied_on_time", "rated", "satisfied", "reopened",
    "overdue_now", "late_steps", "bulletins_submitted", "bulletins_adopted", "tasks_due",
    "tasks_done_on_time", "tasks_overdue", "deductions", "certificates_handled",
    "items_delegated", "survey_answers", "survey_safe", "survey_satisfied", "meetings",
)  # fmt: skip


def bulletin_counts_or_none(
    campaign: Campaign, since: datetime.date, until: datetime.date
) -> dict[int, dict[str, int]] | None:
    """Bulletins submitted and adopted per unit, or None while the column does not exist."""
    try:
        from zoufang.bulletins.selectors import bulletin_counts
    except ImportError:
        return None
    return bulletin_counts(campaign=campaign, since=since, until=until)


@dataclass
class PhaseFigures:
    """Per unit id: counts (own subtree) and the scored sources; which sources are missing."""

    units: dict[int, Unit]
    counts: dict[int, dict[str, Decimal]]
    sources: dict[int, dict[str, float | None]]
    missing_sources: set[str]


def _share(part: Decimal, whole: Decimal) -> float | None:
    return round(float(part / whole), 4) if whole else None


def _per(part: Decimal, officers: Decimal) -> float | None:
    return round(float(part / officers), 4) if officers else None


def _own_counts(
    campaign: Campaign, since: datetime.date, until: datetime.date, today: datetime.date
) -> tuple[dict[int, dict[str, Decimal]], set[str]]:
    """Each unit's own figures (before adding sub-units)."""
    own: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for unit_id, row in rollups_by_unit(since=since, until=until).items():
        target = own[unit_id]
        for key in (
            "visits",
            "return_visits",
            "online_visits",
            "opinions_collected",
            "disputes_mediated",
            "hazards_found",
            "households_helped",
            "donation_cents",
        ):
            target[key] += row.get(key, 0)
        target["key_person_visits"] += row.get("type:key_person", 0) + row.get(
            "type:stability_risk", 0
        )
        target["hardship_visits"] += row.get("type:hardship_household", 0) + row.get(
            "type:vulnerable", 0
        )
        target["enterprise_visits"] += row.get("type:enterprise", 0) + row.get("type:venue", 0)
    for unit_id, n in officer_counts().items():
        own[unit_id]["officers"] += n
    as_of = min(today, until)
    for unit_id, f in opinion_figures(since=since, until=until, today=as_of).items():
        for key in (
            "assigned",
            "accepted",
            "accepted_on_time",
            "replied",
            "replied_on_time",
            "rated",
            "satisfied",
            "reopened",
            "overdue_now",
            "late_steps",
        ):
            own[unit_id][key] += getattr(f, key)
    missing: set[str] = set()
    bulletins = bulletin_counts_or_none(campaign, since, until)
    if bulletins is None:
        missing.add(Source.BULLETINS_ADOPTED)
    else:
        for unit_id, row in bulletins.items():
            own[unit_id]["bulletins_submitted"] += row.get("submitted", 0)
            own[unit_id]["bulletins_adopted"] += row.get("adopted", 0)
    for unit_id, row in task_figures(campaign=campaign, since=since, until=until).items():
        own[unit_id]["tasks_due"] += row["due"]
        own[unit_id]["tasks_done_on_time"] += row["done_on_time"]
    for unit_id, n in overdue_task_counts(campaign=campaign, as_of=as_of).items():
        own[unit_id]["tasks_overdue"] += n
    for unit_id, points in deductions_by_unit(since=since, until=until).items():
        own[unit_id]["deductions"] += points
    # The registry's `certificates`: records whose period lies within the phase.
    for row in (
        service_records_within(user=SYSTEM, since=since, until=until)
        .values("unit_id")
        .annotate(certificates=Sum("certificates_handled"), items=Sum("items_delegated"))
        .order_by()
    ):
        own[row["unit_id"]]["certificates_handled"] += row["certificates"] or 0
        own[row["unit_id"]]["items_delegated"] += row["items"] or 0
    for unit_id, row in survey_counts(since=since, until=until).items():
        own[unit_id]["survey_answers"] += row["answers"]
        own[unit_id]["survey_safe"] += row["safe"]
        own[unit_id]["survey_satisfied"] += row["satisfied"]
    for unit_id, n in meeting_counts(campaign=campaign, since=since, until=until).items():
        own[unit_id]["meetings"] += n
    return own, missing


def _subtree_totals(
    own: dict[int, dict[str, Decimal]], ancestors: dict[int, list[int]]
) -> dict[int, dict[str, Decimal]]:
    """Each unit's figures plus those of every unit below it."""
    totals: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for unit_id, row in own.items():
        for ancestor in ancestors.get(unit_id, [unit_id]):
            target = totals[ancestor]
            for key, value in row.items():
                target[key] += value
    return totals


def sources_of(
    counts: dict[str, Decimal], *, headcount: int, bulletins_known: bool
) -> dict[str, float | None]:
    """The scored figures of one unit from its counts (None: no data)."""
    c = defaultdict(Decimal, counts)
    officers = c["officers"] or Decimal(headcount)
    return {
        Source.VISITS_PER_OFFICER: _per(c["visits"], officers),
        Source.KEY_PERSON_VISITS: _per(c["key_person_visits"], officers),
        Source.HARDSHIP_VISITS: _per(c["hardship_visits"], officers),
        Source.ENTERPRISE_VISITS: _per(c["enterprise_visits"], officers),
        Source.ONLINE_SHARE: _share(c["online_visits"], c["visits"]),
        Source.RETURN_VISIT_RATE: _share(c["return_visits"], c["visits"]),
        Source.TIMELY_ACCEPTANCE: _share(c["accepted_on_time"], c["accepted"]),
        Source.ON_TIME_COMPLETION: _share(c["replied_on_time"], c["replied"]),
        Source.REPLY_RATE: _share(min(c["replied"], c["assigned"]), c["assigned"]),
        Source.SATISFACTION: _share(c["satisfied"], c["rated"]),
        Source.REOPEN_RATE: _share(c["reopened"], c["rated"]),
        Source.RATING_RATE: _share(c["rated"], c["replied"]),
        Source.OVERDUE_OPINIONS: float(c["overdue_now"] + c["late_steps"]),
        Source.BULLETINS_ADOPTED: float(c["bulletins_adopted"]) if bulletins_known else None,
        Source.TASKS_ON_TIME: _share(c["tasks_done_on_time"], c["tasks_due"]),
        Source.INSPECTION_DEDUCTIONS: float(c["deductions"]),
        Source.SERVICES_HANDLED: float(c["certificates_handled"]),
        Source.SURVEY_SATISFACTION: _share(c["survey_satisfied"], c["survey_answers"]),
        Source.SURVEY_SECURITY: _share(c["survey_safe"], c["survey_answers"]),
        Source.MEETINGS: float(c["meetings"]),
    }


def phase_figures(
    *, campaign: Campaign, phase: Phase, today: datetime.date | None = None
) -> PhaseFigures:
    """Every active unit's figures for a phase (a few grouped queries, whatever the size)."""
    today = today or timezone.localdate()
    units = {u.pk: u for u in Unit.objects.active()}
    own, missing = _own_counts(campaign, phase.start_date, phase.end_date, today)
    totals = _subtree_totals(own, ancestors_map())
    bulletins_known = Source.BULLETINS_ADOPTED not in missing
    counts = {pk: {k: Decimal(totals[pk].get(k, 0)) for k in COUNTS} for pk in units}
    sources = {
        pk: sources_of(counts[pk], headcount=unit.headcount, bulletins_known=bulletins_known)
        for pk, unit in units.items()
    }
    return PhaseFigures(units=units, counts=counts, sources=sources, missing_sources=missing)


def activity_figures(*, phase: Phase) -> PhaseFigures:
    """Only the visits and officers of every active unit (subtree) in a phase: what
    `kind_totals` needs for the 上冷下热 trend over earlier phases (two grouped queries,
    where `phase_figures` reads every source)."""
    units = {u.pk: u for u in Unit.objects.active()}
    own: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for unit_id, row in rollups_by_unit(since=phase.start_date, until=phase.end_date).items():
        own[unit_id]["visits"] += row.get("visits", 0)
    for unit_id, n in officer_counts().items():
        own[unit_id]["officers"] += n
    totals = _subtree_totals(own, ancestors_map())
    counts = {
        pk: {k: Decimal(totals[pk].get(k, 0)) for k in ("visits", "officers")} for pk in units
    }
    return PhaseFigures(units=units, counts=counts, sources={}, missing_sources=set())


def kind_totals(figures: PhaseFigures, kinds: Iterable[str]) -> dict[str, Decimal]:
    """Visits and officers of the units of some kinds, each counted once (own, not subtree)."""
    kinds = set(kinds)
    children: dict[int, list[int]] = defaultdict(list)
    for unit in figures.units.values():
        if unit.kind in kinds and unit.parent_id is not None:
            children[unit.parent_id].append(unit.pk)
    # A county bureau's subtree holds its stations: count the bureau's own part only.
    totals = {"visits": Decimal(0), "officers": Decimal(0)}
    for pk, unit in figures.units.items():
        if unit.kind not in kinds:
            continue
        for key in totals:
            below = sum(figures.counts[child][key] for child in children[pk])
            totals[key] += figures.counts[pk][key] - below
    return totals


def as_jsonable(figures: PhaseFigures) -> dict[str, Any]:
    """The figures per unit code, for the published snapshot."""
    return {
        unit.code: {
            "counts": {k: float(v) for k, v in figures.counts[pk].items() if v},
            "sources": figures.sources[pk],
        }
        for pk, unit in figures.units.items()
    }
