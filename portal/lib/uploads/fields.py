"""The form field through which people attach files, and its widget.

Forms only declare ``AttachmentsField()``; the field runs every check in this
package and hands the view ``list[CleanUpload]``, so no view can store a file
that skipped them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.widgets import FILE_INPUT_CONTRADICTION

from .cleaning import clean_uploads
from .policy import ACCEPT, ATTACHMENTS_HELP_TEXT, CleanUpload


class AttachmentsInput(forms.ClearableFileInput):
    """A file input that lets people choose several files, offering only the accepted types."""

    allow_multiple_selected = True

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"multiple": True, "accept": ACCEPT, **(attrs or {})})


class AttachmentsField(forms.FileField):
    """Up to MAX_FILES attachments; ``cleaned_data`` holds ``list[CleanUpload]`` (empty when none).

    Not required unless asked. Browsers never send files back with a
    re-displayed form, so after any error people must choose their files again;
    the other fields keep what they typed.
    """

    widget = AttachmentsInput

    def __init__(self, *, required: bool = False, help_text: Any = ATTACHMENTS_HELP_TEXT, **kwargs: Any) -> None:
        super().__init__(required=required, help_text=help_text, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[CleanUpload]:
        """The chosen files, checked and cleaned by :func:`clean_uploads`."""
        if data is FILE_INPUT_CONTRADICTION:
            raise ValidationError(self.error_messages["contradiction"], code="contradiction")
        if data is None or data is False or data == "":
            files = []  # nothing chosen (False: "clear", which has nothing to clear here)
        else:
            files = list(data) if isinstance(data, list | tuple) else [data]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        cleaned = clean_uploads(files)
        self.run_validators(cleaned)
        return cleaned

    def has_changed(self, initial: Any, data: Any) -> bool:
        return not self.disabled and bool(data)
