from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    """Stage assessment (绩效考评): indicator schemes, scores, rankings, flags, snapshots."""

    name = "zoufang.assessment"
    label = "assessment"
    verbose_name = _("Assessment")

    def ready(self) -> None:
        # The 便民服务 records live here, and this app reads the figure registry: it provides
        # them to the registry by name rather than the registry importing this app.
        from zoufang.figures.registry import register_source

        from .selectors import service_records_within

        register_source("service_records", service_records_within)
