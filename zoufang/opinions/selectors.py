"""Reads of opinions shared by pages, the API, dashboards and assessment."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from zoufang.core.actors import Actor
from zoufang.core.days import on_days
from zoufang.org.models import Unit
from zoufang.org.permissions import officer_of

from .models import (
    Category,
    Opinion,
    OpinionAction,
    OpinionEvent,
    OpinionStatus,
    Rating,
    Reminder,
    SurveyResponse,
)
from .textmatch import SIMILARITY_THRESHOLD, bigrams, dice

SIMILAR_CANDIDATES = 2000


@dataclass(frozen=True)
class OpinionFilters:
    """The opinion list's filters; every field is optional."""

    status: str = ""
    overdue: bool | None = None
    unit: Unit | None = None
    category: Category | None = None
    source: str = ""
    text: str = ""


def opinion_list(*, user: Actor, filters: OpinionFilters | None = None) -> QuerySet[Opinion]:
    """Opinions the user may see, filtered, newest first, with units and category loaded."""
    filters = filters or OpinionFilters()
    opinions = Opinion.objects.visible_to(user)
    if filters.status:
        opinions = opinions.filter(status=filters.status)
    if filters.overdue is True:
        opinions = opinions.overdue()
    elif filters.overdue is False:
        opinions = opinions.exclude(pk__in=Opinion.objects.overdue().values("pk"))
    if filters.unit is not None:
        subtree = Unit.objects.subtree(filters.unit).values("pk")
        opinions = opinions.filter(Q(unit__in=subtree) | Q(origin_unit__in=subtree))
    if filters.category is not None:
        opinions = opinions.filter(category=filters.category)
    if filters.source:
        opinions = opinions.filter(source=filters.source)
    if filters.text:
        opinions = opinions.filter(content__contains=filters.text)
    return opinions.select_related("unit", "origin_unit", "category").order_by("-created_at", "-id")


def opinion_get(*, user: Actor, pk: int) -> Opinion:
    """One opinion the user may see (Opinion.DoesNotExist otherwise → 404)."""
    return opinion_list(user=user).select_related("visit", "merged_into").get(pk=pk)


def opinion_by_token(token: str) -> Opinion:
    """The opinion behind a citizen's private link (Opinion.DoesNotExist otherwise)."""
    return Opinion.objects.select_related("unit", "origin_unit", "category").get(token=token)


def opinion_history(*, opinion: Opinion) -> QuerySet[OpinionEvent]:
    """The opinion's events, oldest first."""
    return opinion.events.select_related("unit").order_by("at", "id")


def similar_opinions(
    *, user: Actor, text: str, limit: int = 5, exclude: int | None = None
) -> list[tuple[Opinion, float]]:
    """Open, unmerged opinions in the user's scope whose text resembles `text` (best first)."""
    target = bigrams(text)
    if not target:
        return []
    candidates = (
        Opinion.objects.visible_to(user)
        .open()
        .filter(merged_into__isnull=True)
        .exclude(pk=exclude)
        .select_related("unit", "origin_unit")
        .order_by("-created_at")[:SIMILAR_CANDIDATES]
    )
    scored = [(o, dice(target, bigrams(o.content))) for o in candidates]
    scored = [(o, s) for o, s in scored if s >= SIMILARITY_THRESHOLD]
    return sorted(scored, key=lambda item: -item[1])[:limit]


def reminders_for(*, user: Actor, limit: int = 20) -> QuerySet[Reminder]:
    """Open reminders for the user's own unit, newest first."""
    officer = officer_of(user)
    if officer is None:
        return Reminder.objects.none()
    return (
        Reminder.objects.filter(unit=officer.unit, done=False)
        .select_related("opinion")
        .order_by("-created_at")[:limit]
    )


def category_choices() -> QuerySet[Category]:
    """Active categories in order."""
    return Category.objects.filter(is_active=True).order_by("sort_order", "code")


# --- figures for assessment -------------------------------------------------------------


@dataclass
class OpinionFigures:
    """A unit's handling of opinions in a period (docs/workflows.md gives the definitions)."""

    assigned: int = 0
    accepted: int = 0
    accepted_on_time: int = 0
    replied: int = 0
    replied_on_time: int = 0
    rated: int = 0
    satisfied: int = 0
    reopened: int = 0
    overdue_now: int = 0
    late_steps: int = 0

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    @property
    def timely_acceptance_rate(self) -> float | None:
        """及时签收率: accepted by the deadline / accepted."""
        return self._share(self.accepted_on_time, self.accepted)

    @property
    def on_time_completion_rate(self) -> float | None:
        """按时办结率: replied by the deadline / replied."""
        return self._share(self.replied_on_time, self.replied)

    @property
    def reply_rate(self) -> float | None:
        """反馈率: replied / assigned."""
        return self._share(min(self.replied, self.assigned), self.assigned)

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率: rated 满意 or 基本满意 / rated."""
        return self._share(self.satisfied, self.rated)

    @property
    def reopen_rate(self) -> float | None:
        """重办率: reopened / rated."""
        return self._share(self.reopened, self.rated)

    @property
    def rating_rate(self) -> float | None:
        """评议率: rated / replied."""
        return self._share(self.rated, self.replied)

    @property
    def overdue(self) -> int:
        """Overdue count: steps done late in the period plus opinions overdue now."""
        return self.late_steps + self.overdue_now

    def as_dict(self) -> dict[str, Any]:
        """Counts and rates, for JSON and snapshots."""
        return {
            **{name: getattr(self, name) for name in self.__dataclass_fields__},
            "timely_acceptance_rate": self.timely_acceptance_rate,
            "on_time_completion_rate": self.on_time_completion_rate,
            "reply_rate": self.reply_rate,
            "satisfaction_rate": self.satisfaction_rate,
            "reopen_rate": self.reopen_rate,
            "rating_rate": self.rating_rate,
            "overdue": self.overdue,
        }


def opinion_figures(
    *, since: datetime.date, until: datetime.date, today: datetime.date | None = None
) -> dict[int, OpinionFigures]:
    """Per responsible unit (by id): the loop's figures for events between two days."""
    today = today or timezone.localdate()
    events = OpinionEvent.objects.filter(on_days("at", since, until), unit__isnull=False)
    figures: dict[int, OpinionFigures] = defaultdict(OpinionFigures)
    rows = events.values("unit_id", "action", "on_time", "data__rating").annotate(n=Count("id"))
    for row in rows:
        f = figures[row["unit_id"]]
        action, n, on_time = row["action"], row["n"], row["on_time"]
        if action == OpinionAction.ASSIGN:
            f.assigned += n
        elif action == OpinionAction.ACCEPT:
            f.accepted += n
            f.accepted_on_time += n if on_time else 0
            f.late_steps += n if on_time is False else 0
        elif action == OpinionAction.REPLY:
            f.replied += n
            f.replied_on_time += n if on_time else 0
            f.late_steps += n if on_time is False else 0
        elif action == OpinionAction.RATE:
            f.rated += n
            if row["data__rating"] in (Rating.SATISFIED, Rating.BASICALLY_SATISFIED):
                f.satisfied += n
            elif row["data__rating"] == Rating.DISSATISFIED:
                f.reopened += n
        elif action == OpinionAction.REOPEN:
            f.reopened += n
    overdue = (
        Opinion.objects.citywide().overdue(today).values("unit_id").annotate(n=Count("id"))
        if since <= today
        else []
    )
    for row in overdue:
        figures[row["unit_id"]].overdue_now += row["n"]
    return dict(figures)


def overdue_by_unit_name(*, as_of: datetime.date) -> Counter[str]:
    """Opinions overdue on a day, per responsible unit's name (every unit: for the stage
    notice)."""
    return Counter(
        Opinion.objects.citywide()
        .overdue(as_of)
        .exclude(unit__isnull=True)
        .values_list("unit__name", flat=True)
    )


def status_counts(*, user: Actor) -> dict[str, int]:
    """Opinions in the user's scope by state, and how many are overdue."""
    visible = Opinion.objects.visible_to(user)
    counts = dict(visible.values_list("status").annotate(n=Count("id")).order_by())
    result = {status: counts.get(status, 0) for status in OpinionStatus.values}
    result["overdue"] = visible.overdue().count()
    return result


def survey_counts(
    *, since: datetime.date | None, until: datetime.date | None
) -> dict[int, dict[str, int]]:
    """City-wide, per unit: answers, answers feeling safe, answers satisfied (for assessment)."""
    return {
        unit_id: {"answers": row["answers"], "safe": row["safe"], "satisfied": row["satisfied"]}
        for unit_id, row in _survey_rows(
            SurveyResponse.objects.citywide().between(since, until)
        ).items()
    }


def _survey_rows(responses: QuerySet[SurveyResponse]) -> dict[int, dict[str, int]]:
    rows = (
        responses.values("unit_id")
        .annotate(
            answers=Count("id"),
            safe=Count("id", filter=Q(security__in=("very_safe", "safe", "fairly_safe"))),
            satisfied=Count("id", filter=Q(satisfaction__in=("satisfied", "basically_satisfied"))),
        )
        .order_by()
    )
    return {row["unit_id"]: row for row in rows}


def survey_results(
    *, user: Actor, since: datetime.date | None, until: datetime.date | None
) -> dict[int, dict[str, Any]]:
    """Per unit: answers, share feeling safe (very safe/safe/fairly safe) and share satisfied."""
    rows = (
        SurveyResponse.objects.visible_to(user)
        .between(since, until)
        .values("unit_id")
        .annotate(
            answers=Count("id"),
            safe=Count("id", filter=Q(security__in=("very_safe", "safe", "fairly_safe"))),
            satisfied=Count("id", filter=Q(satisfaction__in=("satisfied", "basically_satisfied"))),
        )
    )
    return {
        row["unit_id"]: {
            "answers": row["answers"],
            "security_rate": round(row["safe"] / row["answers"], 4),
            "satisfaction_rate": round(row["satisfied"] / row["answers"], 4),
        }
        for row in rows
    }


# --- for the figure registry (zoufang.figures) ------------------------------------------------


def opinions_collected(
    *,
    user: Actor,
    since: datetime.date | None,
    until: datetime.date | None,
    unit: Unit | None = None,
    closed: bool = False,
) -> QuerySet[Opinion]:
    """The opinions registered between two days that units of the user's scope (or of the
    unit's subtree) collected, whatever their source (a visit's opinions are registered when
    the visit is recorded); with `closed`, only those of them closed by the end of `until`
    and closed still. Newest first (the index on collecting unit and time serves it)."""
    from zoufang.org.scope import user_scope

    opinions = Opinion.objects.visible_to(user).filter(on_days("created_at", since, until))
    if unit is not None:
        opinions = opinions.filter(origin_unit__in=Unit.objects.subtree(unit).values("pk"))
    else:
        scope = user_scope(user)
        if not scope.everything:
            units = scope.units.values("pk") if scope.units is not None else []
            opinions = opinions.filter(origin_unit__in=units)
    if closed:
        opinions = opinions.filter(status=OpinionStatus.CLOSED).filter(
            on_days("closed_at", None, until)
        )
    return opinions.select_related("unit", "origin_unit", "category").order_by("-created_at", "-id")
