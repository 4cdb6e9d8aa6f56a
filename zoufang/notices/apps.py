from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    """Stage notices (通报) in the official document layout, and bulletin digests."""

    name = "zoufang.notices"
    label = "notices"
    verbose_name = _("Notices")
