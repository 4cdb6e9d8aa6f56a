"""The admin site: the audit trail read-only, and every change made in the admin audited."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.contrib import admin
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from .audit import AuditAction, audit_record, changed_only
from .models import AuditLog, WorkdayOverride

# Never copied into the trail, whatever the model: the password hash, and sealed personal data.
UNAUDITED_FIELDS = {"password"}


def admin_snapshot(instance: models.Model) -> dict[str, Any]:
    """The editable, non-secret columns of a record as JSON for the audit trail."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        name = field.name
        if field.primary_key or not field.editable or name in UNAUDITED_FIELDS:
            continue
        if name.endswith(("_cipher", "_hash")):
            continue
        value = field.value_from_object(instance)
        if isinstance(value, FieldFile):
            value = value.name
        elif isinstance(value, datetime.datetime) and timezone.is_aware(value):
            value = value.astimezone(datetime.UTC)  # one spelling per instant: no false change
        data[name] = value
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def m2m_snapshot(instance: models.Model) -> dict[str, list[Any]]:
    """The many-to-many links of a record (groups, permissions, units …) as sorted ids."""
    if instance.pk is None:
        return {}
    return {
        field.name: sorted(getattr(instance, field.name).values_list("pk", flat=True))
        for field in instance._meta.many_to_many
    }


class AuditedAdminMixin:
    """Every add, change and delete made through the admin site writes an audit record — who,
    from where, the fields before and after — in the admin's own transaction, so a failing
    audit write undoes the change (docs/security.md, "Audit")."""

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        before = admin_snapshot(type(obj)._default_manager.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        after = admin_snapshot(obj)
        if before is not None:
            before, after = changed_only(before, after)
            if not after:
                return
        audit_record(
            action=AuditAction.UPDATE if change else AuditAction.CREATE,
            actor=request.user,
            target=obj,
            before=before,
            after=after,
            note="admin site",
        )

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        before = m2m_snapshot(form.instance)
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        old, new = changed_only(before, m2m_snapshot(form.instance))
        if new:
            audit_record(
                action=AuditAction.UPDATE,
                actor=request.user,
                target=form.instance,
                before=old,
                after=new,
                note="admin site",
            )

    def delete_model(self, request: Any, obj: Any) -> None:
        self._audit_delete(request, obj)
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for obj in queryset:
            self._audit_delete(request, obj)
        super().delete_queryset(request, queryset)  # type: ignore[misc]

    def _audit_delete(self, request: Any, obj: Any) -> None:
        audit_record(
            action=AuditAction.DELETE,
            actor=request.user,
            target=obj,
            before=admin_snapshot(obj),
            note="admin site",
        )


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(AuditedAdminMixin, admin.ModelAdmin):  # the city office edits it
    """The city office's working-day overrides."""

    list_display = ("day", "is_working_day", "note")


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """The audit trail, read-only."""

    list_display = ("at", "actor_name", "ip", "action", "object_type", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("actor_name", "object_repr", "object_id")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
