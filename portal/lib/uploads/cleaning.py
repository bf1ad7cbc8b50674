"""Checking what people attach: one file (size, type by content, PDF check or image re-encoding), or a message's files.

The package re-exports :func:`clean_upload` and :func:`clean_uploads`;
forms reach them through :class:`~portal.lib.uploads.fields.AttachmentsField`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError

from .images import reencode_image
from .names import display_name_for, sanitise_display_name
from .pdf import check_pdf
from .policy import ALLOWED_TYPES, MAX_FILE_BYTES, MAX_FILES, MEGABYTE, MESSAGES, CleanUpload, megabytes
from .sniff import sniff_content_type, unsupported


def _too_large(name: str, size: int) -> ValidationError:
    return ValidationError(
        MESSAGES["too_large"],
        code="too_large",
        params={"name": name, "limit": megabytes(MAX_FILE_BYTES), "size": megabytes(size)},
    )


def _read_limited(uploaded_file: Any, name: str) -> bytes:
    """Read at most MAX_FILE_BYTES, refusing bigger files (by their declared size first, when known)."""
    declared = getattr(uploaded_file, "size", None)
    if isinstance(declared, int) and declared > MAX_FILE_BYTES:
        raise _too_large(name, declared)
    try:
        # Another validator may already have read it.
        uploaded_file.seek(0)
    except (AttributeError, OSError):
        pass
    data = uploaded_file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        # No trustworthy declared size: count the rest without keeping it.
        size = len(data) + sum(len(chunk) for chunk in iter(lambda: uploaded_file.read(MEGABYTE), b""))
        raise _too_large(name, size)
    return data


def clean_upload(uploaded_file: Any) -> CleanUpload:
    """Check one uploaded file and return what may be stored, or raise ValidationError.

    ``uploaded_file`` is a Django ``UploadedFile`` or any binary file object
    with a ``name``. Error messages name the file by its sanitised name.
    """
    name = sanitise_display_name(getattr(uploaded_file, "name", "") or "")
    data = _read_limited(uploaded_file, name)
    if not data:
        raise ValidationError(MESSAGES["empty"], code="empty", params={"name": name})
    content_type = sniff_content_type(data)
    if content_type is None:
        raise unsupported(name, data)
    if content_type == "application/pdf":
        check_pdf(data, name=name)
        content = data
    else:
        content = reencode_image(data, content_type, name=name)
    return CleanUpload(
        content=content,
        content_type=content_type,
        extension=ALLOWED_TYPES[content_type],
        display_name=display_name_for(name, content_type),
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def clean_uploads(files: Sequence[Any]) -> list[CleanUpload]:
    """Check the files of one message: at most MAX_FILES, then each file, reporting every refusal at once."""
    files = [uploaded_file for uploaded_file in files if uploaded_file is not None]
    if len(files) > MAX_FILES:
        # Refused before any is decoded: a long list of files is work nobody asked us to do.
        raise ValidationError(MESSAGES["too_many"], code="too_many", params={"limit": MAX_FILES})
    cleaned: list[CleanUpload] = []
    errors: list[ValidationError] = []
    for uploaded_file in files:
        try:
            cleaned.append(clean_upload(uploaded_file))
        except ValidationError as error:
            errors.extend(error.error_list)
    if errors:
        raise ValidationError(errors)
    return cleaned
