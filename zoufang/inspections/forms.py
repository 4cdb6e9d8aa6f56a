"""Forms of the inspection pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from zoufang.campaigns.forms import UnitsField
from zoufang.campaigns.models import Campaign
from zoufang.core.actors import Actor
from zoufang.core.forms import StyledForm
from zoufang.ledger.forms import UnitChoiceField
from zoufang.org.models import Officer, Role, Unit
from zoufang.org.selectors import unit_list

from .models import FindingKind, InspectionKind


class InspectorsField(forms.ModelMultipleChoiceField):
    """Inspectors shown with their unit."""

    def label_from_instance(self, obj: Officer) -> str:
        return f"{obj.user}（{obj.unit.display_name}）"


class InspectionForm(StyledForm):
    """A new inspection."""

    campaign = forms.ModelChoiceField(
        label=gettext_lazy("Campaign"), queryset=Campaign.objects.all()
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=InspectionKind.choices)
    start_date = forms.DateField(
        label=gettext_lazy("Start date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label=gettext_lazy("End date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    inspectors = InspectorsField(
        label=gettext_lazy("Inspectors"),
        queryset=Officer.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    units = UnitsField(
        label=gettext_lazy("Units inspected"),
        queryset=Unit.objects.none(),
        to_field_name="code",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    summary = forms.CharField(
        label=gettext_lazy("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inspectors"].queryset = Officer.objects.filter(  # type: ignore[attr-defined]
            role=Role.INSPECTOR, user__is_active=True
        ).select_related("user", "unit")
        self.fields["units"].queryset = unit_list(user=user)  # type: ignore[attr-defined]


class FindingForm(StyledForm):
    """A problem found in an inspected unit."""

    unit = UnitChoiceField(
        label=gettext_lazy("Unit"), queryset=Unit.objects.none(), to_field_name="code"
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=FindingKind.choices)
    description = forms.CharField(
        label=gettext_lazy("What was found"), widget=forms.Textarea(attrs={"rows": 3})
    )
    deduction = forms.DecimalField(
        label=gettext_lazy("Deduction (points)"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        initial=0,
    )
    rectify_by = forms.DateField(
        label=gettext_lazy("Rectify by (default: 10 working days)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class RectifyForm(StyledForm):
    """The unit's rectification report."""

    rectification = forms.CharField(
        label=gettext_lazy("How it was rectified"), widget=forms.Textarea(attrs={"rows": 2})
    )
