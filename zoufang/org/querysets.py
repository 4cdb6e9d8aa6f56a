"""Querysets with the one door to unit data: `visible_to(user)`."""

from __future__ import annotations

from typing import Any, Self

from django.db import models


class ScopedQuerySet(models.QuerySet):
    """A queryset of unit data; `unit_lookup` names the path to the record's unit."""

    unit_lookup = "unit"

    def visible_to(self, user: Any) -> Self:
        """The records of the units the user may see (nothing for anonymous users)."""
        from .scope import user_scope

        scope = user_scope(user)
        if scope.everything:
            return self
        if scope.units is None:
            return self.none()
        return self.filter(**{f"{self.unit_lookup}__in": scope.units.values("pk")})


class UnitQuerySet(ScopedQuerySet):
    """Units; a unit is visible when it is in the user's scope."""

    unit_lookup = "pk"

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
