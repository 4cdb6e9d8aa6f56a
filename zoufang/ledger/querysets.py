"""Querysets of visits and roll-ups; every read goes through `visible_to(user)`.

Besides the unit scope, `visible_to` keeps the sensitive visits (target types
`TargetType.sensitive()`: key persons, stability-risk persons) from users whose role is not
cleared (`Perm.SENSITIVE_VIEW`): lists, pages, exports, the API and the counts read from the
roll-ups all go through it. See docs/security.md.

The visit list's filters are written so that PostgreSQL answers them from an index at
millions of visits (docs/ledger-indexes.md): the units in scope as a list of ids rather than a
subquery (the planner then knows how many visits they have), and the target-name filter
through the character-pair index of migration 0005.
"""

from __future__ import annotations

import datetime
import time
from typing import Any, Self

from django.db import connections, models
from django.db.models import BooleanField, F, Func, Q, Value

from zoufang.core.actors import Actor
from zoufang.org.querysets import ScopedQuerySet

# Migration 0005 (PostgreSQL): ledger_name_grams(text) and the GIN index on it.
NAME_GRAMS_INDEX = "visit_name_grams_idx"
# How long a process keeps the planner's figures of the commonest grams.
GRAM_STATS_SECONDS = 600
# A gram in this share of the visits or more is too common for the index to narrow a search.
COMMON_GRAM_SHARE = 0.01
_gram_stats: dict[str, tuple[float, dict[str, float]]] = {}


def sees_sensitive(user: Actor) -> bool:
    """Whether the user's role is cleared for every sensitive visit in scope."""
    from zoufang.org.permissions import Perm, can

    return can(user, Perm.SENSITIVE_VIEW)


def name_grams(text: str) -> list[str]:
    """The grams of `ledger_name_grams` that a name containing `text` must have: the character
    itself for one character, else every pair of neighbouring characters."""
    if len(text) == 1:
        return [text]
    return [text[i : i + 2] for i in range(len(text) - 1)]


def common_grams(alias: str) -> dict[str, float]:
    """The commonest grams of the target names and the share of visits having each, from the
    planner's statistics of the gram index (empty before the first ANALYZE); cached."""
    now = time.monotonic()
    cached = _gram_stats.get(alias)
    if cached is not None and now - cached[0] < GRAM_STATS_SECONDS:
        return cached[1]
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE schemaname = current_schema() AND tablename = %s",
            [NAME_GRAMS_INDEX],
        )
        row = cursor.fetchone()
    frequencies = dict(zip(row[0], row[1], strict=False)) if row and row[0] else {}
    _gram_stats[alias] = (now, frequencies)
    return frequencies


class NameHasGram(Func):
    """`ledger_name_grams(name) @> ARRAY[gram]::text[]` (PostgreSQL): the expression of the GIN
    index of migration 0005, so the index serves it. Arguments: the name, the gram."""

    arity = 2
    template = "ledger_name_grams(%(expressions)s]::text[]"
    arg_joiner = ") @> ARRAY["
    output_field = BooleanField()


class VisitQuerySet(ScopedQuerySet):
    """Visits, visible through their unit; sensitive ones only to the cleared and their own."""

    scope_units_as_list = True

    def visible_to(self, user: Actor) -> Self:
        """The visits of the units the user may see, less the sensitive visits the user is
        not cleared for (nothing for anonymous users).

        The units are read first (`scope_units_as_list`): against a list of ids the planner
        knows how many visits a station has and walks its (unit, visit_date) index newest
        first; against a subquery it guessed, and walked the whole city's date index."""
        return super().visible_to(user).sensitive_visible_to(user)

    def of_units(self, units: Any) -> Self:
        """Visits of the units of a queryset, read into a list of ids first (see visible_to)."""
        return self.filter(unit_id__in=list(units.values_list("pk", flat=True)))

    def name_contains(self, text: str) -> Self:
        """Visits whose target name contains `text` (case as typed).

        On PostgreSQL through the gram index (migration 0005), on the rarest of the text's
        grams by the planner's statistics. One gram, not all: the planner multiplies the
        shares of the conditions as if independent, and with every gram of 有限公司 it
        expected a few hundred rows of four hundred thousand and sorted them all by date.
        For the same reason a text of one or two characters, which its gram matches exactly,
        has no LIKE besides. When even the rarest gram is in more than COMMON_GRAM_SHARE of
        the visits, the index would fetch too many rows to help: LIKE alone, which the
        planner estimates and checks cheaply while walking the date index newest first."""
        if not text:
            return self
        if connections[self.db].vendor != "postgresql":
            return self.filter(target_name__contains=text)
        common = common_grams(self.db)
        gram = min(name_grams(text), key=lambda candidate: common.get(candidate, 0.0))
        if common.get(gram, 0.0) >= COMMON_GRAM_SHARE:
            return self.filter(target_name__contains=text)
        visits = self.filter(NameHasGram(F("target_name"), Value(gram)))
        if len(text) > 2:
            visits = visits.filter(target_name__contains=text)
        return visits

    def sensitive_visible_to(self, user: Actor) -> Self:
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

    def visible_to(self, user: Actor) -> Self:
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

    def visible_to(self, user: Actor) -> Self:
        """Every row for a cleared city-wide user, less sensitive target types for the
        uncleared; nothing for a user whose scope is less than the city."""
        from zoufang.org.scope import user_scope

        if not user_scope(user).everything:
            return self.none()
        if sees_sensitive(user):
            return self
        from .models import TargetType

        return self.exclude(target_type__in=TargetType.sensitive())
