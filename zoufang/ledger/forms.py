"""Forms of the ledger pages: quick entry and edit of a visit, and the list's filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoufang.core import validators
from zoufang.core.forms import StyledForm, style_widgets
from zoufang.org.models import Officer, Unit
from zoufang.org.permissions import officer_of
from zoufang.org.selectors import officers_by_badge, unit_list

from .models import Channel, TargetType, Visit
from .reveal import REASON_MAX_LENGTH, REASON_MIN_LENGTH, reveal_field_clean, reveal_reason_clean
from .selectors import VisitFilters
from .services import VisitInput


class UnitChoiceField(forms.ModelChoiceField):
    """Units shown as `name (code)`."""

    def label_from_instance(self, obj: Unit) -> str:
        return f"{'　' * obj.depth}{obj.name}（{obj.code}）"


class VisitForm(StyledForm):
    """One ledger row, as an officer records it on a phone or a desk."""

    visit_date = forms.CharField(
        label=gettext_lazy("Visit date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    unit = UnitChoiceField(
        label=gettext_lazy("Unit"), queryset=Unit.objects.none(), to_field_name="code"
    )
    officers = forms.CharField(
        label=gettext_lazy("Officers (badge numbers)"),
        help_text=gettext_lazy("Several officers: separate badge numbers with spaces or commas"),
        max_length=200,
    )
    target_type = forms.ChoiceField(label=gettext_lazy("Target type"), choices=TargetType.choices)
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"), choices=Channel.choices, widget=forms.RadioSelect
    )
    is_return_visit = forms.BooleanField(label=gettext_lazy("Return visit"), required=False)
    target_name = forms.CharField(label=gettext_lazy("Target name"), max_length=100)
    phone = forms.CharField(
        label=gettext_lazy("Phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    id_number = forms.CharField(
        label=gettext_lazy("ID number"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    address = forms.CharField(label=gettext_lazy("Address"), required=False, max_length=200)
    opinions_collected = forms.IntegerField(
        label=gettext_lazy("Opinions collected"), min_value=0, required=False, initial=0
    )
    disputes_mediated = forms.IntegerField(
        label=gettext_lazy("Disputes mediated"), min_value=0, required=False, initial=0
    )
    hazards_found = forms.IntegerField(
        label=gettext_lazy("Hazards found"), min_value=0, required=False, initial=0
    )
    households_helped = forms.IntegerField(
        label=gettext_lazy("Households helped"), min_value=0, required=False, initial=0
    )
    donation_amount = forms.CharField(
        label=gettext_lazy("Donations (yuan)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    summary = forms.CharField(
        label=gettext_lazy("What was seen and discussed"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=500)
    opinions = forms.CharField(
        label=gettext_lazy("Opinions raised"),
        help_text=gettext_lazy(
            "One per line; each is registered as an opinion for the city office to assign"
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, user: Any, instance: Visit | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        self.instance = instance
        self.fields["unit"].queryset = unit_list(user=user)  # type: ignore[attr-defined]
        self.visit_input: VisitInput | None = None
        if instance is not None:
            # Opinions become records of their own once registered; they are not edited here.
            del self.fields["opinions"]
            # The stored numbers are only kept encrypted: blank keeps them, a tick clears them.
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput)
            for name, masked in (
                ("phone", instance.phone_masked),
                ("id_number", instance.id_number_masked),
            ):
                if masked:
                    self.fields[name].help_text = _(
                        "Stored: %(masked)s; leave blank to keep it"
                    ) % {"masked": masked}
                    self.fields[f"clear_{name}"] = forms.BooleanField(
                        label=_("Remove the stored number"), required=False
                    )
            style_widgets(self)

    def clean_visit_date(self) -> Any:
        return validators.parse_date(self.cleaned_data["visit_date"])

    def clean_phone(self) -> str:
        return validators.normalize_phone(self.cleaned_data["phone"])

    def clean_id_number(self) -> str:
        return validators.normalize_id_number(self.cleaned_data["id_number"])

    def clean_opinions(self) -> tuple[str, ...]:
        return validators.split_opinions(self.cleaned_data["opinions"])

    def clean_donation_amount(self) -> Any:
        return validators.parse_amount(self.cleaned_data["donation_amount"])

    def clean_officers(self) -> tuple[Officer, ...]:
        badges = validators.split_badges(self.cleaned_data["officers"])
        if not badges:
            raise ValidationError(_("Name at least one officer"))
        found = officers_by_badge(badges)
        unknown = [badge for badge in badges if badge not in found]
        if unknown:
            raise ValidationError(
                _("No officer with badge number %(badges)s") % {"badges": "、".join(unknown)}
            )
        return tuple(found[badge] for badge in badges)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        phone: str | None = data["phone"]
        id_number: str | None = data["id_number"]
        if self.instance is not None:
            phone = "" if data.get("clear_phone") else (phone or None)
            id_number = "" if data.get("clear_id_number") else (id_number or None)
        self.visit_input = VisitInput(
            visit_date=data["visit_date"],
            unit=data["unit"],
            officers=data["officers"],
            target_type=data["target_type"],
            channel=data["channel"],
            target_name=data["target_name"].strip(),
            is_return_visit=data["is_return_visit"],
            phone=phone,
            id_number=id_number,
            address=data["address"].strip(),
            opinions_collected=data["opinions_collected"] or 0,
            disputes_mediated=data["disputes_mediated"] or 0,
            hazards_found=data["hazards_found"] or 0,
            households_helped=data["households_helped"] or 0,
            donation_amount=data["donation_amount"],
            summary=data["summary"].strip(),
            note=data["note"].strip(),
            opinions=data.get("opinions", ()),
        )
        return data

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's ValidationError on the fields it names."""
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, error)


def visit_initial(*, user: Any, visit: Visit | None = None, params: Any = None) -> dict[str, Any]:
    """The form's starting values: the visit's, or today, the user's unit and badge."""
    if visit is not None:
        return {
            "visit_date": visit.visit_date.isoformat(),
            "unit": visit.unit.code,
            "officers": " ".join(o.badge_no for o in visit.officers.all()),
            "target_type": visit.target_type,
            "channel": visit.channel,
            "is_return_visit": visit.is_return_visit,
            "target_name": visit.target_name,
            "address": visit.address,
            "opinions_collected": visit.opinions_collected,
            "disputes_mediated": visit.disputes_mediated,
            "hazards_found": visit.hazards_found,
            "households_helped": visit.households_helped,
            "donation_amount": visit.donation_amount,
            "summary": visit.summary,
            "note": visit.note,
            "version": visit.version,
        }
    officer = officer_of(user)
    initial: dict[str, Any] = {
        "visit_date": timezone.localdate().isoformat(),
        "channel": Channel.IN_PERSON,
        "target_type": TargetType.RESIDENT,
    }
    if officer is not None:
        initial.update(unit=officer.unit.code, officers=officer.badge_no)
    if params:
        # "Save and record another" keeps the date, unit, officers and channel.
        for name in ("visit_date", "unit", "officers", "channel", "target_type"):
            if params.get(name):
                initial[name] = params[name]
    return initial


class VisitFilterForm(StyledForm):
    """The ledger list's filters (GET)."""

    since = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    unit = UnitChoiceField(
        label=gettext_lazy("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=gettext_lazy("All"),
    )
    target_type = forms.ChoiceField(
        label=gettext_lazy("Target type"),
        choices=[("", gettext_lazy("All")), *TargetType.choices],
        required=False,
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        choices=[("", gettext_lazy("All")), *Channel.choices],
        required=False,
    )
    officer = forms.CharField(label=gettext_lazy("Officer badge"), required=False, max_length=20)
    is_return_visit = forms.ChoiceField(
        label=gettext_lazy("Return visit"),
        choices=[("", gettext_lazy("All")), ("1", gettext_lazy("Yes")), ("0", gettext_lazy("No"))],
        required=False,
    )
    target_name = forms.CharField(label=gettext_lazy("Target name"), required=False, max_length=100)

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_list(user=user)  # type: ignore[attr-defined]

    def clean_officer(self) -> Officer | None:
        badge = self.cleaned_data["officer"].strip().upper()
        if not badge:
            return None
        officer = officers_by_badge([badge]).get(badge)
        if officer is None:
            raise ValidationError(_("No officer with badge number %(badges)s") % {"badges": badge})
        return officer

    def to_filters(self) -> VisitFilters:
        """The valid filters (an invalid form filters nothing)."""
        if not self.is_valid():
            return VisitFilters()
        data = self.cleaned_data
        flag = data["is_return_visit"]
        return VisitFilters(
            since=data["since"],
            until=data["until"],
            unit=data["unit"],
            target_type=data["target_type"],
            channel=data["channel"],
            officer=data["officer"],
            is_return_visit=None if flag == "" else flag == "1",
            target_name=data["target_name"].strip(),
        )


class RevealForm(StyledForm):
    """Show a visit's phone or ID number in full: which one, and why (the rules are
    ledger.reveal's, so the page and the API answer alike)."""

    field = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("Reason (recorded)"),
        widget=forms.TextInput(
            attrs={
                "minlength": REASON_MIN_LENGTH,
                "maxlength": REASON_MAX_LENGTH,
                "autocomplete": "off",
            }
        ),
    )

    def clean_field(self) -> str:
        return _one_field_rule(reveal_field_clean, self.cleaned_data["field"], "field")

    def clean_reason(self) -> str:
        return _one_field_rule(reveal_reason_clean, self.cleaned_data["reason"], "reason")


def _one_field_rule(rule: Any, value: str, name: str) -> str:
    """Run a service rule on one field, its error as that field's error."""
    try:
        return str(rule(value))
    except ValidationError as error:
        raise ValidationError(error.message_dict[name]) from error
