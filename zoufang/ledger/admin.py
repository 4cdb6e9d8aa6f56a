from django.contrib import admin

from .models import Visit


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    """Read-only view of the ledger: writes go through the services, which keep roll-ups."""

    list_display = ("visit_date", "unit", "target_type", "channel", "target_name", "phone_masked")
    list_filter = ("target_type", "channel", "source")
    search_fields = ("target_name",)
    exclude = ("phone_cipher", "phone_hash", "id_number_cipher", "id_number_hash")
    readonly_fields = [
        f.name
        for f in Visit._meta.fields
        if f.name not in ("phone_cipher", "phone_hash", "id_number_cipher", "id_number_hash")
    ]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
