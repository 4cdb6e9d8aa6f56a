"""The demo city's opinions, moved through the loop with 2022 dates.

Opinions written on visits are registered by the ledger's bulk write (the opinions app's
hook); this module adds public-form opinions and then plays each opinion's history forward
with the loop's own rules (`opinions.workflow`: next state and deadline), writing the
events and final states in bulk. It also fills the satisfaction survey.
"""

from __future__ import annotations

import datetime
import random
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from zoufang.core.workdays import work_calendar
from zoufang.opinions import workflow
from zoufang.opinions.models import (
    CloseReason,
    Opinion,
    OpinionAction,
    OpinionEvent,
    OpinionSource,
    OpinionStatus,
    Rating,
    RatingChannel,
    SecurityFeeling,
    SurveyResponse,
)
from zoufang.org.models import Officer, Role, Unit, UnitKind, User

from . import vocabulary as words

TZ = ZoneInfo("Asia/Shanghai")
LAST_DAY = datetime.date(2022, 12, 31)
REPLIES = (
    ("已安排民警加强巡逻，并协调相关部门整改。", "增加夜间巡逻频次，联系社区和物业落实整改。"),
    ("您反映的问题已转交相关部门办理，已于近日整改完毕。", "与相关部门联合整治，建立长效机制。"),
    ("已调整窗口工作时间，周末上午开放办理。", "优化窗口排班，开通网上预约。"),
    ("已在路口增设监控和提示标志。", "联系交警部门调整信号配时，增设警示标志。"),
    ("感谢您的建议，我们已开展专题宣传。", "在社区开展防诈骗宣传三场，发放宣传资料。"),
)


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return datetime.datetime(
        day.year, day.month, day.day, rng.randrange(8, 18), rng.randrange(60), tzinfo=TZ
    )


def add_form_opinions(rng: random.Random, units: list[Unit], count: int) -> int:
    """Opinions citizens left on the public pages (开门评表单)."""
    stations = [u for u in units if u.kind == UnitKind.STATION]
    created = []
    for _ in range(count):
        unit = rng.choice(stations)
        created.append(
            Opinion(
                origin_unit=unit,
                content=rng.choice(words.OPINIONS),
                source=OpinionSource.FORM,
                token=f"demo{rng.getrandbits(128):032x}",
                created_at=_moment(
                    datetime.date(2022, 1, 1) + datetime.timedelta(days=rng.randrange(360)), rng
                ),
            )
        )
    Opinion.objects.bulk_create(created, batch_size=1000)
    OpinionEvent.objects.bulk_create(
        [
            OpinionEvent(
                opinion=o,
                action=OpinionAction.REGISTER,
                to_status=OpinionStatus.REGISTERED,
                actor_name="群众",
                at=o.created_at,
            )
            for o in created
        ],
        batch_size=1000,
    )
    return len(created)


def play_loop(rng: random.Random) -> int:
    """Move every registered demo opinion along the loop; returns how many events were written."""
    calendar = work_calendar()
    city_admin = Officer.objects.filter(role=Role.CITY_ADMIN).select_related("user").first()
    assigner = city_admin.user if city_admin else None
    parents: dict[int, int | None] = dict(Unit.objects.values_list("pk", "parent_id"))
    handlers: dict[int, Any] = {}
    for officer in Officer.objects.filter(role=Role.UNIT_ADMIN).select_related("user"):
        handlers.setdefault(officer.unit_id, officer.user)
    opinions = list(
        Opinion.objects.filter(status=OpinionStatus.REGISTERED, merged_into__isnull=True)
        .select_related("visit")
        .order_by("pk")
    )
    events: list[OpinionEvent] = []
    for opinion in opinions:
        start = opinion.visit.visit_date if opinion.visit else opinion.created_at.date()
        opinion.created_at = _moment(start, rng)
        _play_one(opinion, rng, calendar, assigner, handlers, parents, events)
    with transaction.atomic():
        Opinion.objects.bulk_update(
            opinions,
            [
                "created_at",
                "unit",
                "status",
                "status_since",
                "deadline",
                "reply",
                "measures",
                "replied_at",
                "rating",
                "rating_channel",
                "rated_at",
                "close_reason",
                "closed_at",
                "reopen_count",
            ],
            batch_size=1000,
        )
        OpinionEvent.objects.bulk_create(events, batch_size=2000)
    _fix_register_times(opinions)
    return len(events)


def _fix_register_times(opinions: list[Opinion]) -> None:
    """Registration events happen when the opinion was registered (its visit's day)."""
    by_opinion = {o.pk: o.created_at for o in opinions}
    registered = list(
        OpinionEvent.objects.filter(opinion_id__in=by_opinion, action=OpinionAction.REGISTER)
    )
    for event in registered:
        event.at = by_opinion[event.opinion_id]
    OpinionEvent.objects.bulk_update(registered, ["at"], batch_size=2000)


class _OpinionStory:
    """One demo opinion's way through the loop, as the workflow allows it; its events are
    collected in `events` (written in bulk by the caller)."""

    def __init__(
        self, opinion: Opinion, rng: random.Random, calendar: Any, events: list[OpinionEvent]
    ) -> None:
        self.opinion, self.rng, self.calendar, self.events = opinion, rng, calendar, events
        self.rule = workflow.DeadlineRule()
        self.day = opinion.created_at.date()

    def step(self, action: str, when: datetime.date, actor: User | None, **extra: Any) -> bool:
        """Take an action on a day (False, and nothing done, past the demo's last day)."""
        if when > LAST_DAY:
            return False
        opinion = self.opinion
        before = opinion.status
        deadline = opinion.deadline if before in workflow.UNIT_STATES else None
        opinion.status = workflow.next_status(before, action, rating=extra.get("rating", ""))
        opinion.deadline = workflow.deadline_for(
            opinion.status, since=when, rule=self.rule, urgent=False, calendar=self.calendar
        )
        moment = _moment(when, self.rng)
        opinion.status_since = moment
        self.events.append(
            OpinionEvent(
                opinion=opinion,
                action=action,
                from_status=before,
                to_status=opinion.status,
                actor=actor,
                actor_name=str(actor) if actor else "群众",
                unit_id=opinion.unit_id,
                at=moment,
                deadline=deadline,
                on_time=(when <= deadline)
                if deadline and action in workflow.UNIT_ACTIONS
                else None,
                data=extra.get("data", {}),
                note=extra.get("note", ""),
            )
        )
        self.day = when
        return True

    def close_unrated(self, reply_day: datetime.date) -> None:
        """Nobody rated within 7 days: the system closes the opinion."""
        opinion = self.opinion
        close_day = reply_day + datetime.timedelta(days=8)
        if close_day > LAST_DAY:
            return
        opinion.status, opinion.deadline = OpinionStatus.CLOSED, None
        opinion.close_reason = CloseReason.UNRATED
        opinion.closed_at = _moment(close_day, self.rng)
        self.events.append(
            OpinionEvent(
                opinion=opinion,
                action=OpinionAction.CLOSE,
                from_status=OpinionStatus.REPLIED,
                to_status=OpinionStatus.CLOSED,
                actor_name="system",
                unit_id=opinion.unit_id,
                at=opinion.closed_at,
                note="7日内未评议",
            )
        )

    def rating(self) -> str:
        """Mostly satisfied; a reopened opinion is not rated dissatisfied again."""
        if self.opinion.reopen_count:
            return self.rng.choice((Rating.SATISFIED, Rating.BASICALLY_SATISFIED))
        return self.rng.choices(
            (Rating.SATISFIED, Rating.BASICALLY_SATISFIED, Rating.DISSATISFIED),
            weights=(70, 20, 10),
        )[0]

    def play_round(self, handler: User | None, late: bool) -> bool:
        """Accept, reply and rating; True when the rating reopened the opinion."""
        opinion, rng, calendar = self.opinion, self.rng, self.calendar
        accept_day = calendar.add_working_days(
            self.day, rng.choice((2, 3)) if late else rng.choice((0, 1, 1))
        )
        if not self.step(OpinionAction.ACCEPT, accept_day, handler):
            return False
        reply_day = calendar.add_working_days(
            self.day, rng.randrange(6, 10) if late else rng.randrange(1, 6)
        )
        reply, measures = rng.choice(REPLIES)
        if not self.step(OpinionAction.REPLY, reply_day, handler):
            return False
        opinion.reply, opinion.measures = reply, measures
        opinion.replied_at = _moment(reply_day, rng)
        if rng.random() < 0.3:  # nobody rates within 7 days
            self.close_unrated(reply_day)
            return False
        rating = self.rating()
        rate_day = reply_day + datetime.timedelta(days=rng.randrange(0, 5))
        by_link = opinion.source == OpinionSource.FORM
        channel = RatingChannel.CITIZEN_LINK if by_link else RatingChannel.PHONE_RETURN_VISIT
        rated = self.step(
            OpinionAction.RATE,
            rate_day,
            None if by_link else handler,
            rating=rating,
            data={"rating": rating, "channel": channel},
        )
        if not rated:
            return False
        opinion.rating, opinion.rating_channel = rating, channel
        opinion.rated_at = _moment(rate_day, rng)
        if opinion.status == OpinionStatus.CLOSED:
            opinion.close_reason, opinion.closed_at = CloseReason.RATED, opinion.rated_at
            return False
        opinion.reopen_count += 1
        return True


def _play_one(
    opinion: Opinion,
    rng: random.Random,
    calendar: Any,
    assigner: Any,
    handlers: dict[int, Any],
    parents: dict[int, int | None],
    events: list[OpinionEvent],
) -> None:
    story = _OpinionStory(opinion, rng, calendar, events)
    # The city office assigns within a few days: mostly to the collecting unit.
    unit_id = opinion.origin_unit_id
    parent_id = parents.get(unit_id)
    if rng.random() < 0.2 and parent_id is not None:
        unit_id = parent_id
    opinion.unit_id = unit_id
    assign_day = story.day + datetime.timedelta(days=rng.choice((0, 1, 1, 2)))
    if not story.step(OpinionAction.ASSIGN, assign_day, assigner, data={"unit_id": unit_id}):
        opinion.unit_id = None
        return
    late = rng.random() < 0.12
    while story.play_round(handlers.get(unit_id), late):
        late = False


def add_survey(rng: random.Random, units: list[Unit], per_station: int) -> int:
    """Anonymous survey answers for every station and county bureau, through the year."""
    answers = []
    for unit in units:
        if unit.kind not in (UnitKind.STATION, UnitKind.COUNTY_BUREAU):
            continue
        mood = rng.uniform(0.75, 0.97)
        for _ in range(rng.randrange(per_station // 2, per_station + 1)):
            happy = rng.random() < mood
            answers.append(
                SurveyResponse(
                    unit=unit,
                    submitted_at=_moment(
                        datetime.date(2022, 1, 1) + datetime.timedelta(days=rng.randrange(365)), rng
                    ),
                    security=rng.choice(
                        (
                            SecurityFeeling.VERY_SAFE,
                            SecurityFeeling.SAFE,
                            SecurityFeeling.FAIRLY_SAFE,
                        )
                    )
                    if happy
                    else rng.choice((SecurityFeeling.UNSAFE, SecurityFeeling.FAIRLY_SAFE)),
                    satisfaction=rng.choice((Rating.SATISFIED, Rating.BASICALLY_SATISFIED))
                    if happy
                    else Rating.DISSATISFIED,
                    visited=rng.random() < 0.6,
                )
            )
    SurveyResponse.objects.bulk_create(answers, batch_size=2000)
    return len(answers)
