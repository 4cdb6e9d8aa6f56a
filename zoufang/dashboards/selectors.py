"""The figures of the dashboards: the figure registry's values and the overview of visits by
target type and channel, from one read of the ledger's daily roll-ups (never the visits)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from zoufang.core.actors import Actor
from zoufang.figures.registry import Query
from zoufang.figures.selectors import FigureValue, values_of
from zoufang.ledger.models import Channel, TargetType
from zoufang.ledger.selectors import hidden_target_types


@dataclass(frozen=True)
class Overview:
    """Totals, and visits by target type and by channel, for a period of the user's scope."""

    totals: dict[str, int]
    by_target_type: list[dict[str, Any]]
    by_channel: list[dict[str, Any]]
    online_share: float


def _overview_of(rows: list[dict[str, Any]], hidden: frozenset[str]) -> Overview:
    """The overview from the grouped roll-ups; target types hidden from the user
    (`hidden_target_types`: their visits are not in the roll-ups the user reads) are left
    out rather than shown as 0."""
    totals: dict[str, int] = dict.fromkeys(_TOTAL_KEYS, 0)
    by_type: dict[str, int] = dict.fromkeys(TargetType.values, 0)
    by_channel: dict[str, int] = dict.fromkeys(Channel.values, 0)
    for row in rows:
        for key in _TOTAL_KEYS:
            totals[key] += row[key]
        by_type[row["target_type"]] += row["visits"]
        by_channel[row["channel"]] += row["visits"]
    visits = totals["visits"]
    online = sum(count for code, count in by_channel.items() if code in Channel.online())
    return Overview(
        totals=totals,
        by_target_type=[
            {"code": code, "label": str(TargetType(code).label), "visits": count}
            for code, count in by_type.items()
            if code not in hidden
        ],
        by_channel=[
            {"code": code, "label": str(Channel(code).label), "visits": count}
            for code, count in by_channel.items()
        ],
        online_share=online / visits if visits else 0.0,
    )


_TOTAL_KEYS = (
    "visits",
    "return_visits",
    "opinions_collected",
    "disputes_mediated",
    "hazards_found",
    "households_helped",
    "donation_cents",
)


def dashboard_figures(
    *,
    user: Actor,
    since: datetime.date | None,
    until: datetime.date | None,
    unit: Any = None,
) -> tuple[list[FigureValue], Overview]:
    """The registry's figures and the overview (visits by target type and channel) of the
    user's scope (or a unit's subtree), from one read of the roll-ups (plus the distinct
    targets, the opinions and the 便民服务 records the figures count)."""
    query = Query(user=user, since=since, until=until, unit=unit)
    return values_of(query), _overview_of(query.visit_rows(), hidden_target_types(user=user))


def leaderboard(*, phase: Any) -> dict[str, Any]:
    """The phase's ranking by unit kind (the latest published one if any, else computed and
    cached for a minute — dashboards tolerate a minute's delay, assessment pages do not)."""
    from django.core.cache import cache

    from zoufang.assessment.selectors import latest_published
    from zoufang.assessment.services import assess, contract_shape

    snapshot = latest_published(campaign_slug=phase.campaign.slug, phase_slug=phase.slug)
    if snapshot is not None:
        return {**snapshot.result, "published_version": snapshot.version}
    key = f"dashboards:leaderboard:{phase.pk}"
    result = cache.get(key)
    if result is None:
        result = {
            **contract_shape(assess(campaign=phase.campaign, phase=phase)),
            "published_version": None,
        }
        cache.set(key, result, 60)
    return result


def opinion_states(*, user: Actor) -> dict[str, int]:
    """Opinions in scope by state, and overdue."""
    from zoufang.opinions.selectors import status_counts

    return status_counts(user=user)


def assigned_units(*, leader: Any, phase: Any) -> list[Any]:
    """The units a leader answers for in the phase's campaign."""
    from zoufang.campaigns.selectors import leader_overview

    if phase is None:
        return []
    return list(leader_overview(campaign=phase.campaign, leader=leader)["units"])
