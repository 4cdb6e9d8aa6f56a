from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulletinsConfig(AppConfig):
    """The campaign column: bulletins (活动快报, 工作简报, 动态信息) units submit and the city
    office adopts (采用)."""

    name = "zoufang.bulletins"
    label = "bulletins"
    verbose_name = _("Bulletins")
