"""Reads of units and officers shared by pages, forms and the API."""

from __future__ import annotations

from django.db.models import QuerySet

from zoufang.core.actors import Actor

from .models import Officer, Unit


def unit_list(*, user: Actor) -> QuerySet[Unit]:
    """The active units the user may see, in tree order."""
    return Unit.objects.visible_to(user).active().select_related("parent").order_by("path")


def unit_by_code(*, user: Actor, code: str) -> Unit | None:
    """A unit in the user's scope by its code, or None."""
    return Unit.objects.visible_to(user).filter(code=code).first()


def officer_list(*, user: Actor, unit: Unit | None = None) -> QuerySet[Officer]:
    """Active officers the user may see, optionally of one unit's subtree."""
    officers = Officer.objects.visible_to(user).active().select_related("user", "unit")
    if unit is not None:
        officers = officers.filter(unit__path__startswith=unit.path)
    return officers.order_by("unit__path", "badge_no")


def officers_by_badge(badges: list[str]) -> dict[str, Officer]:
    """Officers by badge number, for resolving a ledger row's 走访民警."""
    officers = Officer.objects.citywide().filter(badge_no__in=badges).select_related("unit")
    return {officer.badge_no: officer for officer in officers}


def officer_counts() -> dict[int, int]:
    """Active officers per unit (the unit itself, not its sub-units)."""
    from django.db.models import Count

    rows = Officer.objects.active().values("unit_id").annotate(n=Count("id")).order_by()
    return {row["unit_id"]: row["n"] for row in rows}


def ancestors_map() -> dict[int, list[int]]:
    """For every unit, its own id and the ids of the units above it (from the tree path)."""
    return {
        pk: [int(part) for part in path.strip("/").split("/") if part]
        for pk, path in Unit.objects.citywide().values_list("pk", "path")
    }


def second_factor_confirmed(user: Actor) -> bool:
    """Whether the user has set up an authenticator (a confirmed TOTP device)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()
