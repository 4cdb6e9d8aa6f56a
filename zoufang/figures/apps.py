from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FiguresConfig(AppConfig):
    """The figure registry: one definition of every figure that pages, the assessment, the
    notice, the reports and the API state (docs/decisions/0007-figure-registry.md)."""

    name = "zoufang.figures"
    label = "figures"
    verbose_name = _("Figures")
