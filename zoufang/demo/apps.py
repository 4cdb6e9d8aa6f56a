from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo city (江州市公安局): built through each app's services by `seed_demo`."""

    name = "zoufang.demo"
    label = "demo"
    verbose_name = _("Demo city")
