"""Whom a notice may praise, and for what: pure rules over the published figures
(docs/scoring.md, "What the notice may say"). No database.

A unit is praised only where its own figures support each word, and never in a notice that
also criticises it (zero results, bottom ranks, overdue opinions or tasks, inspection
findings, a copied plan).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: What each reason says, in the notice's words.
REASON_TEXT = {
    "coverage": "走访覆盖面广",
    "timely": "群众意见办理及时",
    "satisfied": "群众满意度高",
}
#: Flags that keep a unit from being praised (the ranking's remarks criticise it).
BLOCKING_FLAGS = frozenset({"zero_result", "bottom", "overdue"})
TOP_RANKS = 3
MIN_RATINGS = 3  # 群众满意度高 needs at least this many ratings …
MIN_SATISFACTION = 0.9  # … of which this share 满意 or 基本满意


@dataclass(frozen=True)
class Praise:
    """A unit the notice may name under 好的做法, and the reasons its figures support."""

    unit: str  # the unit's name as the notice prints it
    kind: str
    rank: int
    reasons: tuple[str, ...]


def _per_officer(counts: Mapping[str, float]) -> float | None:
    officers = counts.get("officers", 0)
    return counts.get("visits", 0) / officers if officers else None


def reasons_for(counts: Mapping[str, float], group_median: float | None) -> tuple[str, ...]:
    """The reasons a unit's own figures (its subtree's, for the phase) support:

    - 走访覆盖面广: at least one visit, and visits per officer at or above the median of its
      unit kind;
    - 群众意见办理及时: at least one opinion accepted or replied to, no step done late and
      none overdue at the phase's end;
    - 群众满意度高: at least MIN_RATINGS ratings, MIN_SATISFACTION or more of them 满意 or
      基本满意."""
    reasons = []
    rate = _per_officer(counts)
    visited = counts.get("visits", 0) >= 1 and rate is not None
    if visited and group_median is not None and rate is not None and rate >= group_median:
        reasons.append("coverage")
    handled = counts.get("accepted", 0) + counts.get("replied", 0)
    if handled >= 1 and not counts.get("late_steps", 0) and not counts.get("overdue_now", 0):
        reasons.append("timely")
    rated = counts.get("rated", 0)
    if rated >= MIN_RATINGS and counts.get("satisfied", 0) / rated >= MIN_SATISFACTION:
        reasons.append("satisfied")
    return tuple(reasons)


def praise_for(
    groups: Sequence[Mapping[str, Any]],
    counts: Mapping[str, Mapping[str, float]],
    criticised: Iterable[str],
) -> list[Praise]:
    """The units of each ranking group the notice may praise: the first TOP_RANKS with a
    score above 0, no blocking flag, not criticised elsewhere in the notice; each with the
    reasons its own figures support (`counts` by unit code, `criticised` by name)."""
    named = set(criticised)
    praised: list[Praise] = []
    for group in groups:
        ranking: Sequence[Mapping[str, Any]] = group["ranking"]
        rates = [
            rate
            for row in ranking
            if (rate := _per_officer(counts.get(str(row["unit"]), {}))) is not None
        ]
        median = statistics.median(rates) if rates else None
        for row in ranking:
            flags = set(row.get("flags", ()))
            rank, score = int(row["rank"]), float(row["score"])
            if rank > TOP_RANKS or score <= 0 or flags & BLOCKING_FLAGS:
                continue
            if str(row["name"]) in named:
                continue
            reasons = reasons_for(counts.get(str(row["unit"]), {}), median)
            praised.append(Praise(str(row["name"]), str(group["kind"]), rank, reasons))
    return praised
