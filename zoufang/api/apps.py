from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The JSON API (django-ninja) under /api/v1/: an adapter beside the domain apps."""

    name = "zoufang.api"
    label = "api"
    verbose_name = _("API")
