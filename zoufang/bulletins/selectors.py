"""Reads of bulletins shared by the pages, the API, assessment and the weekly digest."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, Prefetch, QuerySet
from django.utils import timezone

from zoufang.campaigns.models import Campaign
from zoufang.core.actors import Actor
from zoufang.org.models import Unit, UnitKind

from . import search
from .digest import DigestItem, picture_for_document
from .models import Bulletin, BulletinImage, BulletinStatus, BulletinView

HOT_WEEK_DAYS = 7
HOT_MONTH_DAYS = 30
RELATED_CANDIDATES = 500
RELATED_LIMIT = 5
RELATED_THRESHOLD = 0.2
RELATED_CACHE_SECONDS = 3600


class Tab:
    """The column's views: newest first, or the most read in the last 7 or 30 days."""

    NEWEST = "newest"
    WEEK = "week"
    MONTH = "month"
    ALL = (NEWEST, WEEK, MONTH)


@dataclass(frozen=True)
class ColumnFilters:
    """The column's filters; every field is optional."""

    q: str = ""
    kind: str = ""
    unit: Unit | None = None
    campaign: Campaign | None = None
    tab: str = Tab.NEWEST


def hot_window(tab: str, today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The days a "hot" tab counts: the last 7 (week) or 30 (month) days up to today, today
    included. When nobody has read anything since some earlier day (a campaign that is
    over, or the 2022 demo), the window ends on that day instead of showing nothing."""
    today = today or timezone.localdate()
    last_read = BulletinView.objects.filter(day__lte=today).aggregate(last=Max("day"))["last"]
    end = min(today, last_read) if last_read else today
    days = HOT_WEEK_DAYS if tab == Tab.WEEK else HOT_MONTH_DAYS
    return end - datetime.timedelta(days=days - 1), end


def column_list(
    *,
    filters: ColumnFilters | None = None,
    window: tuple[datetime.date, datetime.date] | None = None,
) -> QuerySet[Bulletin]:
    """The column: adopted bulletins, filtered; a query ranks by relevance (search.py),
    the hot tabs by views in their window (`hot_window` unless given), otherwise newest
    first."""
    filters = filters or ColumnFilters()
    bulletins = Bulletin.objects.published().select_related("unit", "campaign")
    if filters.kind:
        bulletins = bulletins.filter(kind=filters.kind)
    if filters.unit is not None:
        bulletins = bulletins.in_subtree(filters.unit)
    if filters.campaign is not None:
        bulletins = bulletins.filter(campaign=filters.campaign)
    query = search.parse_query(filters.q) if filters.q.strip() else None
    if query is not None:
        return bulletins.matching(query).order_by("-rank", "-published_at", "-id")
    if filters.tab in (Tab.WEEK, Tab.MONTH):
        since, until = window or hot_window(filters.tab)
        return bulletins.with_views_between(since, until).order_by("-hot", "-published_at", "-id")
    return bulletins.order_by("-published_at", "-id")


def column_units() -> QuerySet[Unit]:
    """Units to filter the column by: those with adopted bulletins and the units above them
    (the city office left out)."""
    paths = (
        Unit.objects.filter(bulletins__status=BulletinStatus.ADOPTED)
        .values_list("path", flat=True)
        .distinct()
    )
    ids = {int(part) for path in paths for part in path.strip("/").split("/") if part.isdigit()}
    return (
        Unit.objects.filter(pk__in=ids)
        .exclude(kind=UnitKind.CITY_OFFICE)
        .order_by("path")
        .only("pk", "code", "name", "depth", "path")
    )


def bulletin_get(*, user: Actor, pk: int) -> Bulletin:
    """A bulletin the user may read: published, or in their scope (DoesNotExist → 404)."""
    return (
        Bulletin.objects.readable_by(user)
        .select_related("unit", "campaign", "created_by", "reviewed_by")
        .get(pk=pk)
    )


def bulletin_files(bulletin: Bulletin) -> tuple[list[Any], list[Any]]:
    """The bulletin's pictures and attachments, in order."""
    return list(bulletin.images.all()), list(bulletin.attachments.all())


def manage_list(*, user: Actor, status: str = "") -> QuerySet[Bulletin]:
    """Bulletins of the user's scope in every state (or one); submitted ones oldest first,
    as the review queue, the rest last changed first."""
    bulletins = Bulletin.objects.visible_to(user).select_related("unit", "campaign", "created_by")
    if status:
        bulletins = bulletins.filter(status=status)
    if status == BulletinStatus.SUBMITTED:
        return bulletins.order_by("submitted_at", "id")
    return bulletins.order_by("-updated_at", "-id")


def manage_counts(*, user: Actor) -> dict[str, int]:
    """Bulletins of the user's scope by state."""
    counts = dict(
        Bulletin.objects.visible_to(user).values_list("status").annotate(n=Count("id")).order_by()
    )
    return {status: counts.get(status, 0) for status in BulletinStatus.values}


def related_bulletins(*, bulletin: Bulletin, limit: int = RELATED_LIMIT) -> list[Bulletin]:
    """Published bulletins whose text resembles this one's (TF-IDF cosine over bigrams),
    among the last 500 adopted in the same campaign; at most 5, above the threshold.

    Cached per bulletin until the campaign's next adoption."""
    published = Bulletin.objects.published().filter(campaign_id=bulletin.campaign_id)
    stamp = published.aggregate(last=Max("published_at"), n=Count("id"))
    last = stamp["last"].timestamp() if stamp["last"] else 0
    key = f"bulletins:related:{bulletin.pk}:{bulletin.version}:{stamp['n']}:{last}"
    ids = cache.get(key)
    if ids is None:
        candidates = (
            published.exclude(pk=bulletin.pk)
            .order_by("-published_at", "-id")
            .values_list("pk", "search_text")[:RELATED_CANDIDATES]
        )
        scored = search.tfidf_cosine(
            search.similarity_tokens(bulletin.search_text),
            [(pk, search.similarity_tokens(text)) for pk, text in candidates],
        )
        ids = [pk for pk, score in scored if score >= RELATED_THRESHOLD][:limit]
        cache.set(key, ids, RELATED_CACHE_SECONDS)
    by_id = Bulletin.objects.published().select_related("unit").in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


# --- figures for assessment and the notice -------------------------------------------------


def _bounds(
    since: datetime.date, until: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """The period's days as [start, end) in the local time zone."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(since, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(
        until + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    return start, end


def bulletin_counts(
    *, campaign: Campaign, since: datetime.date, until: datetime.date
) -> dict[int, dict[str, int]]:
    """Per unit id: bulletins submitted (by submission time, last submission counts) and
    adopted (by adoption time) in the period, both days included. Units with neither are
    left out."""
    start, end = _bounds(since, until)
    of_campaign = Bulletin.objects.citywide().filter(campaign=campaign)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"submitted": 0, "adopted": 0})
    submitted = (
        of_campaign.between("submitted_at", start, end)
        .values("unit_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in submitted:
        counts[row["unit_id"]]["submitted"] = row["n"]
    adopted = (
        of_campaign.published()
        .between("reviewed_at", start, end)
        .values("unit_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in adopted:
        counts[row["unit_id"]]["adopted"] = row["n"]
    return dict(counts)


def units_without_bulletins(
    *, campaign: Campaign, since: datetime.date, until: datetime.date
) -> QuerySet[Unit]:
    """Active units (the city office left out: it reviews) that submitted no bulletin in
    the period, in tree order."""
    start, end = _bounds(since, until)
    submitted = (
        Bulletin.objects.citywide()
        .filter(campaign=campaign)
        .between("submitted_at", start, end)
        .values("unit_id")
    )
    return (
        Unit.objects.active()
        .exclude(kind=UnitKind.CITY_OFFICE)
        .exclude(pk__in=submitted)
        .order_by("path")
    )


def adopted_between(
    *, campaign: Campaign, since: datetime.date, until: datetime.date
) -> QuerySet[Bulletin]:
    """Bulletins adopted in the period (by adoption time), oldest first, with their units:
    for the weekly digest."""
    start, end = _bounds(since, until)
    return (
        Bulletin.objects.citywide()
        .filter(campaign=campaign)
        .published()
        .between("published_at", start, end)
        .select_related("unit")
        .order_by("published_at", "id")
    )


def digest_items(
    *, campaign: Campaign, since: datetime.date, until: datetime.date
) -> list[DigestItem]:
    """The bulletins adopted in the period, oldest first, as the weekly digest prints them:
    title, unit, kind, adoption day, paragraphs, and the first picture that can be embedded
    (two queries, and one read of each picture)."""
    bulletins = adopted_between(campaign=campaign, since=since, until=until).prefetch_related(
        Prefetch("images", queryset=BulletinImage.objects.order_by("order", "id"))
    )
    items = []
    for bulletin in bulletins:
        picture, caption = None, ""
        for image in bulletin.images.all():
            try:
                with image.image.open("rb") as stored:
                    picture = picture_for_document(stored.read())
            except OSError:
                picture = None
            if picture is not None:
                caption = image.caption
                break
        assert bulletin.published_at is not None  # adopted bulletins are published
        items.append(
            DigestItem(
                title=bulletin.title,
                unit=bulletin.unit.name,
                kind=bulletin.kind,
                adopted_on=timezone.localdate(bulletin.published_at),
                paragraphs=bulletin.paragraphs,
                picture=picture,
                caption=caption,
            )
        )
    return items


def digest_default_period(
    *, campaign: Campaign | None, today: datetime.date | None = None
) -> tuple[datetime.date, datetime.date]:
    """The week a digest covers unless told: last week (Monday to Sunday); when the campaign
    adopted nothing since, the week of its latest adoption (a finished campaign)."""
    today = today or timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday() + 7)
    if campaign is not None:
        last = (
            Bulletin.objects.citywide()
            .filter(campaign=campaign)
            .published()
            .aggregate(last=Max("published_at"))["last"]
        )
        if last is not None and timezone.localdate(last) < monday:
            day = timezone.localdate(last)
            monday = day - datetime.timedelta(days=day.weekday())
    return monday, monday + datetime.timedelta(days=6)
