"""Forms and the services behind them."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from portal.lib.params import validate_sensible_date


def apply_service_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on ``form``: each field's messages by the field, the rest at the top.

    Services validate again what forms checked (a choice may have gone, a
    deadline passed); what they say must reach the person in the same place
    as the form's own errors, with what they typed kept.
    """
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class SensibleDateField(forms.DateField):
    """A date picked in the browser's own date input, refused in plain words outside the years people mean."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}))
        kwargs["validators"] = [validate_sensible_date, *kwargs.get("validators", ())]
        super().__init__(**kwargs)
