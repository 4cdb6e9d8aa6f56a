"""Scoring as pure functions over plain figures (docs/scoring.md has the rules and a worked
example). No database here: `figures.py` gathers the numbers, this module turns them into
points, scores, ranks and flags.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

TWO_PLACES = Decimal("0.01")


class Method(StrEnum):
    """How an indicator turns a figure into points."""

    BEST = "best"  # value ÷ the best value of the peer group × weight
    TARGET = "target"  # min(value ÷ target, 1) × weight
    LOWER_BETTER = "lower_better"  # full marks at 0, falling to 0 at the target (or worse)
    BONUS = "bonus"  # value × points per unit, up to the cap
    DEDUCTION = "deduction"  # − value × points per unit, down to − cap


class NoData(StrEnum):
    """What an indicator scores when a unit has no figure for it."""

    ZERO = "zero"
    FULL = "full"


@dataclass(frozen=True)
class Rule:
    """One indicator of a scheme, as plain data."""

    code: str
    source: str
    method: Method
    weight: Decimal
    target: Decimal | None = None
    per_unit: Decimal = Decimal("1")
    cap: Decimal | None = None
    floor: Decimal = Decimal("0")
    no_data: NoData = NoData.ZERO


@dataclass
class Points:
    """An indicator's points for one unit, and why."""

    points: Decimal
    note: str = ""


def _round(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _number(value: float | Decimal | int | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def indicator_points(
    rule: Rule, value: float | Decimal | int | None, group: Sequence[float | Decimal | int | None]
) -> Points:
    """The points a unit gets on one indicator, given its value and its peer group's values."""
    figure = _number(value)
    if rule.method == Method.DEDUCTION:
        if not figure:
            return Points(Decimal("0.00"))
        lost = figure * rule.per_unit
        if rule.cap is not None:
            lost = min(lost, rule.cap)
        return Points(_round(-lost), "deduction")
    if rule.method == Method.BONUS:
        if not figure:
            return Points(Decimal("0.00"))
        gained = figure * rule.per_unit
        return Points(_round(min(gained, rule.cap if rule.cap is not None else rule.weight)))
    if figure is None:
        full = rule.no_data == NoData.FULL
        return Points(_round(rule.weight) if full else Decimal("0.00"), "no data")
    if rule.method == Method.BEST:
        known = [n for n in (_number(v) for v in group) if n is not None]
        best = max(known, default=Decimal("0"))
        share = figure / best if best > 0 else Decimal("0")
    elif rule.method == Method.TARGET:
        target = rule.target or Decimal("1")
        share = min(figure / target, Decimal("1")) if target > 0 else Decimal("0")
    elif rule.method == Method.LOWER_BETTER:
        target = rule.target or Decimal("1")
        share = max(Decimal("1") - figure / target, Decimal("0")) if target > 0 else Decimal("0")
    else:  # pragma: no cover - every method is handled above
        raise ValueError(rule.method)
    points = max(share * rule.weight, rule.floor)
    cap = rule.cap if rule.cap is not None else rule.weight
    return Points(_round(min(points, cap)))


@dataclass
class UnitScore:
    """A unit's score: the breakdown (points per indicator) sums to it."""

    unit: str
    score: Decimal
    breakdown: dict[str, Decimal]
    notes: dict[str, str] = field(default_factory=dict)
    rank: int = 0
    flags: list[str] = field(default_factory=list)


def score_group(
    rules: Sequence[Rule], figures: Mapping[str, Mapping[str, float | Decimal | int | None]]
) -> list[UnitScore]:
    """Score every unit of a peer group; `figures[unit][source]` is the unit's figure.

    A source a unit lacks counts as no data. Returns the units ranked, best first.
    """
    results = []
    for unit, own in figures.items():
        breakdown: dict[str, Decimal] = {}
        notes: dict[str, str] = {}
        for rule in rules:
            group = [other.get(rule.source) for other in figures.values()]
            points = indicator_points(rule, own.get(rule.source), group)
            breakdown[rule.code] = points.points
            if points.note:
                notes[rule.code] = points.note
        score = sum(breakdown.values(), Decimal("0.00"))
        results.append(UnitScore(unit=unit, score=_round(score), breakdown=breakdown, notes=notes))
    return rank(results)


def rank(scores: list[UnitScore]) -> list[UnitScore]:
    """Order by score, best first; equal scores share a rank (1, 2, 2, 4)."""
    ordered = sorted(scores, key=lambda s: (-s.score, s.unit))
    previous: Decimal | None = None
    for position, item in enumerate(ordered, start=1):
        if item.score != previous:
            current = position
            previous = item.score
        item.rank = current
    return ordered


def flags_for(
    ordered: list[UnitScore],
    *,
    activity: Mapping[str, Mapping[str, int]],
    overdue: Mapping[str, int],
    bottom: int,
) -> None:
    """Add the flags to ranked units (in place).

    `zero_result` when a unit has nothing in the phase, with `zero_visits`, `zero_opinions`,
    `zero_bulletins` saying which is missing; `bottom` for the last `bottom` places of the
    group, ties included; `overdue` when the unit has overdue opinions or tasks.
    """
    # The last N places, ties included: every unit ranked at or below the N-th from the end.
    bottom_rank = ordered[-bottom].rank if bottom and len(ordered) > bottom else None
    for item in ordered:
        counts = activity.get(item.unit, {})
        missing = [name for name in ("visits", "opinions", "bulletins") if not counts.get(name)]
        if len(missing) == 3:
            item.flags.append("zero_result")
        item.flags.extend(f"zero_{name}" for name in missing)
        if bottom_rank is not None and item.rank >= bottom_rank:
            item.flags.append("bottom")
        if overdue.get(item.unit):
            item.flags.append("overdue")


@dataclass(frozen=True)
class Imbalance:
    """上冷下热: activity per officer of agencies (departments and branches) against the
    grassroots (county bureaus and stations)."""

    agencies_per_officer: float
    grassroots_per_officer: float
    ratio: float | None
    imbalanced: bool


IMBALANCE_BELOW = 0.5


def imbalance(
    *, agency_visits: int, agency_officers: int, grassroots_visits: int, grassroots_officers: int
) -> Imbalance:
    """The ratio of per-officer activity; below 0.5 the agencies are \"cold\"."""
    agencies = agency_visits / agency_officers if agency_officers else 0.0
    grassroots = grassroots_visits / grassroots_officers if grassroots_officers else 0.0
    ratio = round(agencies / grassroots, 4) if grassroots else None
    return Imbalance(
        agencies_per_officer=round(agencies, 2),
        grassroots_per_officer=round(grassroots, 2),
        ratio=ratio,
        imbalanced=ratio is not None and ratio < IMBALANCE_BELOW,
    )
