from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Officer, Role, Unit, User
from .permissions import role_of


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


def _site_permission(request: Any) -> bool:
    """Staff, and the city office (city_admin), may use the admin site."""
    user = request.user
    return bool(user.is_active and (user.is_staff or role_of(user) == Role.CITY_ADMIN))


admin.site.has_permission = _site_permission  # type: ignore[method-assign]
admin.site.site_header = _("Zoufang administration")
admin.site.site_title = _("Zoufang administration")


class CityOfficeAdminMixin:
    """Admin pages the city office (city_admin) maintains: categories, calendars, schemes."""

    def _city_office(self, request: Any) -> bool:
        return bool(request.user.is_superuser or role_of(request.user) == Role.CITY_ADMIN)

    def has_module_permission(self, request: Any) -> bool:
        return self._city_office(request)

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return self._city_office(request)

    def has_add_permission(self, request: Any, *args: Any) -> bool:
        return self._city_office(request)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return self._city_office(request)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return self._city_office(request)
