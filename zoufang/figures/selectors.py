"""Reads of the figure registry: the values of figures for a scope and period, the records
behind one, the periods of a phase — what pages, the API, the notice and commands call."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from zoufang.campaigns.models import Phase
from zoufang.core.actors import Actor
from zoufang.org.models import Unit, UnitKind

from .registry import FIGURES, REGISTRY, Figure, Number, Period, Query, Records


@dataclass(frozen=True)
class FigureValue:
    """One figure's value for a scope and period (None: the user may not see it)."""

    figure: Figure
    value: Number | None

    @property
    def code(self) -> str:
        return self.figure.code

    def as_json(self) -> dict[str, Any]:
        """`{"label", "value", "unit"}` as `zoufang figures --json` prints it."""
        value: Any = self.value
        if isinstance(value, Decimal):
            value = float(value)
        return {
            "label": str(self.figure.label),
            "value": value,
            "unit": str(self.figure.measure.label),
        }


def figure_values(
    *,
    user: Actor,
    since: datetime.date | None,
    until: datetime.date | None,
    unit: Unit | None = None,
    codes: Iterable[str] | None = None,
) -> list[FigureValue]:
    """The figures (all, or those named, in the registry's order) of the user's scope, or of
    the unit's subtree within it, between two days; sources are read once for them all."""
    return values_of(Query(user=user, since=since, until=until, unit=unit), codes)


def values_of(query: Query, codes: Iterable[str] | None = None) -> list[FigureValue]:
    """The figures of a query (one whose source reads a page shares with other parts)."""
    wanted = set(codes) if codes is not None else None
    return [
        FigureValue(figure, figure.value(query))
        for figure in FIGURES
        if wanted is None or figure.code in wanted
    ]


def figure_records(
    *,
    user: Actor,
    code: str,
    since: datetime.date | None,
    until: datetime.date | None,
    unit: Unit | None = None,
) -> Records:
    """The records behind one figure, as the user may see them (KeyError: no such figure)."""
    return REGISTRY[code].records(Query(user=user, since=since, until=until, unit=unit))


def phase_period(phase: Phase, *, cumulative: bool = False) -> tuple[datetime.date, datetime.date]:
    """The days of a phase, or with `cumulative` from the campaign's first day to the
    phase's last (累计)."""
    since = phase.campaign.start_date if cumulative else phase.start_date
    return since, phase.end_date


def period_of(figure: Figure, phase: Phase) -> tuple[datetime.date, datetime.date]:
    """The days a figure is stated for in a phase: the phase, or 累计 for cumulative ones."""
    return phase_period(phase, cumulative=figure.period == Period.CUMULATIVE)


def city_unit() -> Unit | None:
    """The root of the unit tree (the city bureau): the city's figures are its subtree's."""
    return (
        Unit.objects.filter(parent__isnull=True, kind=UnitKind.CITY_OFFICE).order_by("pk").first()
        or Unit.objects.filter(parent__isnull=True).order_by("pk").first()
    )


#: Where an assessment's source figures keep the city's registry figures (beside unit codes).
CITY_KEY = "@city"


def city_figures(phase: Phase) -> dict[str, Any]:
    """The city's figures of a phase and 累计 as a published snapshot keeps them:
    `{"unit", "phase": {"from", "to", "values": {code: value}}, "cumulative": {...}}`."""
    from zoufang.org.scope import SYSTEM

    unit = city_unit()
    result: dict[str, Any] = {"unit": unit.code if unit else None}
    for key, cumulative in ((Period.PHASE, False), (Period.CUMULATIVE, True)):
        since, until = phase_period(phase, cumulative=cumulative)
        values = figure_values(user=SYSTEM, since=since, until=until, unit=unit)
        result[str(key)] = {
            "from": since.isoformat(),
            "to": until.isoformat(),
            "values": {v.code: v.as_json()["value"] for v in values},
        }
    return result


def figures_json(
    values: list[FigureValue],
    *,
    unit: Unit | None,
    since: datetime.date | None,
    until: datetime.date | None,
) -> dict[str, Any]:
    """The shape `zoufang figures --json` prints (DESIGN.md) and the API answers."""
    return {
        "unit": unit.code if unit is not None else None,
        "period": {
            "from": since.isoformat() if since else None,
            "to": until.isoformat() if until else None,
        },
        "figures": {value.code: value.as_json() for value in values},
    }
