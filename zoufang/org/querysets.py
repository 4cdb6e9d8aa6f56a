"""Querysets with the one door to unit data: `visible_to(user)`."""

from __future__ import annotations

from typing import Any, Self

from django.db import models

from zoufang.core.actors import Actor


class ScopedQuerySet(models.QuerySet):
    """A queryset of unit data; `unit_lookups` name the paths to the record's units.

    A record with several units (an opinion: the unit that collected it and the unit
    responsible for it) is visible when any of them is in the user's scope.
    """

    unit_lookups: tuple[str, ...] = ("unit",)
    # True when a lookup crosses a many-to-many relation: filter through a subquery of ids
    # so a record with several units in scope is listed once.
    scope_through_many = False
    # True to read the user's units into a list of ids first instead of a subquery: for a big
    # table (the visits) the planner then knows how many rows a unit has and picks its index.
    scope_units_as_list = False

    def citywide(self) -> Self:
        """Every record, whoever asks: marks a read that is city-wide on purpose (a figure
        of every unit for a ranking, the stage notice, a command's job) so a reviewer can
        grep for them. Any read for a user goes through `visible_to(user)` instead."""
        return self.all()

    def visible_to(self, user: Actor) -> Self:
        """The records of the units the user may see (nothing for anonymous users)."""
        from .scope import user_scope

        scope = user_scope(user)
        if scope.everything:
            return self
        if scope.units is None:
            return self.none()
        units: Any = scope.units.values("pk")
        if self.scope_units_as_list:
            units = list(units.values_list("pk", flat=True))
        condition = models.Q()
        for lookup in self.unit_lookups:
            condition |= models.Q(**{f"{lookup}__in": units})
        if self.scope_through_many:
            return self.filter(pk__in=self.model._default_manager.filter(condition).values("pk"))
        return self.filter(condition)


class UnitQuerySet(ScopedQuerySet):
    """Units; a unit is visible when it is in the user's scope."""

    unit_lookups = ("pk",)

    def subtree(self, unit: Any) -> Self:
        """The unit and every unit below it."""
        return self.filter(path__startswith=unit.path)

    def active(self) -> Self:
        """Units still in use."""
        return self.filter(is_active=True)


class OfficerQuerySet(ScopedQuerySet):
    """Officers, visible through their unit."""

    def active(self) -> Self:
        """Officers whose account is active."""
        return self.filter(user__is_active=True)
