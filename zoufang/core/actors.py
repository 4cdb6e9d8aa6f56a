"""Who acts: an account, a citizen on the public pages, or the system.

Every service, selector and permission check takes its actor as an `Actor`:

- an account: a logged-in user (`org.User`, an `AbstractUser`). An officer is an account
  with an `org.Officer` profile (unit, badge, role); `org.permissions.officer_of` finds it.
  A view passes `request.user`, which may also be Django's `AnonymousUser` — granted nothing;
- `CITIZEN`: someone on the public 开门评 pages, without an account (granted nothing; the
  opinion loop lets a citizen rate through their private link);
- `SYSTEM`: a command or a scheduled job — sees every unit and may do everything, and is
  named `system` in the audit trail.

What an actor may do is `org.permissions.require(actor, Perm.X)`; which records it sees is
`visible_to(actor)` (docs/architecture.md). The type lives in core because the audit trail
(core) names actors too; core knows accounts only as Django's `AbstractUser`.
"""

from __future__ import annotations

from typing import Final, TypeAlias

from django.contrib.auth.models import AbstractUser, AnonymousUser


class SystemActor:
    """The system itself (a command, a scheduled job): sees every unit, is nobody."""

    pk = None
    is_authenticated = True
    is_active = True
    is_superuser = True
    is_staff = False
    full_name = "system"

    def get_username(self) -> str:
        return "system"

    def __str__(self) -> str:
        return "system"


class Citizen:
    """A citizen on the public pages: no account, no unit, no role."""

    pk = None
    is_authenticated = False
    is_active = False
    is_superuser = False
    is_staff = False
    full_name = "citizen"

    def get_username(self) -> str:
        return "citizen"

    def __str__(self) -> str:
        return "citizen"


SYSTEM: Final = SystemActor()
CITIZEN: Final = Citizen()

Actor: TypeAlias = AbstractUser | AnonymousUser | SystemActor | Citizen
"""Who acts (see the module's docstring)."""
