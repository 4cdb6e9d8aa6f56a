from django.contrib import admin

from zoufang.org.admin import CityOfficeAdminMixin

from .models import Finding, Inspection


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0
    fields = ("unit", "kind", "deduction", "rectify_by", "status")
    readonly_fields = fields


@admin.register(Inspection)
class InspectionAdmin(CityOfficeAdminMixin, admin.ModelAdmin):
    """Inspections (the pages create them; the admin corrects them)."""

    list_display = ("title", "campaign", "kind", "start_date", "end_date")
    list_filter = ("kind", "campaign")
    filter_horizontal = ("inspectors", "units")
    inlines = [FindingInline]
