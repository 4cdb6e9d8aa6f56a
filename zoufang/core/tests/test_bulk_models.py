"""`core.bulk.bulk_create_models` writes what Django's own conversions give, faster."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import pytest
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from zoufang.core.audit import AuditLog
from zoufang.core.bulk import _db_value_maker, bulk_create_models
from zoufang.opinions.models import Category, Opinion, OpinionSource, OpinionStatus
from zoufang.org.models import Unit

UTC_NOON = datetime.datetime(2024, 3, 5, 12, 0, tzinfo=datetime.UTC)

# Values of each kind a field may be handed, the plain ones and those Django converts.
ODD_VALUES: dict[type[models.Field[Any, Any]], list[Any]] = {
    models.CharField: ["文本", "", None, OpinionSource.VISIT, gettext_lazy("Citizen"), 12],
    models.TextField: ["长文本\n第二行", None, OpinionStatus.REGISTERED, 3.5],
    models.SlugField: ["code-1", None],
    models.BooleanField: [True, False, None, 1, 0],
    models.PositiveSmallIntegerField: [0, 7, None, True, "12", 3.0],
    models.PositiveIntegerField: [1, None, "5"],
    models.IntegerField: [-3, None, False, "8"],
    models.GenericIPAddressField: ["127.0.0.1", "::1", None, ""],
    models.DateField: [datetime.date(2024, 3, 5), None, "2024-03-05"],
    models.DateTimeField: [
        UTC_NOON,
        UTC_NOON.astimezone(datetime.timezone(datetime.timedelta(hours=8))),
        timezone.now(),
        None,
    ],
    models.ForeignKey: [1, None, "2"],
}


def expected(field: models.Field[Any, Any], obj: models.Model) -> Any:
    return field.get_db_prep_save(field.pre_save(obj, True), connection=connection)


@pytest.mark.parametrize("model", [Opinion, AuditLog, Category, Unit])
def test_every_field_gives_what_django_gives(model: type[models.Model]) -> None:
    for field in model._meta.concrete_fields:
        if field.primary_key or getattr(field, "auto_now", False):
            continue
        make = _db_value_maker(field, connection)
        kind = models.ForeignKey if isinstance(field, models.ForeignKey) else type(field)
        for value in ODD_VALUES.get(kind, []):
            obj = model()
            setattr(obj, field.attname, value)
            assert make(obj) == expected(field, obj), (field.name, value)
            assert type(make(obj)) is type(expected(field, obj)), (field.name, value)


def test_the_same_time_twice_and_then_another() -> None:
    field = Opinion._meta.get_field("created_at")
    make = _db_value_maker(field, connection)
    later = UTC_NOON + datetime.timedelta(seconds=1)
    new_york = zoneinfo.ZoneInfo("America/New_York")
    first = datetime.datetime(2024, 11, 3, 1, 30, tzinfo=new_york)  # the hour repeated
    second = first.replace(fold=1)  # equal to `first` in Python, an hour later
    for value in (UTC_NOON, UTC_NOON, later, UTC_NOON, first, second):
        obj = Opinion(created_at=value)
        assert make(obj) == expected(field, obj)


def test_a_date_set_when_added_is_set() -> None:
    field: models.DateField[Any, Any] = models.DateField(auto_now_add=True)
    field.set_attributes_from_name("day")
    obj = Opinion()
    obj.__dict__["day"] = None
    assert _db_value_maker(field, connection)(obj) is not None


@pytest.mark.django_db
def test_instances_written_and_read_back(city: Any) -> None:
    unit = Unit.objects.first()
    assert unit is not None
    opinions = [
        Opinion(
            origin_unit=unit,
            content=f"意见{i}",
            source=OpinionSource.VISIT,
            token=f"token-{i}",
            created_at=UTC_NOON,
        )
        for i in range(3)
    ]
    bulk_create_models(opinions)
    stored = Opinion.objects.filter(pk__in=[o.pk for o in opinions]).order_by("pk")
    assert [(o.content, o.source, o.created_at, o.status) for o in stored] == [
        (f"意见{i}", "visit", UTC_NOON, OpinionStatus.REGISTERED) for i in range(3)
    ]
