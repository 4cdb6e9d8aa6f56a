"""Forms of the assessment pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from zoufang.core.actors import Actor
from zoufang.core.forms import StyledForm
from zoufang.ledger.forms import UnitChoiceField
from zoufang.org.models import Unit
from zoufang.org.selectors import unit_list

from .models import ServiceKind


class ServiceRecordForm(StyledForm):
    """A unit's 便民服务 figures for a period."""

    unit = UnitChoiceField(
        label=gettext_lazy("Unit"), queryset=Unit.objects.none(), to_field_name="code"
    )
    kind = forms.ChoiceField(label=gettext_lazy("Service"), choices=ServiceKind.choices)
    period_start = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"})
    )
    items_delegated = forms.IntegerField(
        label=gettext_lazy("Items delegated"), min_value=0, initial=0
    )
    certificates_handled = forms.IntegerField(
        label=gettext_lazy("Certificates handled"), min_value=0, initial=0
    )

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_list(user=user)  # type: ignore[attr-defined]


class ServiceImportForm(StyledForm):
    """A 便民服务 sheet to import."""

    file = forms.FileField(label=gettext_lazy("Convenience-service sheet (.xlsx, .xls or .csv)"))
