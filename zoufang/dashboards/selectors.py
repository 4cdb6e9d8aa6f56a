"""The figures of the overview dashboard, read from the ledger's daily roll-ups."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from zoufang.ledger.models import Channel, TargetType
from zoufang.ledger.selectors import visit_totals


@dataclass(frozen=True)
class Overview:
    """Totals, and visits by target type and by channel, for a period of the user's scope."""

    totals: dict[str, int]
    by_target_type: list[dict[str, Any]]
    by_channel: list[dict[str, Any]]
    online_share: float


def overview(*, user: Any, since: datetime.date | None, until: datetime.date | None) -> Overview:
    """The overview of the user's scope between two days (two roll-up queries)."""
    rows = visit_totals(user=user, since=since, until=until, group_by=("target_type", "channel"))
    totals: dict[str, int] = {}
    by_type: dict[str, int] = dict.fromkeys(TargetType.values, 0)
    by_channel: dict[str, int] = dict.fromkeys(Channel.values, 0)
    for row in rows:
        for key, value in row.items():
            if key not in ("target_type", "channel"):
                totals[key] = totals.get(key, 0) + value
        by_type[row["target_type"]] += row["visits"]
        by_channel[row["channel"]] += row["visits"]
    visits = totals.get("visits", 0)
    online = sum(count for code, count in by_channel.items() if code in Channel.online())
    return Overview(
        totals={key: totals.get(key, 0) for key in _TOTAL_KEYS},
        by_target_type=[
            {"code": code, "label": str(TargetType(code).label), "visits": count}
            for code, count in by_type.items()
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
