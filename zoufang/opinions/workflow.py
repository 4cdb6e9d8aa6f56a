"""The rules of the opinion loop as pure functions over plain data (docs/workflows.md).

No database here: services look the facts up and ask these functions what is allowed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from zoufang.core.workdays import WorkCalendar
from zoufang.org.models import Role

from .models import OpinionAction as A
from .models import OpinionStatus as S
from .models import Rating

RATING_WINDOW_DAYS = 7  # calendar days a citizen has to rate a reply before it closes unrated

# state → {action: next state}; `rate` goes to CLOSED or REOPENED by the rating.
TRANSITIONS: dict[str, dict[str, str]] = {
    S.REGISTERED: {A.ASSIGN: S.ASSIGNED, A.CLOSE: S.CLOSED},
    S.ASSIGNED: {A.ACCEPT: S.IN_PROGRESS, A.RETURN: S.REGISTERED, A.CLOSE: S.CLOSED},
    S.IN_PROGRESS: {A.REPLY: S.REPLIED, A.CLOSE: S.CLOSED},
    S.REPLIED: {A.RATE: S.CLOSED, A.CLOSE: S.CLOSED},
    S.REOPENED: {A.ACCEPT: S.IN_PROGRESS, A.CLOSE: S.CLOSED},
    S.CLOSED: {A.REOPEN: S.REOPENED},
}
# States in which the responsible unit owes the next step (their deadlines count against it).
UNIT_STATES = (S.ASSIGNED, S.IN_PROGRESS, S.REOPENED)
# Actions only the responsible unit takes; their deadlines count against it.
UNIT_ACTIONS = frozenset({A.ACCEPT, A.RETURN, A.REPLY})
CITY_OFFICE_ACTIONS = frozenset({A.ASSIGN, A.REOPEN, A.CLOSE})
FIELD_ROLES = frozenset({Role.UNIT_ADMIN, Role.OFFICER})
# The actions the API's transitions endpoint takes (../shared/DESIGN.md).
ACTIONS_BY_API = (A.ASSIGN, A.ACCEPT, A.RETURN, A.REPLY, A.RATE, A.REOPEN, A.CLOSE)


class TransitionRefused(Exception):
    """The action is not allowed in the opinion's state."""


def next_status(status: str, action: str, *, rating: str = "") -> str:
    """The state an action leads to, or TransitionRefused."""
    target = TRANSITIONS.get(status, {}).get(action)
    if target is None:
        raise TransitionRefused(f"{action} is not allowed in {status}")
    if action == A.RATE and rating == Rating.DISSATISFIED:
        return S.REOPENED
    return target


def allowed_actions(status: str) -> list[str]:
    """Actions the state allows, whoever asks."""
    return list(TRANSITIONS.get(status, {}))


@dataclass(frozen=True)
class Actor:
    """What the rules need to know about who acts."""

    role: str | None
    unit_id: int | None
    citizen: bool = False


def may_act(actor: Actor, action: str, *, responsible_unit_id: int | None) -> bool:
    """Whether this actor may take this action on an opinion of that responsible unit.

    Only the city office assigns, reopens and closes; only the responsible unit accepts,
    returns and replies; the citizen (private link) or an officer recording a phone 回访 rates.
    """
    if actor.citizen:
        return action == A.RATE
    if action in CITY_OFFICE_ACTIONS:
        return actor.role == Role.CITY_ADMIN
    if action in UNIT_ACTIONS:
        return (
            actor.role in FIELD_ROLES | {Role.CITY_ADMIN}
            and responsible_unit_id is not None
            and actor.unit_id == responsible_unit_id
        )
    if action == A.RATE:
        return actor.role in FIELD_ROLES
    if action in (A.MERGE, A.CATEGORISE):
        return actor.role in FIELD_ROLES | {Role.CITY_ADMIN}
    return False


@dataclass(frozen=True)
class DeadlineRule:
    """Working days allowed per step, from the opinion's category (or the defaults)."""

    accept_days: int = 1
    reply_days: int = 5
    urgent_reply_days: int = 1


def deadline_for(
    status: str,
    *,
    since: datetime.date,
    rule: DeadlineRule,
    urgent: bool,
    calendar: WorkCalendar,
    reply_by: datetime.date | None = None,
) -> datetime.date | None:
    """The deadline of a state entered on `since`: accept within 1 working day, reply within 5
    (urgent: 1), or the date the city office set; a reply waits 7 days for its rating."""
    if status in (S.ASSIGNED, S.REOPENED):
        return calendar.add_working_days(since, rule.accept_days)
    if status == S.IN_PROGRESS:
        if reply_by is not None:
            return reply_by
        return calendar.add_working_days(
            since, rule.urgent_reply_days if urgent else rule.reply_days
        )
    if status == S.REPLIED:
        return since + datetime.timedelta(days=RATING_WINDOW_DAYS)
    return None


def is_overdue(status: str, deadline: datetime.date | None, today: datetime.date) -> bool:
    """The responsible unit has missed the deadline of its current step."""
    return status in UNIT_STATES and deadline is not None and today > deadline


def due_reminder(
    status: str, deadline: datetime.date | None, today: datetime.date, calendar: WorkCalendar
) -> str | None:
    """The reminder a unit gets today: `due_soon` (a working day before), `due_today`, `overdue`."""
    if status not in UNIT_STATES or deadline is None:
        return None
    if today > deadline:
        return "overdue"
    if today == deadline:
        return "due_today"
    if calendar.add_working_days(today, 1) >= deadline:
        return "due_soon"
    return None
