"""Factories for units and officers; they create through org.services like the app does."""

from __future__ import annotations

from typing import Any

import factory

from zoufang.core.actors import SYSTEM
from zoufang.org.models import Officer, Role, Unit, UnitKind
from zoufang.org.services import officer_create, unit_create

PASSWORD = "Test@pass2022"


class UnitFactory(factory.Factory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"T{n:04d}")
    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = UnitKind.STATION
    parent = None
    headcount = 20

    @classmethod
    def _create(cls, model_class: type[Unit], **kwargs: Any) -> Unit:
        return unit_create(actor=SYSTEM, **kwargs)


class OfficerFactory(factory.Factory):
    class Meta:
        model = Officer

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"民警{n}")
    unit = factory.SubFactory(UnitFactory)
    badge_no = factory.Sequence(lambda n: f"{200000 + n}")
    role = Role.OFFICER
    password = PASSWORD
    must_change_password = False

    @classmethod
    def _create(cls, model_class: type[Officer], **kwargs: Any) -> Officer:
        return officer_create(actor=SYSTEM, **kwargs)
