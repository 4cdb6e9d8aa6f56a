"""The loop's rules as pure functions (no database)."""

from __future__ import annotations

import datetime

import pytest

from zoufang.core.workdays import WorkCalendar
from zoufang.opinions import workflow
from zoufang.opinions.workflow import Actor, DeadlineRule, TransitionRefused

D = datetime.date
CAL = WorkCalendar()


@pytest.mark.parametrize(
    ("status", "action", "rating", "expected"),
    [
        ("registered", "assign", "", "assigned"),
        ("assigned", "accept", "", "in_progress"),
        ("assigned", "return", "", "registered"),
        ("in_progress", "reply", "", "replied"),
        ("replied", "rate", "satisfied", "closed"),
        ("replied", "rate", "basically_satisfied", "closed"),
        ("replied", "rate", "dissatisfied", "reopened"),
        ("reopened", "accept", "", "in_progress"),
        ("closed", "reopen", "", "reopened"),
        ("in_progress", "close", "", "closed"),
    ],
)
def test_allowed_transitions(status: str, action: str, rating: str, expected: str) -> None:
    assert workflow.next_status(status, action, rating=rating) == expected


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("registered", "accept"),
        ("registered", "reply"),
        ("assigned", "reply"),
        ("in_progress", "accept"),
        ("replied", "reply"),
        ("closed", "rate"),
        ("closed", "close"),
        ("reopened", "reply"),
    ],
)
def test_refused_transitions(status: str, action: str) -> None:
    with pytest.raises(TransitionRefused):
        workflow.next_status(status, action)


CITY = Actor(role="city_admin", unit_id=1)
LEADER = Actor(role="leader", unit_id=1)
UNIT = Actor(role="officer", unit_id=7)
OTHER_UNIT = Actor(role="unit_admin", unit_id=8)
CITIZEN = Actor(role=None, unit_id=None, citizen=True)


@pytest.mark.parametrize(
    ("actor", "action", "allowed"),
    [
        (CITY, "assign", True),
        (UNIT, "assign", False),
        (LEADER, "assign", False),
        (UNIT, "accept", True),
        (OTHER_UNIT, "accept", False),
        (CITY, "accept", False),  # the city office is not the responsible unit here
        (UNIT, "reply", True),
        (OTHER_UNIT, "return", False),
        (CITIZEN, "rate", True),
        (CITIZEN, "accept", False),
        (UNIT, "rate", True),  # a phone return visit
        (LEADER, "rate", False),
        (CITY, "reopen", True),
        (UNIT, "reopen", False),
        (CITY, "close", True),
        (UNIT, "close", False),
    ],
)
def test_who_may_act(actor: Actor, action: str, allowed: bool) -> None:
    assert workflow.may_act(actor, action, responsible_unit_id=7) is allowed


def test_deadlines_across_the_spring_festival() -> None:
    rule = DeadlineRule()
    # Assigned on Friday 2022-01-28: accept by the make-up Saturday 01-29.
    assert workflow.deadline_for(
        "assigned", since=D(2022, 1, 28), rule=rule, urgent=False, calendar=CAL
    ) == D(2022, 1, 29)
    # Accepted on 01-29: reply within 5 working days → 01-30 (make-up Sunday), then 02-07 … 02-10.
    assert workflow.deadline_for(
        "in_progress", since=D(2022, 1, 29), rule=rule, urgent=False, calendar=CAL
    ) == D(2022, 2, 10)
    # Urgent: within 1 working day.
    assert workflow.deadline_for(
        "in_progress", since=D(2022, 1, 30), rule=rule, urgent=True, calendar=CAL
    ) == D(2022, 2, 7)
    # A date set by the city office wins.
    assert workflow.deadline_for(
        "in_progress",
        since=D(2022, 1, 30),
        rule=rule,
        urgent=False,
        calendar=CAL,
        reply_by=D(2022, 2, 20),
    ) == D(2022, 2, 20)
    # A reply waits 7 calendar days for its rating.
    assert workflow.deadline_for(
        "replied", since=D(2022, 2, 1), rule=rule, urgent=False, calendar=CAL
    ) == D(2022, 2, 8)
    assert (
        workflow.deadline_for(
            "registered", since=D(2022, 2, 1), rule=rule, urgent=False, calendar=CAL
        )
        is None
    )


def test_category_rules_change_the_deadline() -> None:
    rule = DeadlineRule(accept_days=2, reply_days=10)
    assert workflow.deadline_for(
        "assigned", since=D(2022, 3, 4), rule=rule, urgent=False, calendar=CAL
    ) == D(2022, 3, 8)


def test_overdue_and_reminders() -> None:
    deadline = D(2022, 2, 10)
    assert not workflow.is_overdue("in_progress", deadline, D(2022, 2, 10))
    assert workflow.is_overdue("in_progress", deadline, D(2022, 2, 11))
    assert not workflow.is_overdue("replied", deadline, D(2022, 3, 1))  # the citizen's turn
    assert workflow.due_reminder("in_progress", deadline, D(2022, 2, 9), CAL) == "due_soon"
    assert workflow.due_reminder("in_progress", deadline, D(2022, 2, 10), CAL) == "due_today"
    assert workflow.due_reminder("in_progress", deadline, D(2022, 2, 11), CAL) == "overdue"
    assert workflow.due_reminder("in_progress", deadline, D(2022, 2, 7), CAL) is None
    # Before a holiday: the working day before the deadline is the last one before it.
    assert workflow.due_reminder("assigned", D(2022, 2, 7), D(2022, 1, 30), CAL) == "due_soon"
