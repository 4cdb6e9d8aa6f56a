"""Forms of the notices pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from zoufang.campaigns.models import Phase
from zoufang.core.forms import StyledForm


class PhaseChoiceField(forms.ModelChoiceField):
    """A phase shown with its campaign."""

    def label_from_instance(self, obj: Phase) -> str:
        return f"{obj.campaign.name} · {obj.name}"


class DraftForm(StyledForm):
    """Which phase to draft a notice for."""

    phase = PhaseChoiceField(
        label=gettext_lazy("Phase"),
        queryset=Phase.objects.select_related("campaign").order_by(
            "-campaign__start_date", "order"
        ),
    )


class NarrativeForm(StyledForm):
    """The parts of a draft the city office writes; the figures are computed."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    opening = forms.CharField(
        label=gettext_lazy("Opening"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    good_practices = forms.CharField(
        label=gettext_lazy("Good practices (one paragraph per line)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    next_steps = forms.CharField(
        label=gettext_lazy("Next steps (one paragraph per line)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
