"""Bulletins in Django's admin, for the city office: read-only (writes go through the pages
and the API, so the workflow, scope and audit apply)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from zoufang.org.admin import CityOfficeAdminMixin

from .models import Bulletin, BulletinAttachment, BulletinImage


class ReadOnlyAdminMixin(CityOfficeAdminMixin):
    """The city office may look; nobody adds, changes or deletes here."""

    def has_add_permission(self, request: Any, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class BulletinImageInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = BulletinImage
    fields = ("image", "caption", "content_type", "size", "width", "height")
    readonly_fields = fields
    extra = 0


class BulletinAttachmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = BulletinAttachment
    fields = ("original_name", "file", "content_type", "size")
    readonly_fields = fields
    extra = 0


@admin.register(Bulletin)
class BulletinAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Bulletins with their state, review and views."""

    list_display = (
        "id",
        "title",
        "unit",
        "kind",
        "status",
        "submitted_at",
        "published_at",
        "views",
    )
    list_filter = ("status", "kind", "campaign")
    search_fields = ("title", "unit__name", "unit__code")
    list_select_related = ("unit",)
    date_hierarchy = "submitted_at"
    exclude = ("search_title", "search_text")
    inlines = (BulletinImageInline, BulletinAttachmentInline)
