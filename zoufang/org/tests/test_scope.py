"""visible_to(user): the one door to unit data."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from zoufang.ledger.models import Visit
from zoufang.ledger.tests.factories import make_visit
from zoufang.org.models import Officer, Unit
from zoufang.org.scope import register_scope_provider, user_scope

pytestmark = pytest.mark.django_db


def codes(queryset) -> set[str]:
    return set(queryset.values_list("code", flat=True))


ALL = {"JZ", "JZ01", "JZ0101", "JZ02", "JZ0201", "JZJ01", "JZB01"}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("city_admin", ALL),
        ("leader", ALL),
        ("unit_admin", {"JZ01", "JZ0101"}),
        ("officer", {"JZ0101"}),
        ("officer_b", {"JZ0201"}),
        ("inspector", set()),
    ],
)
def test_units_by_role(city, role, expected) -> None:
    assert codes(Unit.objects.visible_to(city.user(role))) == expected


def test_anonymous_and_inactive_see_nothing(city) -> None:
    assert not Unit.objects.visible_to(AnonymousUser()).exists()
    user = city.user("city_admin")
    user.is_active = False
    assert not Unit.objects.visible_to(user).exists()


def test_visits_follow_the_unit_tree(city) -> None:
    mine = make_visit(city.officer)
    theirs = make_visit(city.officer_b)
    assert set(Visit.objects.visible_to(city.user("unit_admin"))) == {mine}
    assert set(Visit.objects.visible_to(city.user("officer_b"))) == {theirs}
    assert set(Visit.objects.visible_to(city.user("leader"))) == {mine, theirs}


def test_officers_follow_their_unit(city) -> None:
    visible = set(Officer.objects.visible_to(city.user("unit_admin")))
    assert visible == {city.unit_admin, city.officer}


def test_a_registered_provider_decides_a_roles_scope(city, monkeypatch) -> None:
    from zoufang.org import scope

    monkeypatch.setattr(scope, "_providers", {})
    register_scope_provider("inspector", lambda user: Unit.objects.filter(code="JZ02"))
    assert codes(Unit.objects.visible_to(city.user("inspector"))) == {"JZ02"}
    assert user_scope(city.user("inspector")).everything is False
