from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    """Supervision inspections (督导检查), their findings and deductions."""

    name = "zoufang.inspections"
    label = "inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        # Inspectors see the units of the inspections they are on (org.scope asks us).
        from zoufang.org.models import Role
        from zoufang.org.scope import register_scope_provider

        from .selectors import inspector_units

        register_scope_provider(Role.INSPECTOR, inspector_units)
