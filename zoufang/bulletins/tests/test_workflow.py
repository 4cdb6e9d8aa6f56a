"""The bulletin workflow's rules, without the database."""

from __future__ import annotations

import pytest

from zoufang.bulletins import workflow
from zoufang.bulletins.workflow import Actor, Facts

OWN = Facts(in_scope=True, author_id=7)
OTHERS = Facts(in_scope=True, author_id=8)
OUTSIDE = Facts(in_scope=False, author_id=7)


@pytest.mark.parametrize(
    ("status", "action", "to"),
    [
        ("draft", "submit", "submitted"),
        ("submitted", "adopt", "adopted"),
        ("submitted", "return", "returned"),
        ("returned", "submit", "submitted"),
    ],
)
def test_allowed_transitions(status: str, action: str, to: str) -> None:
    assert workflow.next_status(status, action) == to


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("draft", "adopt"),
        ("draft", "return"),
        ("submitted", "submit"),
        ("returned", "adopt"),
        ("returned", "return"),
        ("adopted", "submit"),
        ("adopted", "adopt"),
        ("adopted", "return"),
    ],
)
def test_refused_transitions(status: str, action: str) -> None:
    with pytest.raises(workflow.TransitionRefused):
        workflow.next_status(status, action)


def test_only_drafts_and_returned_bulletins_are_editable() -> None:
    assert [
        s for s in ("draft", "submitted", "returned", "adopted") if workflow.is_editable(s)
    ] == [
        "draft",
        "returned",
    ]


@pytest.mark.parametrize(
    ("role", "facts", "expected"),
    [
        ("city_admin", OUTSIDE, False),  # the scope is looked up; the city office has all
        ("city_admin", OTHERS, True),
        ("unit_admin", OTHERS, True),
        ("unit_admin", OUTSIDE, False),
        ("officer", OWN, True),
        ("officer", OTHERS, False),  # an officer edits only their own
        ("officer", OUTSIDE, False),
        ("leader", OWN, False),
        ("inspector", OWN, False),
        (None, OWN, False),
    ],
)
def test_who_may_edit_and_submit(role: str | None, facts: Facts, expected: bool) -> None:
    actor = Actor(role=role, user_id=7)
    assert workflow.may_edit(actor, facts) is expected
    assert workflow.may_act(actor, "submit", facts) is expected


@pytest.mark.parametrize("action", ["adopt", "return"])
def test_only_the_city_office_reviews(action: str) -> None:
    allowed = [
        role
        for role in ("city_admin", "leader", "inspector", "unit_admin", "officer")
        if workflow.may_act(Actor(role=role, user_id=7), action, OWN)
    ]
    assert allowed == ["city_admin"]


def test_actions_for_follow_state_and_role() -> None:
    admin, officer = Actor("city_admin", 1), Actor("officer", 7)
    assert workflow.actions_for(admin, "submitted", OTHERS) == ["adopt", "return"]
    assert workflow.actions_for(officer, "submitted", OWN) == []
    assert workflow.actions_for(officer, "returned", OWN) == ["submit"]
    assert workflow.actions_for(admin, "adopted", OTHERS) == []
