"""Who may write, edit and review bulletins: the facts about a user the workflow rules need.

The role × action matrix (org.permissions) grants Perm.BULLETIN_WRITE (unit_admin, officer,
city_admin) and Perm.BULLETIN_REVIEW (city_admin); reading the column is Perm.CAMPAIGN_VIEW.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from zoufang.core.actors import Actor
from zoufang.org.models import Unit
from zoufang.org.permissions import role_of

from . import workflow
from .models import Bulletin


def actor_of(user: Actor) -> workflow.Actor:
    """The user as the workflow rules see them."""
    return workflow.Actor(role=role_of(user), user_id=getattr(user, "pk", None))


def can_write(user: Actor) -> bool:
    """Whether the user's role writes bulletins (unit_admin, officer, city_admin)."""
    return workflow.may_write(actor_of(user))


def can_review(user: Actor) -> bool:
    """Whether the user's role adopts and returns bulletins (city_admin)."""
    return workflow.may_review(actor_of(user))


def require_write(user: Actor) -> None:
    """403 unless the user's role writes bulletins."""
    if not can_write(user):
        raise PermissionDenied


def unit_in_scope(user: Actor, unit_id: int) -> bool:
    """Whether the unit is within the user's scope (`visible_to`)."""
    return Unit.objects.visible_to(user).filter(pk=unit_id).exists()


def facts_for(user: Actor, bulletin: Bulletin) -> workflow.Facts:
    """What the rules need to know about the bulletin, from the user's point of view."""
    return workflow.Facts(
        in_scope=unit_in_scope(user, bulletin.unit_id), author_id=bulletin.created_by_id
    )


def can_edit(user: Actor, bulletin: Bulletin) -> bool:
    """Whether the user may change this bulletin now (its state allowing)."""
    return workflow.is_editable(bulletin.status) and workflow.may_edit(
        actor_of(user), facts_for(user, bulletin)
    )


def actions_for(user: Actor, bulletin: Bulletin) -> list[str]:
    """The transitions the user may take on this bulletin now."""
    return workflow.actions_for(actor_of(user), bulletin.status, facts_for(user, bulletin))


def options_for(user: Actor, bulletin: Bulletin) -> tuple[bool, list[str]]:
    """(may edit now, transitions allowed now) with one look at the scope."""
    actor, facts = actor_of(user), facts_for(user, bulletin)
    editable = workflow.is_editable(bulletin.status) and workflow.may_edit(actor, facts)
    return editable, workflow.actions_for(actor, bulletin.status, facts)
