from django.contrib import admin

from zoufang.org.admin import CityOfficeAdminMixin

from .models import Indicator, Scheme


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = (
        "order",
        "code",
        "name",
        "source",
        "method",
        "weight",
        "target",
        "per_unit",
        "cap",
        "floor",
        "no_data",
    )


@admin.register(Scheme)
class SchemeAdmin(CityOfficeAdminMixin, admin.ModelAdmin):
    """Indicator schemes per campaign and unit kind; the city office edits weights and targets."""

    list_display = ("name", "campaign", "unit_kind", "total")
    list_filter = ("campaign", "unit_kind")
    inlines = [IndicatorInline]
