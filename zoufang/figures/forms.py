"""Forms of the figures pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from zoufang.core.forms import StyledForm


class RecordsQueryForm(StyledForm):
    """Which units and days a figure's records are listed for."""

    unit = forms.CharField(label=gettext_lazy("Unit code"), max_length=32, required=False)
    since = forms.DateField(label=gettext_lazy("From"), required=False)
    until = forms.DateField(label=gettext_lazy("To"), required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", gettext_lazy("The end is before the start"))
        return data
