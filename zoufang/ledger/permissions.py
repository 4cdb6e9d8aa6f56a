"""Who may change or delete one visit (scope is checked before, by visible_to)."""

from __future__ import annotations

from zoufang.core.actors import Actor
from zoufang.org.permissions import Perm, can, officer_of

from .models import Visit


def visit_is_own(user: Actor, visit: Visit) -> bool:
    """The user recorded the visit or is one of its officers."""
    if visit.created_by_id == user.pk:
        return True
    officer = officer_of(user)
    return officer is not None and any(o.pk == officer.pk for o in visit.officers.all())


def visit_can_change(user: Actor, visit: Visit) -> bool:
    """Unit leads and the city office change any visit in scope; officers their own."""
    if can(user, Perm.VISIT_CHANGE_ANY):
        return True
    return can(user, Perm.VISIT_CHANGE_OWN) and visit_is_own(user, visit)


def visit_can_delete(user: Actor, visit: Visit) -> bool:
    """Only unit leads and the city office delete visits."""
    return can(user, Perm.VISIT_DELETE)
