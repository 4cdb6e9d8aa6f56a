from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    """Stage assessment (绩效考评): indicator schemes, scores, rankings, flags, snapshots."""

    name = "zoufang.assessment"
    label = "assessment"
    verbose_name = _("Assessment")
