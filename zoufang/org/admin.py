from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from zoufang.core.admin import AuditedAdminMixin

from . import services
from .models import Officer, Unit, User
from .permissions import Perm, can


@admin.register(User)
class UserAdmin(AuditedAdminMixin, BaseUserAdmin):
    """Users, with the Chinese full name. Changes are audited; unticking "active" ends the
    user's sessions and API tokens like `org.services.user_deactivate`; a password set here
    must be changed at the next login and ends every session and token of the user."""

    list_display = ("username", "full_name", "is_active", "last_login")
    search_fields = ("username", "full_name")
    fieldsets = (*BaseUserAdmin.fieldsets, (None, {"fields": ("full_name",)}))  # type: ignore[misc]

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        if change and "is_active" in form.changed_data and not obj.is_active:
            services.user_deactivate(actor=request.user, user=obj, reason="admin site")
        super().save_model(request, obj, form, change)

    def user_change_password(self, request: Any, id: str, form_url: str = "") -> HttpResponse:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, unquote(id))
            if user is not None and user.pk == request.user.pk:
                services.password_changed(user=user, keep_session=request.session.session_key)
            elif user is not None:
                services.password_set_by_admin(actor=request.user, user=user)
        return response


@admin.register(Unit)
class UnitAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The unit tree (create units through org.services.unit_create to keep paths right)."""

    list_display = ("code", "name", "kind", "parent", "headcount", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")
    readonly_fields = ("path", "depth")


@admin.register(Officer)
class OfficerAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Officers and their roles."""

    list_display = ("badge_no", "user", "unit", "role", "title")
    list_filter = ("role", "unit__kind")
    search_fields = ("badge_no", "user__username", "user__full_name")
    raw_id_fields = ("user", "unit")


def _site_permission(request: Any) -> bool:
    """Staff, and the city office (city_admin), may use the admin site."""
    user = request.user
    return bool(user.is_active and (user.is_staff or can(user, Perm.SETTINGS_MANAGE)))


admin.site.has_permission = _site_permission  # type: ignore[method-assign]
admin.site.site_header = _("Zoufang administration")
admin.site.site_title = _("Zoufang administration")


class CityOfficeAdminMixin(AuditedAdminMixin):
    """Admin pages the city office (city_admin) maintains: categories, calendars, schemes.
    Every change made there is audited."""

    def _city_office(self, request: Any) -> bool:
        return bool(request.user.is_superuser or can(request.user, Perm.SETTINGS_MANAGE))

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
