"""The figure registry (指标): one definition of every figure Zoufang states.

A figure is one entry of `FIGURES`: its code, Chinese label, counting unit (人次, 家, 人, …),
the period a notice states it for (the phase, or 累计 since the campaign began), its
definition in one sentence, the query behind its value and the query for the records
behind it — its drill-down, whose count (or sum) equals the value for every role, because
both read the same selector with the same scope. Dashboards, the assessment, the notice,
the API and the reports read values through `figures.selectors`; nothing else counts on its
own. docs/scoring.md lists every figure; the 指标说明 page (`/figures/`) shows them.

The queries read other apps through their selectors (the ledger's roll-ups, the opinions);
a source whose app reads this registry itself (the 便民服务 records live in the assessment
app) is registered by that app under a name (`register_source`), so imports point one way.
A `Query` keeps each source read once, so a page's figures share one read of the roll-ups.

Adding a figure is one `Figure(...)` below (plus its selector in the app that owns the
data, and its label and definition in the catalog).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from django.db import models
from django.db.models import QuerySet, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zoufang.core.actors import Actor
from zoufang.ledger.models import TargetType
from zoufang.ledger.selectors import (
    distinct_target_list,
    distinct_targets,
    hidden_target_types,
    visible_visit_rows,
    visits_behind,
)
from zoufang.opinions.selectors import opinions_collected
from zoufang.org.models import Unit

Number = int | Decimal
Label = str | Promise


class Measure(models.TextChoices):
    """What a figure counts in (计量单位)."""

    PERSON_TIMES = "person_times", pgettext_lazy("counting unit", "person-times")  # 人次
    PLACES = "places", pgettext_lazy("counting unit", "places")  # 家
    PERSONS = "persons", pgettext_lazy("counting unit", "persons")  # 人
    HOUSEHOLDS = "households", pgettext_lazy("counting unit", "households")  # 户
    CASES = "cases", pgettext_lazy("counting unit", "cases")  # 起
    SPOTS = "spots", pgettext_lazy("counting unit", "spots")  # 处
    ITEMS = "items", pgettext_lazy("counting unit", "items")  # 条
    PIECES = "pieces", pgettext_lazy("counting unit", "pieces")  # 件
    TEN_THOUSAND_YUAN = "wan_yuan", pgettext_lazy("counting unit", "10,000 yuan")  # 万元
    PERCENT = "percent", pgettext_lazy("counting unit", "percent")  # %


class Period(models.TextChoices):
    """The period a figure is stated for."""

    PHASE = "phase", pgettext_lazy("figure period", "this phase")  # 本阶段
    CUMULATIVE = "cumulative", pgettext_lazy("figure period", "cumulative")  # 累计


class RecordKind(StrEnum):
    """What the records behind a figure are, so a page knows how to list them."""

    VISITS = "visits"
    TARGETS = "targets"  # distinct places or persons (the distinct-target roll-up's rows)
    OPINIONS = "opinions"
    SERVICE_RECORDS = "service_records"


# Target types by what they are (DESIGN.md's vocabulary).
PLACE_TYPES = (TargetType.ENTERPRISE.value, TargetType.VENUE.value)
PEOPLE_TYPES = tuple(code for code in TargetType.values if code not in PLACE_TYPES)
KEY_PERSON_TYPES = (TargetType.KEY_PERSON.value, TargetType.STABILITY_RISK.value)
ALL_TYPES = tuple(TargetType.values)


# -- Sources registered by apps that read the registry themselves -----------------------------

Source = Callable[..., QuerySet[Any]]
_sources: dict[str, Source] = {}


def register_source(name: str, source: Source) -> None:
    """Let an app that reads this registry provide a source of records: a function of
    (user, since, until, unit) returning the queryset of the records in scope."""
    _sources[name] = source


# -- A query: who asks, for which units and days ------------------------------------------------


@dataclass
class Query:
    """The figures of the user's scope (or of `unit`'s subtree within it) between two days,
    both included (either may be open). Source reads are kept for the query's life."""

    user: Actor
    since: datetime.date | None
    until: datetime.date | None
    unit: Unit | None = None
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    def visit_rows(self) -> list[dict[str, Any]]:
        """The visits the user may see, summed per target type and channel (one read of the
        roll-ups: `visible_visit_rows`)."""
        if "visit_rows" not in self._memo:
            self._memo["visit_rows"] = visible_visit_rows(
                user=self.user, since=self.since, until=self.until, unit=self.unit
            )
        result: list[dict[str, Any]] = self._memo["visit_rows"]
        return result

    def visit_sums(self) -> dict[str, dict[str, int]]:
        """`visit_rows` summed per target type."""
        if "visit_sums" not in self._memo:
            sums: dict[str, dict[str, int]] = {}
            for row in self.visit_rows():
                target = sums.setdefault(row["target_type"], {})
                for key, value in row.items():
                    if key not in ("target_type", "channel"):
                        target[key] = target.get(key, 0) + value
            self._memo["visit_sums"] = sums
        result: dict[str, dict[str, int]] = self._memo["visit_sums"]
        return result

    def source(self, name: str) -> QuerySet[Any]:
        """The records of a registered source in this query's scope and days."""
        return _sources[name](user=self.user, since=self.since, until=self.until, unit=self.unit)

    def hides(self, target_types: tuple[str, ...]) -> bool:
        """Whether the user may not see the visits of some of these types."""
        return bool(hidden_target_types(user=self.user).intersection(target_types))


# -- The records behind a figure --------------------------------------------------------------


@dataclass(frozen=True)
class Records:
    """The records a figure counts: their kind, the rows the user sees, and how the figure
    comes from them (their count, or the sum of `summed`, converted by `convert`)."""

    kind: RecordKind
    rows: QuerySet[Any]
    summed: str = ""
    convert: Callable[[Any], Number] | None = None
    target_types: tuple[str, ...] = ()
    hidden: Label = ""  # why the user may not see them; `rows` is then empty

    def total(self) -> Number | None:
        """The figure as the records give it (None when the user may not see them)."""
        if self.hidden:
            return None
        raw: Any = (
            self.rows.aggregate(total=Sum(self.summed))["total"] or 0
            if self.summed
            else self.rows.count()
        )
        return self.convert(raw) if self.convert else raw


SENSITIVE_HIDDEN = _(
    "You are not cleared to see visits to key persons and stability-risk persons: this "
    "figure and its records are not shown to you."
)


# -- The figure ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One figure: what it is, how it is counted, and where its records are."""

    code: str
    label: Label
    measure: Measure
    period: Period
    definition: Label
    value: Callable[[Query], Number | None]
    records: Callable[[Query], Records]


def _visit_sum(types: tuple[str, ...], key: str) -> Callable[[Query], Number | None]:
    """A sum over the visits of these types (`visits`: their number)."""

    def value(query: Query) -> Number | None:
        if query.hides(types) and set(types) <= set(KEY_PERSON_TYPES):
            return None
        sums = query.visit_sums()
        return sum(sums.get(code, {}).get(key, 0) for code in types)

    return value


def _visit_records(
    types: tuple[str, ...], *, return_visits: bool = False, counter: str = ""
) -> Callable[[Query], Records]:
    """The visits behind a visit figure; for a counter, those with it above 0, summed."""

    def records(query: Query) -> Records:
        rows = visits_behind(
            user=query.user,
            since=query.since,
            until=query.until,
            unit=query.unit,
            target_types=types,
            return_visits=return_visits,
            counter=counter,
        )
        return Records(RecordKind.VISITS, rows, summed=counter, target_types=types)

    return records


def _wan(yuan: Any) -> Decimal:
    """Yuan as 万元, to two decimals (half up)."""
    return (Decimal(yuan) / 10000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _donations(query: Query) -> Number:
    cents = sum(row.get("donation_cents", 0) for row in query.visit_sums().values())
    return _wan(Decimal(cents) / 100)


def _donation_records(query: Query) -> Records:
    records = _visit_records(ALL_TYPES, counter="donation_amount")(query)
    return Records(RecordKind.VISITS, records.rows, summed="donation_amount", convert=_wan)


def _distinct(types: tuple[str, ...]) -> Callable[[Query], Number | None]:
    def value(query: Query) -> Number | None:
        return distinct_targets(
            user=query.user,
            since=query.since,
            until=query.until,
            target_types=types,
            unit=query.unit,
        )

    return value


def _target_records(types: tuple[str, ...]) -> Callable[[Query], Records]:
    def records(query: Query) -> Records:
        rows = distinct_target_list(
            user=query.user,
            since=query.since,
            until=query.until,
            target_types=types,
            unit=query.unit,
        )
        hidden = SENSITIVE_HIDDEN if query.hides(types) else ""
        return Records(RecordKind.TARGETS, rows, target_types=types, hidden=hidden)

    return records


def _opinion_records(*, closed: bool) -> Callable[[Query], Records]:
    def records(query: Query) -> Records:
        rows = opinions_collected(
            user=query.user, since=query.since, until=query.until, unit=query.unit, closed=closed
        )
        return Records(RecordKind.OPINIONS, rows)

    return records


def _opinion_count(*, closed: bool) -> Callable[[Query], Number | None]:
    def value(query: Query) -> Number | None:
        return _opinion_records(closed=closed)(query).rows.count()

    return value


def _certificate_records(query: Query) -> Records:
    rows = query.source("service_records")
    return Records(RecordKind.SERVICE_RECORDS, rows, summed="certificates_handled")


def _certificates(query: Query) -> Number | None:
    return _certificate_records(query).total()


FIGURES: tuple[Figure, ...] = (
    Figure(
        code="visits_people",
        label=pgettext_lazy("figure", "Visits to people"),
        measure=Measure.PERSON_TIMES,
        period=Period.PHASE,
        definition=_(
            "Visits in the period to people — every target type but enterprises and venues — "
            "counted once per visit, return visits included."
        ),
        value=_visit_sum(PEOPLE_TYPES, "visits"),
        records=_visit_records(PEOPLE_TYPES),
    ),
    Figure(
        code="return_visits",
        label=pgettext_lazy("figure", "Return visits to people"),
        measure=Measure.PERSON_TIMES,
        period=Period.PHASE,
        definition=_(
            "Of the visits to people in the period, those marked as return visits (回访); "
            "they are part of the visits to people."
        ),
        value=_visit_sum(PEOPLE_TYPES, "return_visits"),
        records=_visit_records(PEOPLE_TYPES, return_visits=True),
    ),
    Figure(
        code="places_visited",
        label=pgettext_lazy("figure", "Enterprises and venues visited"),
        measure=Measure.PLACES,
        period=Period.PHASE,
        definition=_(
            "Distinct enterprises, institutions and venues visited in the period: one place "
            "is one name within one unit, however often it was visited."
        ),
        value=_distinct(PLACE_TYPES),
        records=_target_records(PLACE_TYPES),
    ),
    Figure(
        code="key_persons",
        label=pgettext_lazy("figure", "Key persons visited"),
        measure=Measure.PERSONS,
        period=Period.PHASE,
        definition=_(
            "Distinct key persons and stability-risk persons visited in the period: one "
            "person per ID number (by its keyed hash, whichever unit visited), or per name "
            "within a unit where no ID number was recorded."
        ),
        value=_distinct(KEY_PERSON_TYPES),
        records=_target_records(KEY_PERSON_TYPES),
    ),
    Figure(
        code="hardship_households",
        label=pgettext_lazy("figure", "Hardship households helped"),
        measure=Measure.HOUSEHOLDS,
        period=Period.PHASE,
        definition=_(
            "The households helped (帮扶户数) recorded on the visits of the period, summed: a "
            "household helped on two visits counts twice."
        ),
        value=_visit_sum(ALL_TYPES, "households_helped"),
        records=_visit_records(ALL_TYPES, counter="households_helped"),
    ),
    Figure(
        code="donations_wan",
        label=pgettext_lazy("figure", "Donations in money and kind"),
        measure=Measure.TEN_THOUSAND_YUAN,
        period=Period.PHASE,
        definition=_(
            "The donations in money and kind recorded on the visits of the period, summed, "
            "in 10,000 yuan to two decimals."
        ),
        value=_donations,
        records=_donation_records,
    ),
    Figure(
        code="disputes",
        label=pgettext_lazy("figure", "Disputes mediated"),
        measure=Measure.CASES,
        period=Period.PHASE,
        definition=_("The disputes mediated recorded on the visits of the period, summed."),
        value=_visit_sum(ALL_TYPES, "disputes_mediated"),
        records=_visit_records(ALL_TYPES, counter="disputes_mediated"),
    ),
    Figure(
        code="hazards",
        label=pgettext_lazy("figure", "Safety hazards found"),
        measure=Measure.SPOTS,
        period=Period.PHASE,
        definition=_("The safety hazards found recorded on the visits of the period, summed."),
        value=_visit_sum(ALL_TYPES, "hazards_found"),
        records=_visit_records(ALL_TYPES, counter="hazards_found"),
    ),
    Figure(
        code="opinions_collected",
        label=pgettext_lazy("figure", "Opinions collected"),
        measure=Measure.ITEMS,
        period=Period.PHASE,
        definition=_(
            "Opinions and suggestions the units collected and registered in the period, from "
            "visits, the public form, online, meetings or the hotline (a ledger typed in later "
            "registers its opinions on the day it is recorded)."
        ),
        value=_opinion_count(closed=False),
        records=_opinion_records(closed=False),
    ),
    Figure(
        code="opinions_closed",
        label=pgettext_lazy("figure", "Opinions closed"),
        measure=Measure.ITEMS,
        period=Period.PHASE,
        definition=_(
            "Of the opinions collected in the period, those closed by the period's last day "
            "and still closed (the same basis as the opinions collected)."
        ),
        value=_opinion_count(closed=True),
        records=_opinion_records(closed=True),
    ),
    Figure(
        code="certificates",
        label=pgettext_lazy("figure", "Certificates handled"),
        measure=Measure.PIECES,
        period=Period.PHASE,
        definition=_(
            "Certificates handled for household registration, exit and entry, and vehicles "
            "and drivers, from the 便民服务 records whose period lies within the period (a "
            "record spanning the period's first or last day counts only in a period that "
            "holds it whole)."
        ),
        value=_certificates,
        records=_certificate_records,
    ),
)

REGISTRY: dict[str, Figure] = {figure.code: figure for figure in FIGURES}
