"""The figures of the dashboards, read from the ledger's daily roll-ups: one grouped read of
the roll-ups gives every visit figure of a page or a JSON view."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from zoufang.core.actors import Actor
from zoufang.ledger.models import Channel, TargetType
from zoufang.ledger.selectors import hidden_target_types, visit_totals


@dataclass(frozen=True)
class Overview:
    """Totals, and visits by target type and by channel, for a period of the user's scope."""

    totals: dict[str, int]
    by_target_type: list[dict[str, Any]]
    by_channel: list[dict[str, Any]]
    online_share: float


def _rollup_rows(
    *, user: Actor, since: datetime.date | None, until: datetime.date | None, unit: Any = None
) -> list[dict[str, Any]]:
    """The roll-ups of the scope (and a unit's subtree) summed by target type and channel:
    one read that every figure of the overview and the summary comes from."""
    return visit_totals(
        user=user, since=since, until=until, group_by=("target_type", "channel"), unit=unit
    )


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


def overview(*, user: Actor, since: datetime.date | None, until: datetime.date | None) -> Overview:
    """The overview of the user's scope between two days (one roll-up query)."""
    rows = _rollup_rows(user=user, since=since, until=until)
    return _overview_of(rows, hidden_target_types(user=user))


_TOTAL_KEYS = (
    "visits",
    "return_visits",
    "opinions_collected",
    "disputes_mediated",
    "hazards_found",
    "households_helped",
    "donation_cents",
)


def stats_summary(
    *, user: Actor, since: datetime.date | None, until: datetime.date | None, unit: Any = None
) -> dict[str, Any]:
    """The figures a stage notice states, for the user's scope (and a unit's subtree):
    people visited (回访 included), enterprises and venues, key persons, hardship households
    helped, donations (万元), disputes mediated, hazards found, opinions collected and closed,
    certificates handled. A figure of target types the user may not see is None."""
    return dashboard_figures(user=user, since=since, until=until, unit=unit)[0]


def dashboard_figures(
    *, user: Actor, since: datetime.date | None, until: datetime.date | None, unit: Any = None
) -> tuple[dict[str, Any], Overview]:
    """`stats_summary` and `overview` together, from one read of the roll-ups (plus the
    opinion and 便民服务 counts)."""
    from zoufang.assessment.selectors import service_totals
    from zoufang.opinions.selectors import opinion_counts

    hidden = hidden_target_types(user=user)
    board = _overview_of(_rollup_rows(user=user, since=since, until=until, unit=unit), hidden)
    total = board.totals
    by_type = {row["code"]: row["visits"] for row in board.by_target_type}
    opinions = opinion_counts(user=user, since=since, until=until, unit=unit)
    services = service_totals(user=user, since=since, until=until, unit=unit)

    def visits_of(*types: str) -> int | None:
        """Visits of these types; None (not shown) when the user may not see them."""
        if hidden.intersection(types):
            return None
        return sum(by_type[t] for t in types)

    summary = {
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
        "visits": total["visits"],
        "return_visits": total["return_visits"],
        "enterprises_and_venues": visits_of(TargetType.ENTERPRISE, TargetType.VENUE),
        "key_persons": visits_of(TargetType.KEY_PERSON, TargetType.STABILITY_RISK),
        "hardship_households_visited": visits_of(TargetType.HARDSHIP_HOUSEHOLD),
        "households_helped": total["households_helped"],
        "donations_wan_yuan": round(total["donation_cents"] / 1_000_000, 1),
        "donations_yuan": round(total["donation_cents"] / 100, 2),
        "disputes_mediated": total["disputes_mediated"],
        "hazards_found": total["hazards_found"],
        "opinions_collected": total["opinions_collected"] + opinions["registered_other_sources"],
        "opinions_closed": opinions["closed"],
        "certificates_handled": services["certificates_handled"],
        "items_delegated": services["items_delegated"],
    }
    return summary, board


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
