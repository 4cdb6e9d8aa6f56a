from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """Dashboards of a user's scope, read from the daily roll-ups."""

    name = "zoufang.dashboards"
    label = "dashboards"
    verbose_name = _("Dashboards")
