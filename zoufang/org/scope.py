"""Which units a user may see: the one rule behind every `visible_to(user)`.

city_admin and leader see every unit; unit_admin and officer their own unit and its
sub-units; inspector the units of the inspections assigned to them (the inspections app
registers that rule). Users without an officer profile see nothing unless they are superusers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models

from zoufang.core.actors import SYSTEM, Actor, SystemActor

if TYPE_CHECKING:
    from .models import Role

ScopeProvider = Callable[[Actor], "models.QuerySet[Any]"]
_providers: dict[str, ScopeProvider] = {}


def register_scope_provider(role: Role | str, provider: ScopeProvider) -> None:
    """Let another app say which units a role sees (a queryset of units)."""
    _providers[str(role)] = provider


@dataclass(frozen=True)
class Scope:
    """A user's scope: everything, nothing, or the units of a queryset."""

    everything: bool = False
    units: models.QuerySet[Any] | None = None


def user_scope(user: Actor) -> Scope:
    """The scope of a user, computed lazily (the unit queryset runs as a subquery)."""
    from .models import Role, Unit
    from .permissions import officer_of

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    if user.is_superuser:
        return Scope(everything=True)
    officer = officer_of(user)
    if officer is None:
        return Scope()
    if officer.role in (Role.CITY_ADMIN, Role.LEADER):
        return Scope(everything=True)
    provider = _providers.get(officer.role)
    if provider is not None:
        return Scope(units=provider(user))
    if officer.role == Role.INSPECTOR:
        return Scope()
    return Scope(units=Unit.objects.filter(path__startswith=officer.unit.path))


# The system as an actor now lives with the other actors in core.actors; kept here so
# older imports keep working.
__all__ = ["SYSTEM", "Scope", "SystemActor", "register_scope_provider", "user_scope"]
