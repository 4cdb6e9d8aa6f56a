"""Querysets of bulletins: `visible_to(user)` for every state, `readable_by(user)` adds the
column (adopted bulletins are published city-wide)."""

from __future__ import annotations

import datetime
from typing import Any, Self

from django.db import models
from django.db.models import Case, F, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from zoufang.core.actors import Actor
from zoufang.org.permissions import role_of
from zoufang.org.querysets import ScopedQuerySet

from .search import SearchQuery

ADOPTED = "adopted"


class BulletinQuerySet(ScopedQuerySet):
    """Bulletins, visible through their unit; adopted ones are readable by every role."""

    def published(self) -> Self:
        """Adopted bulletins: the column."""
        return self.filter(status=ADOPTED)

    def readable_by(self, user: Actor) -> Self:
        """The column (adopted bulletins, for anyone with a role) and, in every state, the
        bulletins of the user's scope (`visible_to`)."""
        if role_of(user) is None:
            return self.none()
        return self.visible_to(user) | self.published()

    def matching(self, query: SearchQuery) -> Self:
        """Bulletins whose tokens hold every term of the query, ranked (`rank`, see search.py).

        An empty query (only punctuation) matches nothing."""
        if query.empty:
            return self.none().annotate(rank=Value(0, output_field=models.IntegerField()))
        qs = self
        for term in query.terms:
            qs = qs.filter(search_text__contains=term)
        rank: Any = Value(0)
        for term in query.terms:
            rank += Case(When(search_title__contains=term, then=Value(2)), default=Value(0))
        for phrase in query.phrases:
            rank += Case(When(title__contains=phrase, then=Value(3)), default=Value(0))
            rank += Case(When(body__contains=phrase, then=Value(1)), default=Value(0))
        return qs.annotate(rank=models.ExpressionWrapper(rank, output_field=models.IntegerField()))

    def with_views_between(self, since: datetime.date, until: datetime.date) -> Self:
        """Only bulletins read between the two days, with `hot` = their views in that time."""
        from .models import BulletinView

        daily = BulletinView.objects.filter(day__gte=since, day__lte=until)
        total = (
            daily.filter(bulletin=OuterRef("pk"))
            .order_by()
            .values("bulletin")
            .annotate(total=Sum("count"))
            .values("total")
        )
        return self.filter(pk__in=daily.filter(count__gt=0).values("bulletin")).annotate(
            hot=Coalesce(Subquery(total, output_field=models.IntegerField()), Value(0))
        )

    def newest_first(self) -> Self:
        """By publication (then creation) time, newest first."""
        return self.order_by(F("published_at").desc(nulls_last=True), "-created_at", "-id")

    def in_subtree(self, unit: Any) -> Self:
        """Bulletins of a unit and the units below it."""
        return self.filter(unit__path__startswith=unit.path)

    def between(
        self, field: str, since: datetime.datetime | None, until: datetime.datetime | None
    ) -> Self:
        """Rows whose datetime `field` is in [since, until)."""
        qs = self
        if since is not None:
            qs = qs.filter(**{f"{field}__gte": since})
        if until is not None:
            qs = qs.filter(**{f"{field}__lt": until})
        return qs
