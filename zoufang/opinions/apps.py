from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpinionsConfig(AppConfig):
    """Opinions (意见建议) and their closed loop, and the public 开门评 pages."""

    name = "zoufang.opinions"
    label = "opinions"
    verbose_name = _("Opinions")

    def ready(self) -> None:
        # The ledger registers opinions written on a visit through this hook, in the same
        # transaction as the visit (the ledger does not import this app).
        from zoufang.ledger.services import register_visit_opinions_writer

        from .services import opinions_from_visits

        register_visit_opinions_writer(opinions_from_visits)
