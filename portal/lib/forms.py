"""Forms and the services behind them."""

from __future__ import annotations

from django.core.exceptions import ValidationError


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
