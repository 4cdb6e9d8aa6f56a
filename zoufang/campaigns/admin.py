from django.contrib import admin

from zoufang.org.admin import CityOfficeAdminMixin

from .models import Assignment, Campaign, Meeting, Phase, Task


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(CityOfficeAdminMixin, admin.ModelAdmin):
    """Campaigns with their phases."""

    list_display = ("name", "slug", "start_date", "end_date")
    inlines = [PhaseInline]


@admin.register(Assignment)
class AssignmentAdmin(CityOfficeAdminMixin, admin.ModelAdmin):
    """分包责任: which leader answers for which units."""

    list_display = ("campaign", "leader", "unit")
    list_filter = ("campaign", "leader")
    raw_id_fields = ("unit",)


@admin.register(Task)
class TaskAdmin(CityOfficeAdminMixin, admin.ModelAdmin):
    """Tasks (created on the campaign page; corrected here)."""

    list_display = ("title", "campaign", "lead_leader", "deadline", "status")
    list_filter = ("campaign", "status")
    filter_horizontal = ("responsible_units",)


@admin.register(Meeting)
class MeetingAdmin(CityOfficeAdminMixin, admin.ModelAdmin):
    """Meetings and mobilisation records."""

    list_display = ("date", "unit", "kind", "level", "title")
    list_filter = ("campaign", "kind", "level")
