"""Form rendering in the house layout (Bootstrap classes on every widget)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Render fields with the project's field template (label, widget, help, errors)."""

    field_template_name = "forms/field.html"


def style_widgets(form: forms.BaseForm) -> None:
    """Give every widget its Bootstrap class; mark fields with errors as invalid."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(
            widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple
        ):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        elif isinstance(widget, forms.HiddenInput):
            continue
        else:
            css = "form-control"
        # Only after cleaning: reading form.errors here would validate too early.
        errors = getattr(form, "_errors", None)
        if errors and name in errors:
            css += " is-invalid"
        widget.attrs["class"] = css


class StyledForm(forms.Form):
    """A form whose widgets carry Bootstrap classes."""

    def full_clean(self) -> None:
        super().full_clean()
        style_widgets(self)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)
