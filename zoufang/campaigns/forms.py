"""Forms of the campaign pages: tasks, progress reports, meetings, plans."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoufang.core.actors import Actor
from zoufang.core.documents import DocumentError, read_text
from zoufang.core.forms import StyledForm
from zoufang.ledger.forms import UnitChoiceField
from zoufang.org.models import Officer, Role, Unit
from zoufang.org.selectors import unit_list

from .models import MeetingKind, MeetingLevel, Phase

MAX_UPLOAD = 10 * 1024 * 1024


class LeaderChoiceField(forms.ModelChoiceField):
    """Bureau leaders shown with their post."""

    def label_from_instance(self, obj: Officer) -> str:
        return f"{obj.user}（{obj.title}）" if obj.title else str(obj.user)


class UnitsField(forms.ModelMultipleChoiceField):
    """Several units shown as name (code)."""

    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.name}（{obj.code}）"


class TaskForm(StyledForm):
    """A new work task."""

    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    phase = forms.ModelChoiceField(
        label=gettext_lazy("Phase"), queryset=Phase.objects.none(), required=False
    )
    lead_leader = LeaderChoiceField(
        label=gettext_lazy("Lead leader"), queryset=Officer.objects.none()
    )
    responsible_units = UnitsField(
        label=gettext_lazy("Responsible units"),
        queryset=Unit.objects.none(),
        to_field_name="code",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    deadline = forms.DateField(
        label=gettext_lazy("Deadline"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, user: Actor, campaign: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phase"].queryset = campaign.phases.all()  # type: ignore[attr-defined]
        self.fields["lead_leader"].queryset = Officer.objects.filter(  # type: ignore[attr-defined]
            role=Role.LEADER, user__is_active=True
        ).select_related("user")
        self.fields["responsible_units"].queryset = unit_list(user=user)  # type: ignore[attr-defined]


class TaskReportForm(StyledForm):
    """A progress report on a task, with an optional attachment."""

    unit = UnitChoiceField(
        label=gettext_lazy("Unit"), queryset=Unit.objects.none(), to_field_name="code"
    )
    text = forms.CharField(
        label=gettext_lazy("Progress"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    attachment = forms.FileField(label=gettext_lazy("Attachment (optional)"), required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]

    def clean_attachment(self) -> Any:
        """The attachment, if any, checked by its content as a bulletin's attachments are
        (PDF, Word, Excel, JPEG or PNG whose bytes agree with the name, no macros)."""
        from django.core.files.base import ContentFile

        from zoufang.bulletins.files import check_attachment

        file = self.cleaned_data.get("attachment")
        if not file:
            return file
        if file.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The attachment is larger than 10 MB"))
        checked = check_attachment(file)
        return ContentFile(checked.data, name=checked.name)


class MeetingForm(StyledForm):
    """A meeting or mobilisation."""

    unit = UnitChoiceField(
        label=gettext_lazy("Unit"), queryset=Unit.objects.none(), to_field_name="code"
    )
    date = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=MeetingKind.choices)
    level = forms.ChoiceField(label=gettext_lazy("Level"), choices=MeetingLevel.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    attendees = forms.IntegerField(label=gettext_lazy("Attendees"), min_value=0, initial=0)
    minutes = forms.CharField(
        label=gettext_lazy("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_list(user=user)  # type: ignore[attr-defined]


class PlanForm(StyledForm):
    """A plan: upload a .docx or .txt, or paste the text."""

    document = forms.FileField(label=gettext_lazy("Plan file (.docx or .txt)"), required=False)
    text = forms.CharField(
        label=gettext_lazy("Or paste the text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        document = data.get("document")
        if document:
            if document.size > MAX_UPLOAD:
                self.add_error("document", _("The file is larger than 10 MB"))
                return data
            try:
                data["text"] = read_text(data=document.read(), filename=document.name)
            except DocumentError as error:
                self.add_error("document", str(error))
                return data
            document.seek(0)
        elif not (data.get("text") or "").strip():
            raise forms.ValidationError(_("Upload a file or paste the text"))
        return data
