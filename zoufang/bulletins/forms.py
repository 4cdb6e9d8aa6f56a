"""Forms of the column and the bulletin pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from zoufang.campaigns.models import Campaign
from zoufang.campaigns.selectors import campaign_list
from zoufang.core.actors import Actor
from zoufang.core.forms import StyledForm
from zoufang.ledger.forms import UnitChoiceField
from zoufang.org.models import Unit
from zoufang.org.selectors import unit_list

from . import files
from .models import BulletinAction, BulletinKind, BulletinStatus
from .selectors import ColumnFilters, Tab, column_units


class SearchInput(forms.TextInput):
    """A search box (phones show a search key)."""

    input_type = "search"


class ColumnFilterForm(StyledForm):
    """The column's search box and filters (GET)."""

    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=100,
        widget=SearchInput(attrs={"placeholder": gettext_lazy("Search titles and text")}),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[("", gettext_lazy("All")), *BulletinKind.choices],
        required=False,
    )
    unit = UnitChoiceField(
        label=gettext_lazy("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=gettext_lazy("All"),
    )
    tab = forms.ChoiceField(
        choices=[(tab, tab) for tab in Tab.ALL], required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = column_units()  # type: ignore[attr-defined]

    def to_filters(self) -> ColumnFilters:
        """The valid filters (an invalid form filters nothing)."""
        if not self.is_valid():
            return ColumnFilters()
        data = self.cleaned_data
        return ColumnFilters(
            q=data["q"].strip(), kind=data["kind"], unit=data["unit"], tab=data["tab"] or Tab.NEWEST
        )


class MultipleFileInput(forms.FileInput):
    """A file input that takes several files."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files; the checks by content are the service's (files.py)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class BulletinForm(StyledForm):
    """Writing or editing a bulletin: text, pictures and attachments (multipart)."""

    campaign = forms.ModelChoiceField(
        label=gettext_lazy("Campaign"), queryset=Campaign.objects.none(), to_field_name="slug"
    )
    unit = UnitChoiceField(
        label=gettext_lazy("Unit"), queryset=Unit.objects.none(), to_field_name="code"
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=BulletinKind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=100)
    body = forms.CharField(
        label=gettext_lazy("Body text"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=gettext_lazy("Plain text; an empty line or a line break starts a paragraph."),
    )
    images = MultipleFileField(
        label=gettext_lazy("Add pictures"),
        required=False,
        help_text=gettext_lazy("PNG, JPEG, GIF or WebP; at most 5 MB each and 9 in all."),
    )
    attachments = MultipleFileField(
        label=gettext_lazy("Add attachments"),
        required=False,
        help_text=gettext_lazy(
            "PDF, Word, Excel, JPEG or PNG; at most 10 MB each and 10 in all. "
            "No archives or files with macros."
        ),
    )
    remove_images = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Remove pictures"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    remove_attachments = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Remove attachments"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Set by the "Save and submit" button (not rendered as a field).
    submit_now = forms.BooleanField(required=False)

    def __init__(
        self,
        *args: Any,
        user: Actor,
        images: list[Any] | None = None,
        attachments: list[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaign_list()  # type: ignore[attr-defined]
        self.fields["unit"].queryset = unit_list(user=user)  # type: ignore[attr-defined]
        self.fields["images"].widget.attrs["accept"] = files.IMAGE_ACCEPT
        self.fields["attachments"].widget.attrs["accept"] = ",".join(files.ATTACHMENT_EXTENSIONS)
        self.fields["remove_images"].choices = [  # type: ignore[attr-defined]
            (image.pk, image.caption or f"#{index}")
            for index, image in enumerate(images or [], start=1)
        ]
        self.fields["remove_attachments"].choices = [  # type: ignore[attr-defined]
            (attachment.pk, attachment.original_name) for attachment in attachments or []
        ]
        if not images:
            del self.fields["remove_images"]
        if not attachments:
            del self.fields["remove_attachments"]

    def add_service_errors(self, error: Any) -> None:
        """Show a service's ValidationError on the fields it names."""
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, error)


class ActionForm(StyledForm):
    """One transition from the detail page; a return needs a comment."""

    action = forms.ChoiceField(choices=BulletinAction.choices, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    comment = forms.CharField(
        label=gettext_lazy("Comment for the unit"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ManageFilterForm(StyledForm):
    """The state tab of the manage page (GET)."""

    status = forms.ChoiceField(
        choices=[("", gettext_lazy("All")), *BulletinStatus.choices], required=False
    )


class DigestForm(StyledForm):
    """The campaign and the days a digest covers (GET)."""

    campaign = forms.ModelChoiceField(
        label=gettext_lazy("Campaign"),
        queryset=Campaign.objects.none(),
        to_field_name="slug",
        empty_label=None,
    )
    since = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaign_list()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", gettext_lazy("The end date is before the start date"))
        return data

    def add_service_errors(self, error: Any) -> None:
        """Show a service's ValidationError on the fields it names."""
        for name, errors in error.message_dict.items():
            self.add_error(name if name in self.fields else None, errors)
