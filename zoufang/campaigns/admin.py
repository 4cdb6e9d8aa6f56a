from django.contrib import admin

from .models import Campaign, Phase


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Campaigns with their phases."""

    list_display = ("name", "slug", "start_date", "end_date")
    inlines = [PhaseInline]
