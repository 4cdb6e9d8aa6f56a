"""Querysets of visits and roll-ups; every read goes through `visible_to(user)`.

Besides the unit scope, `visible_to` keeps the sensitive visits (target types
`TargetType.sensitive()`: key persons, stability-risk persons) from users whose role is not
cleared (`Perm.SENSITIVE_VIEW`): lists, pages, exports, the API and the counts read from the
roll-ups all go through it. See docs/security.md.
"""

from __future__ import annotations

import datetime
from typing import Any, Self

from django.db import models
from django.db.models import Q

from zoufang.org.querysets import ScopedQuerySet


def sees_sensitive(user: Any) -> bool:
    """Whether the user's role is cleared for every sensitive visit in scope."""
    from zoufang.org.permissions import Perm, can

    return can(user, Perm.SENSITIVE_VIEW)


class VisitQuerySet(ScopedQuerySet):
    """Visits, visible through their unit; sensitive ones only to the cleared and their own."""

    def visible_to(self, user: Any) -> Self:
        """The visits of the units the user may see, less the sensitive visits the user is
        not cleared for (nothing for anonymous users)."""
        return super().visible_to(user).sensitive_visible_to(user)

    def sensitive_visible_to(self, user: Any) -> Self:
        """Drop the sensitive visits unless the user is cleared, recorded them, or is one of
        their officers (an officer keeps seeing the key-person visits he or she made)."""
        if sees_sensitive(user):
            return self
        from zoufang.org.permissions import officer_of

        from .models import TargetType, VisitOfficer

        own = Q(pk__in=[])
        if getattr(user, "pk", None) is not None:
            own |= Q(created_by_id=user.pk)
        officer = officer_of(user)
        if officer is not None:
            own |= Q(pk__in=VisitOfficer.objects.filter(officer_id=officer.pk).values("visit_id"))
        return self.filter(~Q(target_type__in=TargetType.sensitive()) | own)

    def between(self, since: datetime.date | None, until: datetime.date | None) -> Self:
        """Visits on or after `since` and on or before `until` (either may be None)."""
        qs = self
        if since:
            qs = qs.filter(visit_date__gte=since)
        if until:
            qs = qs.filter(visit_date__lte=until)
        return qs


class DayRangeMixin:
    """For the querysets of roll-ups of either grain: a range of days."""

    def between(self, since: datetime.date | None, until: datetime.date | None) -> Self:
        """Roll-ups of days from `since` to `until` (either may be None)."""
        qs: Any = self
        if since:
            qs = qs.filter(day__gte=since)
        if until:
            qs = qs.filter(day__lte=until)
        return qs


class VisitDailyQuerySet(DayRangeMixin, ScopedQuerySet):
    """Daily roll-ups, visible through their unit; the rows of sensitive target types only to
    cleared users (a roll-up cannot tell whose visits it sums, so officers do not get them)."""

    def visible_to(self, user: Any) -> Self:
        """The roll-ups of the units the user may see, less sensitive target types unless
        the user is cleared."""
        rollups = super().visible_to(user)
        if sees_sensitive(user):
            return rollups
        from .models import TargetType

        return rollups.exclude(target_type__in=TargetType.sensitive())


class VisitDailyCityQuerySet(DayRangeMixin, models.QuerySet):
    """City-wide daily roll-ups: only for users who see the whole city, and the rows of
    sensitive target types only for cleared users."""

    def visible_to(self, user: Any) -> Self:
        """Every row for a cleared city-wide user, less sensitive target types for the
        uncleared; nothing for a user whose scope is less than the city."""
        from zoufang.org.scope import user_scope

        if not user_scope(user).everything:
            return self.none()
        if sees_sensitive(user):
            return self
        from .models import TargetType

        return self.exclude(target_type__in=TargetType.sensitive())
