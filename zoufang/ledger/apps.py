from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    """The visit ledger (走访台账), its import and export, and the daily roll-ups."""

    name = "zoufang.ledger"
    label = "ledger"
    verbose_name = _("Visit ledger")
