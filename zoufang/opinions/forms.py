"""Forms of the opinion pages and the public 开门评 pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from zoufang.core.actors import Actor
from zoufang.core.forms import StyledForm
from zoufang.ledger.forms import UnitChoiceField
from zoufang.org.models import Unit
from zoufang.org.selectors import unit_list

from .models import (
    Category,
    OpinionAction,
    OpinionSource,
    OpinionStatus,
    Rating,
    SecurityFeeling,
)
from .selectors import OpinionFilters, category_choices


class OpinionFilterForm(StyledForm):
    """The opinion list's filters (GET)."""

    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("All")), *OpinionStatus.choices],
        required=False,
    )
    overdue = forms.ChoiceField(
        label=gettext_lazy("Overdue"),
        choices=[
            ("", gettext_lazy("All")),
            ("1", gettext_lazy("Overdue")),
            ("0", gettext_lazy("Not overdue")),
        ],
        required=False,
    )
    unit = UnitChoiceField(
        label=gettext_lazy("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=gettext_lazy("All"),
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        queryset=Category.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=gettext_lazy("All"),
    )
    source = forms.ChoiceField(
        label=gettext_lazy("Source"),
        choices=[("", gettext_lazy("All")), *OpinionSource.choices],
        required=False,
    )
    text = forms.CharField(label=gettext_lazy("Text contains"), required=False, max_length=100)

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_list(user=user)  # type: ignore[attr-defined]
        self.fields["category"].queryset = category_choices()  # type: ignore[attr-defined]

    def to_filters(self) -> OpinionFilters:
        """The valid filters (an invalid form filters nothing)."""
        if not self.is_valid():
            return OpinionFilters()
        data = self.cleaned_data
        return OpinionFilters(
            status=data["status"],
            overdue=None if data["overdue"] == "" else data["overdue"] == "1",
            unit=data["unit"],
            category=data["category"],
            source=data["source"],
            text=data["text"].strip(),
        )


class OpinionForm(StyledForm):
    """Registering an opinion (an officer on behalf of a citizen)."""

    origin_unit = UnitChoiceField(
        label=gettext_lazy("Collected by"), queryset=Unit.objects.none(), to_field_name="code"
    )
    content = forms.CharField(
        label=gettext_lazy("Opinion or suggestion"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    source = forms.ChoiceField(label=gettext_lazy("Source"), choices=OpinionSource.choices)
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        queryset=Category.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=gettext_lazy("Let the system suggest"),
    )
    is_urgent = forms.BooleanField(label=gettext_lazy("Urgent"), required=False)
    submitter_name = forms.CharField(
        label=gettext_lazy("Submitter's name"), required=False, max_length=50
    )
    submitter_phone = forms.CharField(
        label=gettext_lazy("Submitter's phone"), required=False, max_length=30
    )
    merge_into = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["origin_unit"].queryset = unit_list(user=user)  # type: ignore[attr-defined]
        self.fields["category"].queryset = category_choices()  # type: ignore[attr-defined]


class ActionForm(StyledForm):
    """One action of the loop; which fields matter depends on the action."""

    action = forms.ChoiceField(choices=OpinionAction.choices, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    unit = UnitChoiceField(
        label=gettext_lazy("Responsible unit"),
        queryset=Unit.objects.none(),
        required=False,
        to_field_name="code",
    )
    deadline = forms.DateField(
        label=gettext_lazy("Reply by (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    measures = forms.CharField(
        label=gettext_lazy("Rectification measures"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reply = forms.CharField(
        label=gettext_lazy("Reply to the citizen"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    rating = forms.ChoiceField(
        label=gettext_lazy("Rating"),
        choices=Rating.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, max_length=500)

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_list(user=user)  # type: ignore[attr-defined]


class BulkAssignForm(StyledForm):
    """The city office assigns the ticked opinions to one unit."""

    opinions = forms.TypedMultipleChoiceField(coerce=int, choices=[], required=True)
    unit = UnitChoiceField(
        label=gettext_lazy("Assign to"), queryset=Unit.objects.none(), to_field_name="code"
    )
    deadline = forms.DateField(
        label=gettext_lazy("Reply by (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, user: Actor, opinion_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_list(user=user)  # type: ignore[attr-defined]
        self.fields["opinions"].choices = [(pk, pk) for pk in opinion_ids]  # type: ignore[attr-defined]


class CategoryForm(StyledForm):
    """Confirm or correct an opinion's category."""

    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"), queryset=Category.objects.none(), to_field_name="code"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = category_choices()  # type: ignore[attr-defined]


class PublicOpinionForm(StyledForm):
    """A citizen's opinion on the public page; name and phone are optional."""

    content = forms.CharField(
        label=gettext_lazy("Your opinion or suggestion"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    submitter_name = forms.CharField(
        label=gettext_lazy("Your name (optional)"), required=False, max_length=50
    )
    submitter_phone = forms.CharField(
        label=gettext_lazy("Your phone (optional, for a return call)"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    # A honeypot: people never see or fill it; bots fill every field.
    website = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"})
    )


class PublicRatingForm(StyledForm):
    """The citizen rates the reply."""

    rating = forms.ChoiceField(
        label=gettext_lazy("Are you satisfied with the reply?"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("Anything to add (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SurveyForm(StyledForm):
    """The anonymous satisfaction survey (安全感 / 满意度)."""

    security = forms.ChoiceField(
        label=gettext_lazy("How safe do you feel where you live?"),
        choices=SecurityFeeling.choices,
        widget=forms.RadioSelect,
    )
    satisfaction = forms.ChoiceField(
        label=gettext_lazy("How satisfied are you with the police here?"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
    )
    visited = forms.TypedChoiceField(
        label=gettext_lazy("Has an officer visited you this year?"),
        choices=[
            ("1", gettext_lazy("Yes")),
            ("0", gettext_lazy("No")),
            ("", gettext_lazy("Not sure")),
        ],
        coerce=lambda value: value == "1",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("Anything else (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    website = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"})
    )
