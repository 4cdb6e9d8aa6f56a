from django.contrib import admin

from zoufang.org.admin import CityOfficeAdminMixin

from .models import Category, Opinion


@admin.register(Category)
class CategoryAdmin(CityOfficeAdminMixin, admin.ModelAdmin):
    """The category list the city office maintains, with keywords and deadlines."""

    list_display = ("name", "code", "accept_days", "reply_days", "urgent_reply_days", "is_active")
    list_editable = ("accept_days", "reply_days", "urgent_reply_days", "is_active")


@admin.register(Opinion)
class OpinionAdmin(admin.ModelAdmin):
    """Opinions, read-only: the loop's actions go through the pages and the API."""

    list_display = ("id", "status", "unit", "origin_unit", "category", "deadline", "created_at")
    list_filter = ("status", "source", "category")
    search_fields = ("content",)
    exclude = ("submitter_phone_cipher", "submitter_phone_hash", "token")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
