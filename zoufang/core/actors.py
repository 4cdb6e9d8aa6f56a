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


class _NoAccount:
    """An actor without an account: no primary key, never staff, named by `full_name`."""

    pk = None
    is_staff = False
    full_name = ""

    def get_username(self) -> str:
        return self.full_name

    def __str__(self) -> str:
        return self.full_name


class SystemActor(_NoAccount):
    """The system itself (a command, a scheduled job): sees every unit, is nobody."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    full_name = "system"


class Citizen(_NoAccount):
    """A citizen on the public pages: no unit, no role."""

    is_authenticated = False
    is_active = False
    is_superuser = False
    full_name = "citizen"


SYSTEM: Final = SystemActor()
CITIZEN: Final = Citizen()

Actor: TypeAlias = AbstractUser | AnonymousUser | SystemActor | Citizen
"""Who acts (see the module's docstring)."""
