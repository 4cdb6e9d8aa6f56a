"""Visit rows and visits, created through ledger.services."""

from __future__ import annotations

import datetime
from typing import Any

from zoufang.ledger.models import Channel, TargetType, Visit, VisitSource
from zoufang.ledger.services import VisitInput, visit_create
from zoufang.org.models import Officer

_counter = iter(range(1, 10**9))


def visit_input(officer: Officer, **overrides: Any) -> VisitInput:
    """A valid ledger row for the officer's unit (a fresh target name each time)."""
    values: dict[str, Any] = {
        "visit_date": datetime.date(2022, 3, 15),
        "unit": officer.unit,
        "officers": (officer,),
        "target_type": TargetType.RESIDENT,
        "channel": Channel.IN_PERSON,
        "target_name": f"张三{next(_counter)}",
        "phone": "13812345678",
        "id_number": "",
        "address": "江州市人民路1号",
        "summary": "了解辖区治安状况",
    }
    values.update(overrides)
    return VisitInput(**values)


def make_visit(officer: Officer, *, actor: Any = None, **overrides: Any) -> Visit:
    """A visit recorded by `actor` (the officer's user by default)."""
    return visit_create(
        actor=actor if actor is not None else officer.user,
        data=visit_input(officer, **overrides),
        source=VisitSource.ENTRY,
    )
