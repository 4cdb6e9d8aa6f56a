from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Officer, Unit, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Users, with the Chinese full name."""

    list_display = ("username", "full_name", "is_active", "last_login")
    search_fields = ("username", "full_name")
    fieldsets = (*BaseUserAdmin.fieldsets, (None, {"fields": ("full_name",)}))  # type: ignore[misc]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    """The unit tree (create units through org.services.unit_create to keep paths right)."""

    list_display = ("code", "name", "kind", "parent", "headcount", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")
    readonly_fields = ("path", "depth")


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    """Officers and their roles."""

    list_display = ("badge_no", "user", "unit", "role", "title")
    list_filter = ("role", "unit__kind")
    search_fields = ("badge_no", "user__username", "user__full_name")
    raw_id_fields = ("user", "unit")
