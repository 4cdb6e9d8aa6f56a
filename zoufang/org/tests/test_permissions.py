"""require(actor, Perm.X): what each kind of actor may do."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from zoufang.core.actors import CITIZEN, SYSTEM
from zoufang.core.audit import actor_name
from zoufang.org.models import Role
from zoufang.org.permissions import ROLE_PERMS, Perm, account_of, can, require, role_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(ROLE_PERMS))
def test_require_follows_the_matrix(city, role) -> None:
    user = city.user(role)
    for perm in Perm:
        if perm in ROLE_PERMS[role]:
            require(user, perm)
        else:
            with pytest.raises(PermissionDenied):
                require(user, perm)


def test_the_system_may_do_everything_and_has_no_account() -> None:
    assert role_of(SYSTEM) == Role.CITY_ADMIN
    assert all(can(SYSTEM, perm) for perm in Perm)
    assert account_of(SYSTEM) is None
    assert actor_name(SYSTEM) == "system"


@pytest.mark.parametrize("actor", [CITIZEN, AnonymousUser(), None])
def test_citizens_and_visitors_may_do_nothing(actor) -> None:
    assert role_of(actor) is None
    assert account_of(actor) is None
    with pytest.raises(PermissionDenied):
        require(actor, Perm.OPINION_VIEW)


def test_a_citizen_is_named_so_in_the_trail() -> None:
    assert actor_name(CITIZEN) == "citizen"
    assert actor_name(None) == "system"


def test_require_says_why_when_asked(city) -> None:
    with pytest.raises(PermissionDenied, match="Only the city office"):
        require(city.user("officer"), Perm.CAMPAIGN_MANAGE, "Only the city office")


def test_an_inactive_account_may_do_nothing(city) -> None:
    user = city.user("city_admin")
    user.is_active = False
    assert account_of(user) == user
    assert not can(user, Perm.DASHBOARD_VIEW)
