"""The rules of a bulletin's life as pure functions over plain data.

| state       | 中文   | next (action → state)                                | who              |
|-------------|--------|------------------------------------------------------|------------------|
| `draft`     | 草稿   | submit → `submitted`                                 | the unit         |
| `submitted` | 已报送 | adopt → `adopted`; return (with comment) → `returned` | the city office  |
| `returned`  | 已退回 | submit → `submitted` (usually after editing)         | the unit         |
| `adopted`   | 已采用 | — (published in the column)                          | —                |

The unit's writers are unit_admin and officer users whose scope holds the bulletin's unit
(their unit and the units below it), and the city office (Perm.BULLETIN_WRITE and
Perm.BULLETIN_REVIEW of the role matrix); an officer may only edit and submit
the bulletins they wrote. Drafts and returned bulletins may be edited; submitted and adopted
ones may not. No database here: services look the facts up and ask these functions.
"""

from __future__ import annotations

from dataclasses import dataclass

from zoufang.org.models import Role
from zoufang.org.permissions import ROLE_PERMS, Perm

from .models import BulletinAction as A
from .models import BulletinStatus as S

TRANSITIONS: dict[str, dict[str, str]] = {
    S.DRAFT: {A.SUBMIT: S.SUBMITTED},
    S.SUBMITTED: {A.ADOPT: S.ADOPTED, A.RETURN: S.RETURNED},
    S.RETURNED: {A.SUBMIT: S.SUBMITTED},
    S.ADOPTED: {},
}
EDITABLE = frozenset({S.DRAFT, S.RETURNED})

REVIEW_ACTIONS = frozenset({A.ADOPT, A.RETURN})
ACTIONS_BY_API = (A.SUBMIT, A.ADOPT, A.RETURN)


class TransitionRefused(Exception):
    """The action is not allowed in the bulletin's state."""


def next_status(status: str, action: str) -> str:
    """The state an action leads to, or TransitionRefused."""
    target = TRANSITIONS.get(status, {}).get(action)
    if target is None:
        raise TransitionRefused(f"{action} is not allowed in {status}")
    return target


def allowed_actions(status: str) -> list[str]:
    """Actions the state allows, whoever asks."""
    return list(TRANSITIONS.get(status, {}))


def is_editable(status: str) -> bool:
    """Whether the title, text and files may still change."""
    return status in EDITABLE


@dataclass(frozen=True)
class Actor:
    """What the rules need to know about who acts."""

    role: str | None
    user_id: int | None


@dataclass(frozen=True)
class Facts:
    """What the rules need to know about the bulletin, from the actor's point of view."""

    in_scope: bool  # the bulletin's unit is within the actor's scope
    author_id: int | None  # who wrote it


def may_write(actor: Actor) -> bool:
    """Whether the role may write bulletins at all."""
    return actor.role is not None and Perm.BULLETIN_WRITE in ROLE_PERMS.get(actor.role, ())


def may_review(actor: Actor) -> bool:
    """Whether the role adopts and returns bulletins (the city office)."""
    return actor.role is not None and Perm.BULLETIN_REVIEW in ROLE_PERMS.get(actor.role, ())


def may_edit(actor: Actor, facts: Facts) -> bool:
    """Whether the actor may change (and submit) this bulletin, whatever its state.

    The city office may; unit_admin within scope; an officer within scope, only their own.
    """
    if not may_write(actor) or not facts.in_scope:
        return False
    if actor.role == Role.OFFICER:
        return actor.user_id is not None and actor.user_id == facts.author_id
    return True


def may_act(actor: Actor, action: str, facts: Facts) -> bool:
    """Whether the actor may take the action on this bulletin, whatever its state."""
    if action in REVIEW_ACTIONS:
        return may_review(actor)
    if action == A.SUBMIT:
        return may_edit(actor, facts)
    return False


def actions_for(actor: Actor, status: str, facts: Facts) -> list[str]:
    """The actions this actor may take now, in the state's order."""
    return [action for action in allowed_actions(status) if may_act(actor, action, facts)]
